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
#include "cli_io.hpp"
#include "commands.hpp"
#include "llmwire/json_parse.hpp"
#include "llmwire/printable.hpp"
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

// Trims in place: the text may be as large as the input, and is not copied.
void trim_in_place(std::string& s) {
  const auto e = s.find_last_not_of(" \t\r\n");
  if (e == std::string::npos) {
    s.clear();
    return;
  }
  s.resize(e + 1);
  s.erase(0, s.find_first_not_of(" \t\r\n"));
}

/// OpenAI tool definitions (`{"type":"function","function":{...}}`, or the bare function).
Result<std::vector<ToolSpec>> read_tools(const std::string& path) {
  auto text = read_input(path, "--tools file", std::size_t{64} << 20);
  if (!text) return tl::unexpected(text.error());
  auto parsed = llmwire::json::parse(*text);
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
  // The piece buffer is allocated at this size: at most 64 MiB.
  auto chunk = parsed->get_int_in("chunk", 0, 64LL << 20);
  if (!chunk) {
    print_error("parse", chunk.error().message);
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

  // The input is streamed through the parser in pieces (--chunk N, else 64 KiB): only what
  // the parser produces is held, never the input as well.
  auto input =
      open_input(parsed->positionals().empty() ? "-" : parsed->positionals()[0], "the input");
  if (!input) {
    print_error("parse", input.error().message);
    return exit_failure;
  }
  std::unique_ptr<OutputParser> parser;
  if (!parser_name.empty()) {
    auto made = make_output_parser(parser_name, std::move(options));
    if (!made) {
      if (*input != stdin) std::fclose(*input);
      std::fprintf(stderr, "llmwire parse: unknown profile or parser '%s'\n\n%s", name.c_str(),
                   parse_usage);
      return exit_usage;
    }
    parser = std::move(*made);
  }
  nlohmann::json calls = nlohmann::json::array();
  std::string content, reasoning;
  const EventSink sink = [&](const Event& event) {
    if (const auto* c = std::get_if<ContentDelta>(&event)) {
      content.append(c->text);
    } else if (const auto* r = std::get_if<ReasoningDelta>(&event)) {
      reasoning.append(r->text);
    } else if (const auto* done = std::get_if<ToolCallComplete>(&event)) {
      calls.push_back({{"name", done->call->name}, {"arguments", done->call->arguments}});
    } else if (const auto* cut = std::get_if<ToolCallIncomplete>(&event)) {
      std::fprintf(stderr, "llmwire parse: incomplete tool call '%s' (%zu bytes) not reported\n",
                   printable(cut->call->name).c_str(), cut->call->raw_text.size());
    }
    return true;
  };
  const std::size_t step = *chunk && **chunk > 0 ? static_cast<std::size_t>(**chunk) : 64 * 1024;
  std::string piece(step, '\0');
  bool read_failed = false;
  for (;;) {
    std::size_t n = std::fread(piece.data(), 1, step, *input);
    if (n == 0) {
      read_failed = std::ferror(*input) != 0;
      break;
    }
    // A profile without a parser: the text is all content.
    if (parser) {
      parser->feed(std::string_view(piece.data(), n), sink);
    } else {
      content.append(piece.data(), n);
    }
  }
  if (*input != stdin) std::fclose(*input);
  if (read_failed) {
    print_error("parse", "cannot read the input: read error");
    return exit_failure;
  }
  if (parser) parser->finish(sink);

  trim_in_place(content);
  trim_in_place(reasoning);
  auto text_or_null = [](std::string& text) {
    return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(std::move(text));
  };
  // Written member by member so that only one text is ever held twice (as JSON).
  auto write = [](const nlohmann::json& value) {
    const std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::fwrite(text.data(), 1, text.size(), stdout);
  };
  std::fputs("{\"content\":", stdout);
  write(text_or_null(content));
  std::fputs(",\"reasoning\":", stdout);
  write(text_or_null(reasoning));
  std::fputs(",\"tool_calls\":", stdout);
  write(calls);
  std::fputs("}\n", stdout);
  return exit_ok;
}

}  // namespace llmwire::cli
