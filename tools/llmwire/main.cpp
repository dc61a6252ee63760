// The llmwire command-line tool: dispatches to one subcommand per file.

#include <cstdio>
#include <exception>
#include <new>
#include <span>
#include <string_view>

#include "args.hpp"
#include "cli_io.hpp"
#include "commands.hpp"
#include "llmwire/version.hpp"

namespace {

struct Command {
  std::string_view name;
  int (*run)(std::span<char* const>);
  std::string_view summary;
};

constexpr Command commands[] = {
#ifdef LLMWIRE_HAS_CLIENT
    {"bench", llmwire::cli::run_bench, "run the benchmark suite and decision framework"},
    {"chat", llmwire::cli::run_chat, "stream a chat reply from an endpoint"},
    {"info", llmwire::cli::run_info, "what a server says about itself (version, context, memory)"},
#endif
    {"gpu", llmwire::cli::run_gpu, "GPU memory: devices, processes, process trees"},
#ifndef LLMWIRE_PROBE_ONLY
    {"parse", llmwire::cli::run_parse, "parse raw model output with a profile's parser"},
    {"profiles", llmwire::cli::run_profiles, "list model profiles"},
    {"repair", llmwire::cli::run_repair, "repair malformed JSON into strict JSON"},
    {"replay", llmwire::cli::run_replay, "decode a recorded response body or transcript"},
#endif
#ifdef LLMWIRE_HAS_CLIENT
    {"sim", llmwire::cli::run_sim, "run the loopback model simulator"},
#endif
};

void print_usage(std::FILE* out) {
  std::fprintf(out, "llmwire %s: a client for local LLM inference servers\n\n",
               llmwire::version_string);
  std::fprintf(out, "usage: llmwire <command> [options]   (llmwire <command> --help for more)\n\n");
  for (const auto& command : commands) {
    std::fprintf(out, "  %-10.*s %.*s\n", static_cast<int>(command.name.size()),
                 command.name.data(), static_cast<int>(command.summary.size()),
                 command.summary.data());
  }
  std::fprintf(out,
               "\nexit codes: 0 ok, 1 failure, 2 usage error, 3 connection/HTTP error before "
               "streaming (gpu: no NVIDIA GPU),\n            4 stream broke (partial output "
               "printed), 5 timeout or cancelled\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    print_usage(stderr);
    return llmwire::cli::exit_usage;
  }
  std::string_view name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    print_usage(stdout);
    return llmwire::cli::exit_ok;
  }
  if (name == "--version") {
    std::printf("llmwire %s\n", llmwire::version_string);
    return llmwire::cli::exit_ok;
  }
  for (const auto& command : commands) {
    if (command.name != name) continue;
    // No exception ends the program with an abort (exit 134): each is reported, exit 1.
    int code = llmwire::cli::exit_failure;
    try {
      code = command.run(std::span<char* const>(argv + 2, static_cast<std::size_t>(argc - 2)));
    } catch (const std::bad_alloc&) {
      llmwire::cli::print_error(command.name, "out of memory");
      return llmwire::cli::exit_failure;
    } catch (const std::exception& e) {
      llmwire::cli::print_error(command.name, std::string("internal error: ") + e.what());
      return llmwire::cli::exit_failure;
    } catch (...) {
      llmwire::cli::print_error(command.name, "internal error: unknown exception");
      return llmwire::cli::exit_failure;
    }
    // Output that never reached its destination (a full disk, > /dev/full) is a failure.
    if (!llmwire::cli::stdout_ok(command.name) && code == llmwire::cli::exit_ok) {
      return llmwire::cli::exit_failure;
    }
    return code;
  }
  std::fprintf(stderr, "llmwire: unknown command '%s'\n\n", argv[1]);
  print_usage(stderr);
  return llmwire::cli::exit_usage;
}
