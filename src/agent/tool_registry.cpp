// Tool registry, argument checks and running one step's calls (issue 5). Curl-free.

#include <string>

#include "llmwire/tools.hpp"

namespace llmwire::tools {

namespace {

/// Whether `value` has JSON Schema type `type` ("integer" accepts 3.0, like the validators).
bool has_type(const nlohmann::json& value, const std::string& type) {
  if (type == "string") return value.is_string();
  if (type == "boolean") return value.is_boolean();
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "null") return value.is_null();
  if (type == "number") return value.is_number();
  if (type == "integer") {
    // Any whole number (1e30 too) is an integer to JSON Schema; whether it fits the handler's
    // type is Args::get's question.
    std::int64_t ignored = 0;
    return detail::read_integer(value, ignored) != detail::IntegerRead::not_integer;
  }
  return true;  // an unknown type name constrains nothing
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

}  // namespace

std::vector<std::string> check_arguments(const nlohmann::json& parameters,
                                         const nlohmann::json& arguments) {
  std::vector<std::string> problems;
  if (!arguments.is_object()) {
    problems.push_back(std::string("arguments must be an object, got ") + arguments.type_name());
    return problems;
  }
  if (!parameters.is_object()) return problems;
  if (auto req = parameters.find("required"); req != parameters.end() && req->is_array()) {
    for (const auto& name : *req) {
      if (name.is_string() && !arguments.contains(name.get<std::string>()))
        problems.push_back("missing argument '" + name.get<std::string>() + "'");
    }
  }
  auto props = parameters.find("properties");
  if (props == parameters.end() || !props->is_object()) return problems;
  for (auto it = arguments.begin(); it != arguments.end(); ++it) {
    auto prop = props->find(it.key());
    if (prop == props->end() || !prop->is_object()) continue;
    auto type = prop->find("type");
    if (type == prop->end()) continue;
    bool ok = false;
    std::string expected;
    if (type->is_string()) {
      ok = has_type(it.value(), type->get<std::string>());
      expected = type->get<std::string>();
    } else if (type->is_array()) {  // ["string", "null"]
      for (const auto& t : *type) {
        if (!t.is_string()) continue;
        ok = ok || has_type(it.value(), t.get<std::string>());
        expected += (expected.empty() ? "" : " or ") + t.get<std::string>();
      }
    } else {
      ok = true;
    }
    if (!ok) {
      problems.push_back("argument '" + it.key() + "': expected " + expected + ", got " +
                         it.value().type_name());
    }
  }
  return problems;
}

Result<void> Registry::add(Tool tool) {
  if (tool.name.empty()) return fail(ErrorKind::invalid_argument, "a tool needs a name");
  if (find(tool.name) != nullptr)
    return fail(ErrorKind::invalid_argument, "tool '" + tool.name + "' is already registered");
  if (!tool.handler)
    return fail(ErrorKind::invalid_argument, "tool '" + tool.name + "' has no handler");
  if (!tool.parameters.is_object())
    return fail(ErrorKind::invalid_argument,
                "tool '" + tool.name + "': parameters must be a JSON Schema object");
  tools_.push_back(std::move(tool));
  return {};
}

const Tool* Registry::find(std::string_view name) const {
  for (const Tool& tool : tools_)
    if (tool.name == name) return &tool;
  return nullptr;
}

std::vector<ToolSpec> Registry::specs() const {
  std::vector<ToolSpec> out;
  out.reserve(tools_.size());
  for (const Tool& tool : tools_)
    out.push_back(
        {.name = tool.name, .description = tool.description, .parameters = tool.parameters});
  return out;
}

Result<std::string> Registry::invoke(const ToolCall& call) const {
  const Tool* tool = find(call.name);
  if (tool == nullptr) {
    std::string known;
    for (const Tool& t : tools_) known += (known.empty() ? "" : ", ") + t.name;
    return fail(ErrorKind::invalid_argument,
                "unknown tool '" + call.name + "' (available: " + known + ")");
  }
  if (auto problems = check_arguments(tool->parameters, call.arguments); !problems.empty())
    return fail(ErrorKind::validation, join(problems));
  // Handlers are user code: an exception must not cross into the loop (errors are values).
  try {
    return tool->handler(Args(call.arguments));
  } catch (const std::exception& e) {
    return fail(ErrorKind::internal, "tool '" + call.name + "' threw: " + e.what());
  }
}

void run_calls(const Registry& tools, const std::string& content, std::vector<ToolCall> calls,
               int step, std::vector<Message>& messages, std::vector<ToolRun>& runs) {
  for (std::size_t i = 0; i < calls.size(); ++i) {
    if (calls[i].id.empty()) calls[i].id = "call_" + std::to_string(step) + "_" + std::to_string(i);
  }
  messages.push_back(Message::assistant(content, calls));
  for (const ToolCall& call : calls) {
    auto result = tools.invoke(call);
    ToolRun run{.call = call, .result = {}, .ok = result.has_value()};
    // The model sees a failed call as text it can act on (fix the arguments, pick a tool).
    run.result = result ? std::move(*result) : "error: " + result.error().message;
    messages.push_back(Message::tool_result(call.id, call.name, run.result));
    runs.push_back(std::move(run));
  }
}

}  // namespace llmwire::tools
