// ChatRequest → request body (src/wire/request_encoding.cpp), per FORMATS.md §1–2 "Request".

#include <doctest/doctest.h>

#include "llmwire/request.hpp"

using namespace llmwire;
using nlohmann::json;

namespace {

ChatRequest full_request() {
  return ChatRequest{
      .model = "m",
      .messages = {Message::system("Be brief."), Message::user("Weather in Austin?"),
                   Message::assistant("", {ToolCall{.id = "call_1",
                                                    .name = "get_weather",
                                                    .arguments = {{"city", "Austin"}}}}),
                   Message::tool_result("call_1", "get_weather", "sunny")},
      .max_tokens = 64,
      .temperature = 0.2,
      .top_p = 0.9,
      .stop = {"</s>"},
      .tools = {ToolSpec{.name = "get_weather",
                         .description = "Current weather",
                         .parameters = {{"type", "object"}}}},
      .tool_choice = "auto",
      .response_format = {{"type", "json_schema"},
                          {"json_schema", {{"name", "w"}, {"schema", {{"type", "object"}}}}}},
  };
}

// A real 1x1 opaque RGB PNG: since images pass through the image policy (image.hpp), fake
// bytes would be refused as undecodable. An opaque PNG goes out unchanged.
constexpr std::string_view tiny_png(
    "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    "\x90\x77\x53\xde\x00\x00\x00\x0cIDAT\x78\x9c\x63\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9"
    "\xfe\x92\xef\x00\x00\x00\x00IEND\xae\x42\x60\x82",
    69);
constexpr const char* tiny_png_base64 =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";

ContentPart bytes_part(ContentPart::Type type, std::string_view bytes, std::string media_type) {
  return ContentPart{.type = type,
                     .text = {},
                     .bytes = std::vector<std::uint8_t>(bytes.begin(), bytes.end()),
                     .media_type = std::move(media_type)};
}

}  // namespace

TEST_CASE("OpenAI body: sampling, tools, tool calls and results, usage request") {
  auto body = encode_request(full_request(), Dialect::openai);
  REQUIRE(body);
  const json& b = *body;
  CHECK(b["model"] == "m");
  CHECK(b["stream"] == true);
  CHECK(b["stream_options"] == json{{"include_usage", true}});
  CHECK(b["max_tokens"] == 64);
  CHECK(b["max_completion_tokens"] == 64);
  CHECK(b["temperature"] == 0.2);
  CHECK(b["top_p"] == 0.9);
  CHECK(b["stop"] == json::array({"</s>"}));
  CHECK(b["tool_choice"] == "auto");
  CHECK(b["response_format"]["type"] == "json_schema");
  CHECK(b["tools"][0] == json::parse(R"({"type":"function","function":{"name":"get_weather",
        "description":"Current weather","parameters":{"type":"object"}}})"));
  REQUIRE(b["messages"].size() == 4);
  CHECK(b["messages"][0] == json{{"role", "system"}, {"content", "Be brief."}});
  const json& assistant = b["messages"][2];
  CHECK(assistant["content"].is_null());
  CHECK(assistant["tool_calls"][0]["id"] == "call_1");
  CHECK(assistant["tool_calls"][0]["type"] == "function");
  CHECK(assistant["tool_calls"][0]["function"]["name"] == "get_weather");
  // OpenAI carries arguments as JSON text.
  CHECK(assistant["tool_calls"][0]["function"]["arguments"] == R"({"city":"Austin"})");
  const json& tool = b["messages"][3];
  CHECK(tool["role"] == "tool");
  CHECK(tool["tool_call_id"] == "call_1");
  CHECK(tool["content"] == "sunny");
  CHECK_FALSE(b.contains("chat_template_kwargs"));
}

TEST_CASE("OpenAI body: images as data URIs, audio as input_audio") {
  ChatRequest request{.model = "m", .messages = {Message::user("What is this?")}};
  request.messages[0].parts.push_back(bytes_part(ContentPart::Type::image, tiny_png, "image/png"));
  request.messages[0].parts.push_back(bytes_part(ContentPart::Type::audio, "RIFFab", "audio/wav"));
  auto body = encode_request(request, Dialect::openai);
  REQUIRE(body);
  const json& content = (*body)["messages"][0]["content"];
  REQUIRE(content.size() == 3);
  CHECK(content[0] == json{{"type", "text"}, {"text", "What is this?"}});
  CHECK(content[1]["type"] == "image_url");
  CHECK(content[1]["image_url"]["url"] == std::string("data:image/png;base64,") + tiny_png_base64);
  CHECK(content[2]["type"] == "input_audio");
  CHECK(content[2]["input_audio"]["data"] == "UklGRmFi");
  CHECK(content[2]["input_audio"]["format"] == "wav");
}

TEST_CASE("OpenAI body: thinking toggle, no usage when not streaming, extra merged last") {
  ChatRequest request{.model = "m", .messages = {Message::user("hi")}, .thinking = Thinking::off};
  request.extra = {
      {"chat_template_kwargs", {{"foo", 1}}}, {"skip_special_tokens", false}, {"top_k", 20}};
  auto body = encode_request(request, Dialect::openai, {.stream = false});
  REQUIRE(body);
  CHECK((*body)["stream"] == false);
  CHECK_FALSE(body->contains("stream_options"));
  // Merge patch: nested objects merge rather than replace.
  CHECK((*body)["chat_template_kwargs"] == json{{"enable_thinking", false}, {"foo", 1}});
  CHECK((*body)["skip_special_tokens"] == false);
  CHECK((*body)["top_k"] == 20);

  request.thinking = Thinking::high;
  request.extra = {{"stream_options", nullptr}};  // null removes what llmwire would send
  body = encode_request(request, Dialect::openai);
  REQUIRE(body);
  CHECK((*body)["reasoning_effort"] == "high");
  CHECK_FALSE(body->contains("stream_options"));
}

TEST_CASE("Ollama body: options, raw base64 images, object arguments, think, format") {
  ChatRequest request = full_request();
  request.thinking = Thinking::off;
  request.messages[1].parts.push_back(bytes_part(ContentPart::Type::image, tiny_png, "image/png"));
  auto body = encode_request(request, Dialect::ollama);
  REQUIRE(body);
  const json& b = *body;
  CHECK(b["stream"] == true);
  CHECK_FALSE(b.contains("stream_options"));
  CHECK_FALSE(b.contains("max_tokens"));
  CHECK(b["options"] == json{{"num_predict", 64},
                             {"temperature", 0.2},
                             {"top_p", 0.9},
                             {"stop", json::array({"</s>"})}});
  CHECK(b["think"] == false);
  CHECK(b["format"] == json{{"type", "object"}});  // the schema out of response_format
  CHECK(b["messages"][1]["images"] == json::array({tiny_png_base64}));
  const json& call = b["messages"][2]["tool_calls"][0];
  CHECK(call["function"]["name"] == "get_weather");
  CHECK(call["function"]["arguments"] == json{{"city", "Austin"}});  // an object, not text
  CHECK(b["messages"][3]["tool_name"] == "get_weather");
  CHECK(b["tools"][0]["function"]["name"] == "get_weather");
  CHECK_FALSE(b.contains("tool_choice"));  // Ollama has none
}

TEST_CASE("Ollama body: json_object format, thinking levels, audio unsupported") {
  ChatRequest request{.model = "m",
                      .messages = {Message::user("hi")},
                      .response_format = {{"type", "json_object"}},
                      .thinking = Thinking::medium};
  auto body = encode_request(request, Dialect::ollama);
  REQUIRE(body);
  CHECK((*body)["format"] == "json");
  CHECK((*body)["think"] == "medium");
  CHECK_FALSE(body->contains("options"));

  request.messages[0].parts.push_back(bytes_part(ContentPart::Type::audio, "RIFF", "audio/wav"));
  auto audio = encode_request(request, Dialect::ollama);
  REQUIRE_FALSE(audio);
  CHECK(audio.error().kind == ErrorKind::unsupported);
}

TEST_CASE("Ollama body: text parts join the message's content with newlines") {
  ChatRequest request{.model = "m", .messages = {Message::user("")}};
  request.messages[0].parts.push_back(ContentPart::from_text("first"));
  request.messages[0].parts.push_back(ContentPart::from_text("second"));
  auto body = encode_request(request, Dialect::ollama);
  REQUIRE(body);
  CHECK((*body)["messages"][0]["content"] == "first\nsecond");  // no leading newline
  request.messages[0].content = "lead";
  body = encode_request(request, Dialect::ollama);
  REQUIRE(body);
  CHECK((*body)["messages"][0]["content"] == "lead\nfirst\nsecond");
}

TEST_CASE("invalid requests are errors, not exceptions") {
  CHECK(encode_request(ChatRequest{}, Dialect::openai).error().kind == ErrorKind::invalid_argument);
  CHECK(encode_request(ChatRequest{.model = "m"}, Dialect::openai).error().kind ==
        ErrorKind::invalid_argument);
  ChatRequest bad{.model = "m", .messages = {Message::user("x")}};
  bad.extra = json::array({1});
  CHECK(encode_request(bad, Dialect::openai).error().kind == ErrorKind::invalid_argument);
  ChatRequest empty_image{.model = "m", .messages = {Message::user("x")}};
  empty_image.messages[0].parts.push_back(ContentPart{.type = ContentPart::Type::image});
  CHECK(encode_request(empty_image, Dialect::openai).error().kind == ErrorKind::invalid_argument);
  // Invalid UTF-8 in tool arguments is replaced, never thrown.
  ChatRequest utf8{
      .model = "m",
      .messages = {Message::assistant("", {ToolCall{.name = "f", .arguments = {{"k", "\xff"}}}})}};
  auto body = encode_request(utf8, Dialect::openai);
  REQUIRE(body);
  CHECK((*body)["messages"][0]["tool_calls"][0]["id"] == "call_0");
}
