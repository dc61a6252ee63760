// `llmwire profiles [--json] [--profiles FILE] [MODEL]`: lists model profiles with their match
// rules and capabilities; with MODEL, shows which profile that model id picks.

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "args.hpp"
#include "commands.hpp"
#include "llmwire/profile.hpp"

namespace llmwire::cli {

namespace {

constexpr const char* profiles_usage =
    "usage: llmwire profiles [--json] [--profiles FILE] [MODEL]\n"
    "\n"
    "Lists the model profiles (built in, plus those in FILE), their match rules and\n"
    "capabilities. With MODEL, prints only the profile that model id picks.\n"
    "\n"
    "  --json            print a JSON array of profiles (the format FILE uses)\n"
    "  --profiles FILE   extra or overriding profiles (JSON, see docs/PROFILES.md)\n"
    "\n"
    "exit codes: 0 ok, 1 unreadable or invalid FILE, 2 usage error\n";

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : " ") + item;
  return out;
}

void print_text(const Profile& p) {
  const Capabilities& c = p.capabilities;
  std::string caps;
  for (auto [on, label] : {std::pair{c.tools, "tools"}, std::pair{c.thinking, "thinking"},
                           std::pair{c.vision, "vision"}, std::pair{c.audio, "audio"}}) {
    if (on) caps += (caps.empty() ? "" : ",") + std::string(label);
  }
  std::printf("%-12s parser=%-11s caps=%s context=%s\n", p.name.c_str(),
              p.output_parser.empty() ? "none" : p.output_parser.c_str(),
              caps.empty() ? "-" : caps.c_str(),
              c.context_length > 0 ? std::to_string(c.context_length).c_str() : "?");
  std::printf("             match: %s\n", join(p.match).c_str());
  if (!p.description.empty()) std::printf("             %s\n", p.description.c_str());
}

}  // namespace

int run_profiles(std::span<char* const> args) {
  static constexpr OptionSpec specs[] = {{"json", false}, {"profiles", true}};
  auto parsed = parse_args(args, specs);
  if (!parsed) {
    std::fprintf(stderr, "llmwire profiles: %s\n\n%s", parsed.error().message.c_str(),
                 profiles_usage);
    return exit_usage;
  }
  if (parsed->has("help")) {
    std::fputs(profiles_usage, stdout);
    return exit_ok;
  }
  if (parsed->positionals().size() > 1) {
    std::fprintf(stderr, "llmwire profiles: at most one MODEL\n\n%s", profiles_usage);
    return exit_usage;
  }
  ProfileSet profiles = ProfileSet::builtin();
  if (auto file = parsed->get("profiles")) {
    if (auto ok = profiles.merge_file(*file); !ok) {
      std::fprintf(stderr, "llmwire profiles: %s\n", ok.error().message.c_str());
      return exit_failure;
    }
  }
  std::vector<const Profile*> shown;
  if (parsed->positionals().empty()) {
    for (const auto& p : profiles.profiles()) shown.push_back(&p);
  } else {
    shown.push_back(&profiles.find(parsed->positionals()[0]));
  }
  if (parsed->has("json")) {
    nlohmann::json out = nlohmann::json::array();
    for (const Profile* p : shown) out.push_back(to_json(*p));
    std::puts(out.dump(2).c_str());
  } else {
    for (const Profile* p : shown) print_text(*p);
  }
  return exit_ok;
}

}  // namespace llmwire::cli
