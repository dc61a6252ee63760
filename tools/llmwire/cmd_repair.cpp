// `llmwire repair [FILE]`: lenient JSON in (FILE, or stdin without one), strict compact JSON
// out. Exit 0 with the value on stdout, or 1 with the reason on stderr when nothing usable can
// be recovered.

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

#include "args.hpp"
#include "cli_io.hpp"
#include "commands.hpp"
#include "llmwire/json.hpp"

namespace llmwire::cli {

namespace {

constexpr const char* repair_usage =
    "usage: llmwire repair [FILE] [--explain] [--max-depth N]\n"
    "\n"
    "Reads JSON as models write it (code fences, prose around it, single quotes, trailing\n"
    "commas, comments, Python literals, raw newlines in strings, truncation) from FILE or\n"
    "stdin and prints it as strict compact JSON.\n"
    "\n"
    "  --explain       list what was repaired on stderr\n"
    "  --max-depth N   deepest nesting accepted (default 512)\n"
    "\n"
    "exit codes: 0 ok, 1 no JSON could be recovered or FILE unreadable, 2 usage error\n";

}  // namespace

int run_repair(std::span<char* const> args) {
  static constexpr OptionSpec specs[] = {{"explain", false}, {"max-depth", true}};
  auto parsed = parse_args(args, specs);
  if (!parsed) {
    std::fprintf(stderr, "llmwire repair: %s\n\n%s", parsed.error().message.c_str(), repair_usage);
    return exit_usage;
  }
  if (parsed->has("help")) {
    std::fputs(repair_usage, stdout);
    return exit_ok;
  }
  if (parsed->positionals().size() > 1) {
    std::fprintf(stderr, "llmwire repair: at most one FILE\n\n%s", repair_usage);
    return exit_usage;
  }
  json::RepairOptions options;
  auto depth = parsed->get_int("max-depth");
  if (!depth || (*depth && (**depth < 1 || **depth > static_cast<long long>(json::max_depth)))) {
    std::fprintf(stderr, "llmwire repair: %s\n",
                 depth ? "--max-depth must be between 1 and 512" : depth.error().message.c_str());
    return exit_usage;
  }
  if (*depth) options.max_depth = static_cast<std::size_t>(**depth);

  auto text =
      read_input(parsed->positionals().empty() ? "-" : parsed->positionals().front(), "the input");
  if (!text) {
    print_error("repair", text.error().message);
    return exit_failure;
  }

  auto repaired = json::repair(*text, options);
  if (!repaired) {
    std::fprintf(stderr, "llmwire repair: %s\n", repaired.error().message.c_str());
    return exit_failure;
  }
  if (parsed->has("explain")) {
    for (const auto& what : repaired->repairs) std::fprintf(stderr, "repaired: %s\n", what.c_str());
  }
  std::string out = repaired->value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out += '\n';
  std::fwrite(out.data(), 1, out.size(), stdout);
  return exit_ok;
}

}  // namespace llmwire::cli
