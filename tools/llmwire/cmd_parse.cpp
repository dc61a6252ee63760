// `llmwire parse --profile NAME [--thinking on|off] [--chunk N] [--tools FILE] [FILE]`: runs a
// profile's output parser over raw model output (special tokens as literal text) and prints
// {"content": str|null, "reasoning": str|null, "tool_calls": [{"name", "arguments"}]}.

#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "args.hpp"
#include "commands.hpp"
#include "llmwire/json_parse.hpp"
#include "llmwire/profile.hpp"

namespace llmwire::cli {

namespace {

constexpr const char* parse_usage =
    "usage: llmwire parse --profile NAME [--thinking on|off] [--chunk N] [--tools FILE]\n"
    "                     [--profiles FILE] [FILE]\n"
    "\n"
    "Reads raw model output (special tokens written out as text) from FILE or stdin, runs the\n"
    "profile's output parser over it and prints one JSON object:\n"
    "  {\"content\": str|null, \"reasoning\": str|null, \"tool_calls\": [{\"name\", "
    "\"arguments\"}]}\n"
    "\n"
    "  --profile NAME    a profile (llmwire profiles) or a parser: gemma4, qwen3-coder, hermes\n"
    "  --thinking on|off what was asked of the model (qwen3-coder/hermes: on = the template\n"
    "                    prefilled <think>, so the output starts inside it; off = no reasoning,\n"
    "                    think tags stay text; gemma4: off = channel text is dropped)\n"
    "  --chunk N         feed the parser N-byte pieces (default: all at once)\n"
    "  --tools FILE      JSON array of OpenAI tool definitions, used to type values\n"
    "  --profiles FILE   extra profiles (JSON, see docs/PROFILES.md)\n"
    "\n"
    "A tool call cut off at the end of output is not printed as a call; a note goes to stderr.\n"
    "exit codes: 0 ok, 1 unreadable input or tools file, 2 usage error\n";

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = std::move(ss).str();
  return !in.bad();
}

std::string trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

/// OpenAI tool definitions (`{"type":"function","function":{...}}`, or the bare function).
Result<std::vector<ToolSpec>> read_tools(const std::string& path) {
  std::string text;
  if (!read_file(path, text)) return fail(ErrorKind::io, "cannot read --tools file " + path);
  auto parsed = llmwire::json::parse(text);
  if (!parsed)
    return fail(ErrorKind::parse, "--tools file " + path + ": " + parsed.error().message);
  const nlohmann::json& doc = *parsed;
  if (!doc.is_array())
    return fail(ErrorKind::parse, "--tools file must hold a JSON array of tools");
  std::vector<ToolSpec> tools;
  for (const auto& entry : doc) {
    const nlohmann::json& fn = entry.contains("function") ? entry["function"] : entry;
    if (!fn.is_object() || !fn.contains("name") || !fn["name"].is_string()) {
      return fail(ErrorKind::parse, "--tools: every tool needs function.name");
    }
    ToolSpec spec{.name = fn["name"].get<std::string>()};
    if (fn.contains("description") && fn["description"].is_string()) {
      spec.description = fn["description"].get<std::string>();
    }
    if (fn.contains("parameters") && fn["parameters"].is_object())
      spec.parameters = fn["parameters"];
    tools.push_back(std::move(spec));
  }
  return tools;
}

}  // namespace

int run_parse(std::span<char* const> args) {
  static constexpr OptionSpec specs[] = {
      {"profile", true}, {"thinking", true}, {"chunk", true}, {"tools", true}, {"profiles", true}};
  auto parsed = parse_args(args, specs);
  if (!parsed) {
    std::fprintf(stderr, "llmwire parse: %s\n\n%s", parsed.error().message.c_str(), parse_usage);
    return exit_usage;
  }
  if (parsed->has("help")) {
    std::fputs(parse_usage, stdout);
    return exit_ok;
  }
  if (parsed->positionals().size() > 1 || !parsed->has("profile")) {
    std::fprintf(stderr, "llmwire parse: %s\n\n%s",
                 parsed->has("profile") ? "at most one FILE" : "--profile is required",
                 parse_usage);
    return exit_usage;
  }

  ProfileSet profiles = ProfileSet::builtin();
  if (auto file = parsed->get("profiles")) {
    if (auto ok = profiles.merge_file(*file); !ok) {
      std::fprintf(stderr, "llmwire parse: %s\n", ok.error().message.c_str());
      return exit_failure;
    }
  }
  // A profile name picks its parser; a parser name (as the upstream vectors use) works too.
  const std::string name = *parsed->get("profile");
  std::string parser_name = name;
  if (const Profile* profile = profiles.by_name(name)) parser_name = profile->output_parser;

  ParserOptions options;
  if (auto thinking = parsed->get("thinking")) {
    if (*thinking == "on") {
      options.thinking = Thinking::on;
      // For the <think> formats, the raw output of a thinking request starts inside reasoning
      // (the template prefilled `<think>`); Gemma 4's channel is opened by the model itself.
      options.starts_in_reasoning = parser_name != "gemma4";
    } else if (*thinking == "off") {
      options.thinking = Thinking::off;
    } else {
      std::fprintf(stderr, "llmwire parse: --thinking expects on or off, got '%s'\n\n%s",
                   thinking->c_str(), parse_usage);
      return exit_usage;
    }
  }
  auto chunk = parsed->get_int("chunk");
  if (!chunk || (*chunk && **chunk < 0)) {
    std::fprintf(stderr, "llmwire parse: %s\n\n%s",
                 chunk ? "--chunk must be 0 or more" : chunk.error().message.c_str(), parse_usage);
    return exit_usage;
  }
  if (auto tools_path = parsed->get("tools")) {
    auto tools = read_tools(*tools_path);
    if (!tools) {
      std::fprintf(stderr, "llmwire parse: %s\n", tools.error().message.c_str());
      return exit_failure;
    }
    options.tools = std::move(*tools);
  }

  std::string input;
  if (parsed->positionals().empty()) {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    input = std::move(ss).str();
  } else if (!read_file(parsed->positionals()[0], input)) {
    std::fprintf(stderr, "llmwire parse: cannot read %s\n", parsed->positionals()[0].c_str());
    return exit_failure;
  }

  nlohmann::json calls = nlohmann::json::array();
  std::string content, reasoning;
  if (parser_name.empty()) {
    content = input;  // a profile without a parser: the text is all content
  } else {
    auto parser = make_output_parser(parser_name, std::move(options));
    if (!parser) {
      std::fprintf(stderr, "llmwire parse: unknown profile or parser '%s'\n\n%s", name.c_str(),
                   parse_usage);
      return exit_usage;
    }
    const EventSink sink = [&](const Event& event) {
      if (const auto* c = std::get_if<ContentDelta>(&event)) {
        content.append(c->text);
      } else if (const auto* r = std::get_if<ReasoningDelta>(&event)) {
        reasoning.append(r->text);
      } else if (const auto* done = std::get_if<ToolCallComplete>(&event)) {
        calls.push_back({{"name", done->call->name}, {"arguments", done->call->arguments}});
      } else if (const auto* cut = std::get_if<ToolCallIncomplete>(&event)) {
        std::fprintf(stderr, "llmwire parse: incomplete tool call '%s' (%zu bytes) not reported\n",
                     cut->call->name.c_str(), cut->call->raw_text.size());
      }
      return true;
    };
    const std::size_t step =
        *chunk && **chunk > 0 ? static_cast<std::size_t>(**chunk) : input.size();
    const std::string_view all(input);
    for (std::size_t at = 0; at < all.size(); at += step)
      (*parser)->feed(all.substr(at, step), sink);
    (*parser)->finish(sink);
  }

  const std::string c = trimmed(content), r = trimmed(reasoning);
  const nlohmann::json out = {
      {"content", c.empty() ? nlohmann::json(nullptr) : nlohmann::json(c)},
      {"reasoning", r.empty() ? nlohmann::json(nullptr) : nlohmann::json(r)},
      {"tool_calls", calls}};
  std::puts(out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  return exit_ok;
}

}  // namespace llmwire::cli
