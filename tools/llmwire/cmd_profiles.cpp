// `llmwire profiles`: placeholder until its issue lands; replaced by the real command.

#include <cstdio>

#include "args.hpp"
#include "commands.hpp"

namespace llmwire::cli {

int run_profiles(std::span<char* const> /*args*/) {
  std::fprintf(stderr, "llmwire profiles: not built yet\n");
  return exit_failure;
}

}  // namespace llmwire::cli
