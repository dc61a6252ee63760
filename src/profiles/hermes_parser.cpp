// Hermes JSON tool calls (FORMATS.md §6): `<tool_call>{"name": …, "arguments": {…}}</tool_call>`
// blocks and `<think>` reasoning (Qwen3 and many fine-tunes).

#include <string>

#include "llmwire/json.hpp"
#include "profiles/parsers.hpp"
#include "profiles/tagged_parser.hpp"

namespace llmwire::profiles_detail {

namespace {

/// The one place Hermes call bodies become JSON: the lenient repair (models write single
/// quotes, trailing commas, Python literals). At the end of output with no `</tool_call>`, a
/// body that only parses by completing cut-off text is refused: its arguments are truncated.
/// Returns a discarded value on failure.
nlohmann::json parse_call_json(std::string_view text, bool cut_off) {
  auto repaired = json::repair(trim(text));
  // `truncated` is repair's own signal that it completed cut-off text.
  if (!repaired || (cut_off && repaired->truncated)) {
    return nlohmann::json(nlohmann::json::value_t::discarded);
  }
  return std::move(repaired->value);
}

class HermesParser final : public TaggedParser {
 public:
  explicit HermesParser(ParserOptions options) : TaggedParser(std::move(options)) {}

 private:
  std::string call_;
  std::size_t scan_from_ = 0;

  void call_start() override {
    call_.clear();
    scan_from_ = 0;
  }

  bool call_feed(std::string_view text, bool final, Emitter& out, std::string& leftover) override {
    call_.append(text);
    const std::string_view all(call_);
    const MarkerHit hit = find_marker(all, scan_from_, {"</tool_call>", "<tool_call>"}, final);
    if (hit.id == MarkerHit::none) {
      scan_from_ = all.size();
      return false;
    }
    if (hit.id == MarkerHit::partial) {
      scan_from_ = hit.pos;
      return false;
    }
    // A new `<tool_call>` before the closer ends this block; the opener starts the next one.
    leftover.assign(all.substr(hit.id == 0 ? hit.pos + 12 : hit.pos));
    call_.resize(hit.pos);
    complete(out, false);
    return true;
  }

  void call_eof(Emitter& out) override {
    // A final block without `</tool_call>` still counts when its JSON is whole.
    complete(out, true);
  }

  void complete(Emitter& out, bool cut_off) {
    nlohmann::json v = parse_call_json(call_, cut_off);
    if (v.is_object()) {
      auto name = v.find("name");
      if (name != v.end() && name->is_string() && !name->get_ref<const std::string&>().empty()) {
        nlohmann::json args = nlohmann::json::object();
        auto it = v.find("arguments");
        if (it == v.end()) it = v.find("parameters");
        if (it != v.end()) {
          // Granite-style calls serialize the arguments as a JSON string: decode it once.
          if (it->is_string()) {
            nlohmann::json inner = parse_call_json(it->get_ref<const std::string&>(), false);
            args = inner.is_object() ? std::move(inner)
                                     : nlohmann::json(nlohmann::json::value_t::discarded);
          } else if (it->is_object()) {
            args = *it;
          } else if (!it->is_null()) {
            args = nlohmann::json(nlohmann::json::value_t::discarded);
          }
        }
        if (!args.is_discarded()) {
          emit_call(name->get<std::string>(), std::move(args), out);
          return;
        }
      }
    }
    std::string name;
    if (v.is_object() && v.contains("name") && v["name"].is_string())
      name = v["name"].get<std::string>();
    emit_incomplete(std::move(name), std::move(call_), out);
    call_.clear();
  }
};

}  // namespace

std::unique_ptr<OutputParser> make_hermes_parser(ParserOptions options) {
  return std::make_unique<HermesParser>(std::move(options));
}

}  // namespace llmwire::profiles_detail
