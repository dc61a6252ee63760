#pragma once
/// @file profile.hpp
/// Model profiles: data that absorbs a model's quirks (match rules, capabilities, thinking
/// toggle, request edits, image policy), plus an output parser chosen by name that recovers
/// reasoning and tool calls a server left in raw text.
///
///     llmwire::ProfileSet profiles = llmwire::ProfileSet::builtin();
///     const llmwire::Profile& profile = profiles.find("google/gemma-4-26B-A4B-it");  // "gemma4"
///     auto parser = llmwire::make_output_parser(profile.output_parser,
///                                               {.thinking = llmwire::Thinking::on});
///     (*parser)->feed("<|tool_call>call:f{x:1}<tool_call|>", on_event);
///     (*parser)->finish(on_event);

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "llmwire/chat.hpp"
#include "llmwire/error.hpp"
#include "llmwire/events.hpp"

namespace llmwire {

// ---- output parsers -------------------------------------------------------------------------

/// Turns raw model text (special tokens as literal text) into content, reasoning and tool-call
/// events. Incremental: holds back only an unfinished marker, never re-scans earlier text.
/// Recovered tool calls carry ToolCallOrigin::recovered; a call cut off at the end of output is
/// reported as ToolCallIncomplete and never as complete.
class OutputParser {
 public:
  virtual ~OutputParser() = default;
  /// Feeds the next piece of model text. Returns false once the sink returned false.
  virtual bool feed(std::string_view text, const EventSink& sink) = 0;
  /// End of output: flushes held-back text; a call cut off is reported as ToolCallIncomplete.
  virtual bool finish(const EventSink& sink) = 0;
};

/// How an output parser reads the text it is given.
struct ParserOptions {
  /// What was asked of the model. `off`: nothing is reasoning; `gemma4` drops channel text and
  /// `qwen3-coder`/`hermes` keep `<think>` tags as plain content (Ollama's rule).
  Thinking thinking = Thinking::server_default;
  /// The chat template prefilled the reasoning opener (`<think>\n` for Qwen3/Nemotron with
  /// thinking on; the Gemma 4 thought channel after a tool result), so the output starts inside
  /// reasoning, up to `</think>` / `<tool_call>` / `<channel|>`. Only set it when the server
  /// returns raw text: after a server-side reasoning parser the content would be misread as
  /// reasoning. Ignored when `thinking` is `off`.
  bool starts_in_reasoning = false;
  /// The request's tools: values are typed by their JSON Schemas (qwen3-coder parameters,
  /// gemma4 bare values). Empty = schema-free rules.
  std::vector<ToolSpec> tools;
};

/// The output parsers built in: "gemma4", "qwen3-coder", "hermes".
[[nodiscard]] const std::vector<std::string>& output_parser_names();

/// Creates the output parser `name` (a parser name from output_parser_names()).
/// Errors: ErrorKind::invalid_argument for an unknown name.
[[nodiscard]] Result<std::unique_ptr<OutputParser>> make_output_parser(std::string_view name,
                                                                       ParserOptions options = {});

// ---- profiles -------------------------------------------------------------------------------

/// Which API a request body is written for; the thinking toggle is spelled differently in each.
enum class ApiFlavor {
  openai_compatible,  ///< vLLM, SGLang, llama-server: `chat_template_kwargs.enable_thinking`.
  ollama_native,      ///< Ollama /api/chat: `think: bool | "low" | "medium" | "high"`.
  ollama_openai,      ///< Ollama /v1: `reasoning_effort`.
};

/// "openai", "ollama" or "ollama-openai".
[[nodiscard]] std::string_view to_string(ApiFlavor flavor) noexcept;

/// What the model accepts.
struct Capabilities {
  bool tools = true;
  bool thinking = false;
  bool vision = false;
  bool audio = false;
  int context_length = 0;  ///< Tokens; 0 = unknown.
};

/// How the model's thinking is switched.
struct ThinkingControl {
  /// What the model does when nothing is sent (the chat template's default).
  bool default_on = false;
  /// Send an explicit value on Ollama native even for Thinking::server_default, because the
  /// server's own default differs from the template's (Gemma 4 thinks by default on Ollama and
  /// burns the whole num_predict budget).
  bool always_send_on_ollama = false;
  /// The model understands "low"/"medium"/"high" on Ollama; otherwise levels become `true`.
  bool levels = false;
};

/// Per-API request edits, merged into the encoded body (objects merge key by key).
struct RequestEdits {
  nlohmann::json openai = nlohmann::json::object();         ///< vLLM / SGLang / llama-server.
  nlohmann::json ollama = nlohmann::json::object();         ///< Ollama native.
  nlohmann::json ollama_openai = nlohmann::json::object();  ///< Ollama /v1.
  std::vector<std::string> stop;  ///< Appended to the request's stop strings (every API).
};

/// What the image engineer's converter does with images sent to this model.
struct ImagePolicy {
  bool convert_to_png = true;  ///< Re-encode anything not PNG/JPEG as PNG.
  int max_side = 0;            ///< Downscale so the longer side is at most this; 0 = keep.
  bool flatten_alpha = true;   ///< Flatten transparency onto white (a zero-alpha BMP is black).
};

/// One model profile: pure data plus the name of its output parser.
struct Profile {
  std::string name;
  std::string description;
  /// Case-insensitive glob patterns (`*`, `?`) matched against the whole model id.
  std::vector<std::string> match;
  Capabilities capabilities;
  ThinkingControl thinking;
  RequestEdits request_edits;
  ImagePolicy image;
  std::string output_parser;  ///< "gemma4", "qwen3-coder", "hermes", or empty for none.
};

/// The profile as JSON, in the format load_profiles() reads (docs/PROFILES.md).
[[nodiscard]] nlohmann::json to_json(const Profile& profile);

/// A set of profiles: the built-ins plus any the user added or overrode.
class ProfileSet {
 public:
  /// The built-in profiles: gemma4, gemma4-edge, nemotron3, qwen3, qwen3-coder, generic.
  [[nodiscard]] static ProfileSet builtin();

  /// Most profiles a set holds: far more than there are model families, few enough that a
  /// hostile or mistaken file cannot make loading slow (each merge searches the set by name).
  static constexpr std::size_t max_profiles = 1024;
  /// Largest profiles file merge_file() reads.
  static constexpr std::uintmax_t max_file_bytes = 16u << 20;

  /// Adds or overrides profiles from JSON: `{"profiles": [...]}` or a bare array. A profile
  /// whose name exists (or that names `extends`) starts from that profile's fields.
  /// Errors: ErrorKind::parse for malformed profiles or more than max_profiles in the set;
  /// the set is unchanged then.
  [[nodiscard]] Result<void> merge(const nlohmann::json& document);
  /// merge() on a file's contents (at most max_file_bytes, nested at most json::max_depth).
  /// Errors: ErrorKind::io, ErrorKind::parse.
  [[nodiscard]] Result<void> merge_file(const std::filesystem::path& path);

  /// The profile called `name`, or nullptr.
  [[nodiscard]] const Profile* by_name(std::string_view name) const noexcept;
  /// The best profile for `model_id`: the one whose matching pattern has the most literal
  /// characters (later-added profiles win ties); "generic" when nothing matches.
  [[nodiscard]] const Profile& find(std::string_view model_id) const noexcept;
  /// The profile named `explicit_name` when given (an explicit name wins), else find().
  /// Errors: ErrorKind::invalid_argument when `explicit_name` names no profile.
  [[nodiscard]] Result<const Profile*> select(std::string_view model_id,
                                              std::string_view explicit_name) const;

  [[nodiscard]] const std::vector<Profile>& profiles() const noexcept { return profiles_; }

 private:
  std::vector<Profile> profiles_;
};

/// The built-in profiles plus those in the JSON file at `path`.
[[nodiscard]] Result<ProfileSet> load_profiles(const std::filesystem::path& path);

/// The best built-in profile for `model_id` (see ProfileSet::find).
[[nodiscard]] const Profile& find_profile(std::string_view model_id) noexcept;

/// Applies `profile` to an already-encoded request body for `flavor`: the thinking toggle
/// (sent explicitly where the profile says so), per-API request edits and stop strings.
/// Checks the request against the profile's capabilities first.
/// Errors: ErrorKind::unsupported (audio/images the model cannot take), ErrorKind::invalid_argument
/// (a body that is not a JSON object).
///
///     nlohmann::json body = encode(request);  // the client's encoder
///     if (auto ok = llmwire::apply_profile(body, request, llmwire::ApiFlavor::ollama_native,
///                                          llmwire::find_profile(request.model)); !ok) { ... }
[[nodiscard]] Result<void> apply_profile(nlohmann::json& body, const ChatRequest& request,
                                         ApiFlavor flavor, const Profile& profile);

/// The parser options for a request under `profile`: thinking exactly as asked (server_default
/// never assumes a prefilled `<think>`, since a server-side reasoning parser may already have
/// taken the reasoning out of the content) and the request's tools for typing values.
[[nodiscard]] ParserOptions parser_options_for(const ChatRequest& request, const Profile& profile);

}  // namespace llmwire
