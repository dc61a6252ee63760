// apply_profile: the thinking toggle per API, explicit sending where the server's default is
// wrong for the model, request edits and capability checks.

#include <doctest/doctest.h>

#include "llmwire/profile.hpp"

using llmwire::ApiFlavor;
using llmwire::ChatRequest;
using llmwire::ErrorKind;
using llmwire::Thinking;

namespace {

const llmwire::Profile& profile(const char* name) {
  static const llmwire::ProfileSet set = llmwire::ProfileSet::builtin();
  const auto* p = set.by_name(name);
  REQUIRE(p != nullptr);
  return *p;
}

nlohmann::json applied(ChatRequest request, ApiFlavor flavor, const char* name,
                       nlohmann::json body = nlohmann::json::object()) {
  auto ok = llmwire::apply_profile(body, request, flavor, profile(name));
  REQUIRE(ok);
  return body;
}

}  // namespace

TEST_CASE("vLLM / SGLang / llama-server get chat_template_kwargs.enable_thinking") {
  ChatRequest request{.model = "nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-NVFP4",
                      .thinking = Thinking::off};
  auto body = applied(request, ApiFlavor::openai_compatible, "nemotron3",
                      {{"chat_template_kwargs", {{"other", 1}}}});
  CHECK(body["chat_template_kwargs"] == nlohmann::json({{"other", 1}, {"enable_thinking", false}}));
  request.thinking = Thinking::high;
  CHECK(applied(request, ApiFlavor::openai_compatible,
                "nemotron3")["chat_template_kwargs"]["enable_thinking"] == true);
  request.thinking = Thinking::server_default;
  CHECK_FALSE(
      applied(request, ApiFlavor::openai_compatible, "nemotron3").contains("chat_template_kwargs"));
}

TEST_CASE("Ollama native gets think; Gemma 4 always sends it explicitly") {
  ChatRequest request{.model = "gemma4:26b"};
  // The seeds: Gemma 4 on Ollama thinks unless told not to and burns num_predict, so the
  // server default is replaced by the template's default (off).
  CHECK(applied(request, ApiFlavor::ollama_native, "gemma4")["think"] == false);
  // Other models leave server_default alone.
  CHECK_FALSE(applied(request, ApiFlavor::ollama_native, "qwen3").contains("think"));
  request.thinking = Thinking::on;
  CHECK(applied(request, ApiFlavor::ollama_native, "gemma4")["think"] == true);
  // A level becomes true for a model without levels, and stays a level for one with them.
  request.thinking = Thinking::low;
  CHECK(applied(request, ApiFlavor::ollama_native, "gemma4")["think"] == true);
  CHECK(applied(request, ApiFlavor::ollama_native, "generic")["think"] == "low");
}

TEST_CASE("Ollama /v1 gets reasoning_effort") {
  ChatRequest request{.model = "qwen3:8b", .thinking = Thinking::off};
  CHECK(applied(request, ApiFlavor::ollama_openai, "qwen3")["reasoning_effort"] == "none");
  request.thinking = Thinking::high;
  CHECK(applied(request, ApiFlavor::ollama_openai, "qwen3")["reasoning_effort"] == "high");
  request.thinking = Thinking::on;
  CHECK(applied(request, ApiFlavor::ollama_openai, "qwen3")["reasoning_effort"] == "medium");
}

TEST_CASE("request edits and stop strings go where each API reads them") {
  ChatRequest request{.model = "gemma4:26b", .thinking = Thinking::on};
  auto openai = applied(request, ApiFlavor::openai_compatible, "gemma4", {{"stop", "END"}});
  CHECK(openai["skip_special_tokens"] == false);
  CHECK(openai["stop"] == nlohmann::json({"END", "<|tool_response>"}));
  CHECK(openai["chat_template_kwargs"]["enable_thinking"] == true);
  auto ollama =
      applied(request, ApiFlavor::ollama_native, "gemma4", {{"options", {{"num_predict", 5}}}});
  CHECK_FALSE(ollama.contains("skip_special_tokens"));  // a vLLM-only knob
  CHECK(ollama["options"] == nlohmann::json({{"num_predict", 5}, {"stop", {"<|tool_response>"}}}));
  // Applying twice does not duplicate stops.
  auto twice = openai;
  REQUIRE(llmwire::apply_profile(twice, request, ApiFlavor::openai_compatible, profile("gemma4")));
  CHECK(twice["stop"] == openai["stop"]);
}

TEST_CASE("capabilities refuse what the model cannot take") {
  ChatRequest request{.model = "gemma4:26b"};
  llmwire::Message m = llmwire::Message::user("listen");
  m.parts.push_back(
      llmwire::ContentPart{.type = llmwire::ContentPart::Type::audio, .media_type = "audio/wav"});
  request.messages.push_back(m);
  nlohmann::json body = nlohmann::json::object();
  auto refused =
      llmwire::apply_profile(body, request, ApiFlavor::openai_compatible, profile("gemma4"));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind == ErrorKind::unsupported);
  CHECK(
      llmwire::apply_profile(body, request, ApiFlavor::openai_compatible, profile("gemma4-edge")));

  ChatRequest image{.model = "qwen3:8b"};
  llmwire::Message look = llmwire::Message::user("look");
  look.parts.push_back(
      llmwire::ContentPart{.type = llmwire::ContentPart::Type::image, .media_type = "image/png"});
  image.messages.push_back(look);
  auto no_vision = llmwire::apply_profile(body, image, ApiFlavor::ollama_native, profile("qwen3"));
  REQUIRE_FALSE(no_vision);
  CHECK(no_vision.error().kind == ErrorKind::unsupported);

  ChatRequest think{.model = "qwen3-coder:30b", .thinking = Thinking::on};
  auto no_thinking =
      llmwire::apply_profile(body, think, ApiFlavor::openai_compatible, profile("qwen3-coder"));
  REQUIRE_FALSE(no_thinking);
  CHECK(no_thinking.error().kind == ErrorKind::unsupported);
  think.thinking = Thinking::off;  // switching off what does not exist is fine and sends nothing
  nlohmann::json clean = nlohmann::json::object();
  REQUIRE(
      llmwire::apply_profile(clean, think, ApiFlavor::openai_compatible, profile("qwen3-coder")));
  CHECK_FALSE(clean.contains("chat_template_kwargs"));

  nlohmann::json not_object = nlohmann::json::array();
  auto bad =
      llmwire::apply_profile(not_object, think, ApiFlavor::openai_compatible, profile("generic"));
  REQUIRE_FALSE(bad);
  CHECK(bad.error().kind == ErrorKind::invalid_argument);
}

TEST_CASE("parser_options_for passes thinking and tools through") {
  ChatRequest request{.model = "qwen3:8b", .tools = {llmwire::ToolSpec{.name = "f"}}};
  auto options = llmwire::parser_options_for(request, profile("qwen3"));
  CHECK(options.thinking == Thinking::server_default);
  REQUIRE(options.tools.size() == 1);
  CHECK(options.tools[0].name == "f");
}
