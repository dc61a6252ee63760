#include "llmwire/chat.hpp"

namespace llmwire {

std::string_view to_string(Role role) noexcept {
  switch (role) {
    case Role::system: return "system";
    case Role::user: return "user";
    case Role::assistant: return "assistant";
    case Role::tool: return "tool";
  }
  return "user";
}

ContentPart ContentPart::from_text(std::string text) {
  return ContentPart{.type = Type::text, .text = std::move(text), .bytes = {}, .media_type = {}};
}

Message Message::system(std::string text) {
  return Message{.role = Role::system, .content = std::move(text)};
}
Message Message::user(std::string text) {
  return Message{.role = Role::user, .content = std::move(text)};
}
Message Message::assistant(std::string text, std::vector<ToolCall> calls) {
  return Message{
      .role = Role::assistant, .content = std::move(text), .tool_calls = std::move(calls)};
}
Message Message::tool_result(std::string call_id, std::string tool_name, std::string content) {
  return Message{.role = Role::tool,
                 .content = std::move(content),
                 .tool_call_id = std::move(call_id),
                 .name = std::move(tool_name)};
}

}  // namespace llmwire
