#pragma once
/// @file tools.hpp
/// Tools and the tool-call loop: register tools (name, description, JSON schema, C++ handler);
/// the loop runs the model, takes its tool calls (structured by the server, or recovered from
/// raw text by the profile's output parser), runs the handlers, appends the results and calls
/// the model again, for a bounded number of steps.
///
///     llmwire::tools::Registry tools;
///     tools.add({.name = "web_search",
///                .description = "Search the web",
///                .parameters = {{"type", "object"},
///                               {"properties", {{"query", {{"type", "string"}}}}},
///                               {"required", {"query"}}},
///                .handler = [](const llmwire::tools::Args& args) -> llmwire::Result<std::string> {
///                  auto query = args.get<std::string>("query");
///                  if (!query) return tl::unexpected(query.error());
///                  return search(*query);
///                }});
///     auto run = llmwire::tools::run_loop(client, request, tools, {.max_steps = 4});
///     if (run) std::cout << run->final.content.value_or("");

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "llmwire/chat.hpp"
#include "llmwire/detail/json_integer.hpp"
#include "llmwire/error.hpp"

namespace llmwire {
class Client;
}

namespace llmwire::tools {

/// A tool call's arguments with typed, validated access.
class Args {
 public:
  explicit Args(const nlohmann::json& arguments) : arguments_(arguments) {}

  /// The argument as V (std::string, bool, integers, floating point, nlohmann::json);
  /// ErrorKind::validation naming the argument when it is missing or has another type.
  template <class V>
  [[nodiscard]] Result<V> get(std::string_view name) const {
    const nlohmann::json* value = find(name);
    if (value == nullptr)
      return fail(ErrorKind::validation, "missing argument '" + std::string(name) + "'");
    return convert<V>(name, *value);
  }
  /// The argument as V, or `fallback` when absent (a present value of another type is still
  /// an error).
  template <class V>
  [[nodiscard]] Result<V> get_or(std::string_view name, V fallback) const {
    const nlohmann::json* value = find(name);
    if (value == nullptr) return fallback;
    return convert<V>(name, *value);
  }
  [[nodiscard]] bool has(std::string_view name) const { return find(name) != nullptr; }
  [[nodiscard]] const nlohmann::json& json() const noexcept { return arguments_; }

 private:
  [[nodiscard]] const nlohmann::json* find(std::string_view name) const {
    if (!arguments_.is_object()) return nullptr;
    auto it = arguments_.find(name);
    return it == arguments_.end() || it->is_null() ? nullptr : &*it;
  }
  template <class V>
  [[nodiscard]] static Result<V> convert(std::string_view name, const nlohmann::json& v) {
    auto wrong = [&](const char* expected) -> Result<V> {
      return fail(ErrorKind::validation, "argument '" + std::string(name) + "': expected " +
                                             expected + ", got " + v.type_name());
    };
    if constexpr (std::is_same_v<V, nlohmann::json>) {
      return v;
    } else if constexpr (std::is_same_v<V, std::string>) {
      if (!v.is_string()) return wrong("string");
      return v.get<std::string>();
    } else if constexpr (std::is_same_v<V, bool>) {
      if (!v.is_boolean()) return wrong("boolean");
      return v.get<bool>();
    } else if constexpr (std::is_integral_v<V>) {
      V out{};
      switch (detail::read_integer(v, out)) {
        case detail::IntegerRead::ok: return out;
        case detail::IntegerRead::out_of_range:
          return fail(ErrorKind::validation,
                      "argument '" + std::string(name) + "': " + v.dump() + " is out of range");
        case detail::IntegerRead::not_integer: break;
      }
      return wrong("integer");
    } else {
      static_assert(std::is_floating_point_v<V>, "Args::get: unsupported type");
      if (!v.is_number()) return wrong("number");
      return v.get<V>();
    }
  }
  const nlohmann::json& arguments_;
};

/// A handler's answer becomes the tool result the model sees; an error becomes an error
/// message the model sees (so it can correct itself), never an exception.
using Handler = std::function<Result<std::string>(const Args&)>;

struct Tool {
  std::string name;
  std::string description;
  nlohmann::json parameters = {{"type", "object"}, {"properties", nlohmann::json::object()}};
  Handler handler;
};

/// The tools a loop may call.
class Registry {
 public:
  /// ErrorKind::invalid_argument for an empty or duplicate name, a missing handler, or
  /// parameters that are not a JSON Schema object.
  Result<void> add(Tool tool);
  [[nodiscard]] const Tool* find(std::string_view name) const;
  /// The ToolSpecs to send with a request.
  [[nodiscard]] std::vector<ToolSpec> specs() const;
  /// Checks `call.arguments` against the tool's schema (required properties, property types)
  /// and runs the handler. Errors: ErrorKind::invalid_argument (unknown tool),
  /// ErrorKind::validation (bad arguments), or the handler's own error.
  [[nodiscard]] Result<std::string> invoke(const ToolCall& call) const;
  [[nodiscard]] std::size_t size() const noexcept { return tools_.size(); }

 private:
  std::vector<Tool> tools_;
};

/// Problems with `arguments` under a tool's `parameters` schema: missing required properties
/// and properties of the wrong JSON type. Empty = valid.
[[nodiscard]] std::vector<std::string> check_arguments(const nlohmann::json& parameters,
                                                       const nlohmann::json& arguments);

struct LoopOptions {
  int max_steps = 6;  ///< Model calls at most; the loop stops there even if tools were called.
};

/// One tool call the loop ran.
struct ToolRun {
  ToolCall call;
  std::string result;  ///< What the model was shown.
  bool ok = true;      ///< false: `result` is an error message.
};

struct LoopResult {
  ChatResult final;                 ///< The last model reply.
  std::vector<Message> messages;    ///< The whole conversation, tool calls and results included.
  std::vector<ToolRun> runs;        ///< Every tool call, in order.
  int steps = 0;                    ///< Model calls made.
  bool step_limit_reached = false;  ///< Stopped at max_steps with tool calls still wanted.
};

/// Appends the assistant turn with `calls` and one tool-result message per call to
/// `messages`, running each through `tools`. Calls without an id get one ("call_<step>_<i>")
/// so each result can point back to its call. Curl-free; run_loop() uses it.
void run_calls(const Registry& tools, const std::string& content, std::vector<ToolCall> calls,
               int step, std::vector<Message>& messages, std::vector<ToolRun>& runs);

#ifdef LLMWIRE_HAS_CLIENT
/// The tool-call loop. `request.tools` is replaced by the registry's tools.
[[nodiscard]] Result<LoopResult> run_loop(Client& client, ChatRequest request,
                                          const Registry& tools, const LoopOptions& options = {});
#endif

}  // namespace llmwire::tools
