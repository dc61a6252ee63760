#pragma once
// One function per subcommand, each in its own cmd_<name>.cpp. `args` excludes the program
// and subcommand names. Each returns an ExitCode (args.hpp).

#include <span>

namespace llmwire::cli {

int run_gpu(std::span<char* const> args);
#ifndef LLMWIRE_PROBE_ONLY
int run_replay(std::span<char* const> args);
int run_parse(std::span<char* const> args);
int run_profiles(std::span<char* const> args);
int run_repair(std::span<char* const> args);
#endif
#ifdef LLMWIRE_HAS_CLIENT
int run_chat(std::span<char* const> args);
int run_info(std::span<char* const> args);
int run_bench(std::span<char* const> args);
int run_sim(std::span<char* const> args);
#endif

}  // namespace llmwire::cli
