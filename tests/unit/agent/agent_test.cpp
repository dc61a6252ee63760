// Extraction and the tool-call loop against the loopback server, with constructed replies:
// malformed JSON, a structured tool call, and a tool call returned as raw Gemma 4 text.

#include <doctest/doctest.h>

#include <chrono>

#include "llmwire/client.hpp"
#include "llmwire/extract.hpp"
#include "llmwire/tools.hpp"
#include "llmwire_sim/loopback_server.hpp"

using namespace std::chrono_literals;
using llmwire::ChatRequest;
using llmwire::Client;
using llmwire::ClientOptions;
using llmwire::ErrorKind;
using llmwire::Message;
using llmwire::Role;
using llmwire::ToolCallOrigin;
using llmwire::sim::LoopbackServer;
using llmwire::sim::ScriptedReply;
using nlohmann::json;
namespace ex = llmwire::extract;
namespace tl_ = llmwire::tools;

namespace {

std::string chunk(const json& delta, const json& finish = nullptr) {
  return json{{"id", "c1"},
              {"object", "chat.completion.chunk"},
              {"model", "m"},
              {"choices", {{{"index", 0}, {"delta", delta}, {"finish_reason", finish}}}}}
      .dump();
}

/// A reply whose content arrives in 7-byte pieces, as tokens would.
ScriptedReply content_reply(const std::string& text) {
  std::vector<std::string> out{chunk({{"role", "assistant"}, {"content", ""}})};
  for (std::size_t i = 0; i < text.size(); i += 7)
    out.push_back(chunk({{"content", text.substr(i, 7)}}));
  out.push_back(chunk(json::object(), "stop"));
  out.push_back("[DONE]");
  return ScriptedReply::sse(out);
}

/// A reply with one structured (server-parsed) tool call, arguments split in two fragments.
ScriptedReply tool_call_reply(const std::string& id, const std::string& name, const json& args) {
  const std::string text = args.dump();
  const std::size_t half = text.size() / 2;
  return ScriptedReply::sse(
      {chunk({{"role", "assistant"},
              {"tool_calls",
               {{{"index", 0},
                 {"id", id},
                 {"type", "function"},
                 {"function", {{"name", name}, {"arguments", text.substr(0, half)}}}}}}}),
       chunk({{"tool_calls", {{{"index", 0}, {"function", {{"arguments", text.substr(half)}}}}}}}),
       chunk(json::object(), "tool_calls"), "[DONE]"});
}

ClientOptions options_for(const LoopbackServer& server) {
  return ClientOptions{.endpoints = {server.base_url()},
                       .connect_timeout = 2000ms,
                       .first_byte_timeout = 5000ms,
                       .idle_timeout = 5000ms,
                       .max_retries = 0};
}

json body_of(const LoopbackServer& server, std::size_t i) {
  return json::parse(server.requests().at(i).body);
}

struct Person {
  std::string name;
};
struct Entities {
  std::vector<Person> persons;
  std::vector<std::string> places;
};

ex::Schema<Entities> entities_schema() {
  ex::Schema<Person> person("person");
  person.field("name", &Person::name, "The person's name");
  ex::Schema<Entities> schema("entities", "People and places mentioned");
  schema.field("persons", &Entities::persons, "Every person mentioned", person)
      .field("places", &Entities::places, "Every place mentioned");
  return schema;
}

tl_::Registry seed_tools(std::vector<std::string>* log) {
  tl_::Registry tools;
  auto object = [](const char* property) {
    return json{{"type", "object"},
                {"properties", {{property, {{"type", "string"}}}}},
                {"required", {property}}};
  };
  auto add = [&](const char* name, const char* property) {
    REQUIRE(tools.add(
        {.name = name,
         .description = std::string("the seeds' ") + name,
         .parameters = object(property),
         .handler = [log, name, property](const tl_::Args& args) -> llmwire::Result<std::string> {
           auto value = args.get<std::string>(property);
           if (!value) return tl::unexpected(value.error());
           log->push_back(std::string(name) + ":" + *value);
           return std::string(name) + " result for " + *value;
         }}));
  };
  add("web_search", "query");
  add("search_memory", "query");
  add("get_entity_details", "name");
  return tools;
}

}  // namespace

TEST_CASE("extraction: malformed JSON from the model is repaired and typed") {
  LoopbackServer server;
  REQUIRE(server.start());
  // Fenced, a dropped quote before a colon (the seeds' bug), a trailing comma.
  server.enqueue(content_reply(
      "```json\n{\"persons\": [{\"name\": \"Priya\"}, {\"name\": \"Arun\"},], \"places: "
      "[\"Bangalore\", \"Hubli\"]}\n```"));
  Client client(options_for(server));
  auto found =
      ex::extract(client, entities_schema(), "Priya and Arun went from Bangalore to Hubli.",
                  {.model = "google/gemma-4-26B-A4B-it"});
  REQUIRE_MESSAGE(found, (found ? "" : found.error().message));
  REQUIRE(found->persons.size() == 2);
  CHECK(found->persons[1].name == "Arun");
  CHECK(found->places == std::vector<std::string>{"Bangalore", "Hubli"});
  json body = body_of(server, 0);
  CHECK(body["response_format"]["type"] == "json_schema");
  CHECK(body["response_format"]["json_schema"]["schema"] == entities_schema().json_schema());
  CHECK(body["messages"][1]["content"] == "Priya and Arun went from Bangalore to Hubli.");
}

TEST_CASE("extraction: an invalid reply is corrected in a second call; then gives up") {
  LoopbackServer server;
  REQUIRE(server.start());
  server.enqueue(content_reply(R"({"persons": [{"name": 7}]})"));
  server.enqueue(content_reply(R"({"persons": [{"name": "Mom"}], "places": []})"));
  Client client(options_for(server));
  auto found = ex::extract(client, entities_schema(), "Mom called.",
                           {.model = "m", .mode = ex::SchemaMode::prompt});
  REQUIRE(found);
  CHECK(found->persons.at(0).name == "Mom");
  REQUIRE(server.request_count() == 2);
  json second = body_of(server, 1);
  CHECK_FALSE(second.contains("response_format"));  // prompt mode
  const auto& msgs = second["messages"];
  REQUIRE(msgs.size() == 4);
  CHECK(msgs[2]["role"] == "assistant");
  const std::string correction = msgs[3]["content"];
  CHECK(correction.find("missing: places") != std::string::npos);
  CHECK(correction.find("persons[0].name (expected string, got number)") != std::string::npos);

  server.enqueue(content_reply("Sorry, I can't."));
  server.enqueue(content_reply(R"({"persons": []})"));
  auto failed = ex::extract(client, entities_schema(), "x", {.model = "m"});
  REQUIRE_FALSE(failed);
  CHECK(failed.error().kind == ErrorKind::validation);
  CHECK(failed.error().message == "after 2 attempt(s): missing: places");
}

TEST_CASE("tool loop: a structured call runs its handler and the result goes back") {
  LoopbackServer server;
  REQUIRE(server.start());
  server.enqueue(tool_call_reply("call_x", "web_search", {{"query", "vLLM NVFP4"}}));
  server.enqueue(content_reply("NVFP4 checkpoints exist."));
  Client client(options_for(server));
  std::vector<std::string> log;
  auto tools = seed_tools(&log);
  auto run = tl_::run_loop(client, {.model = "m", .messages = {Message::user("Search it")}}, tools);
  REQUIRE_MESSAGE(run, (run ? "" : run.error().message));
  CHECK(run->steps == 2);
  CHECK(run->final.content == "NVFP4 checkpoints exist.");
  CHECK(log == std::vector<std::string>{"web_search:vLLM NVFP4"});
  REQUIRE(run->runs.size() == 1);
  CHECK(run->runs[0].ok);
  json first = body_of(server, 0);
  CHECK(first["tools"].size() == 3);
  json second = body_of(server, 1);
  const auto& msgs = second["messages"];
  REQUIRE(msgs.size() == 3);
  CHECK(msgs[1]["tool_calls"][0]["id"] == "call_x");
  CHECK(msgs[2]["role"] == "tool");
  CHECK(msgs[2]["tool_call_id"] == "call_x");
  CHECK(msgs[2]["content"] == "web_search result for vLLM NVFP4");
}

TEST_CASE("tool loop: a tool call in raw Gemma 4 text is recovered and run") {
  LoopbackServer server;
  REQUIRE(server.start());
  server.enqueue(
      content_reply("<|tool_call>call:get_entity_details{name:<|\"|>Arun<|\"|>}<tool_call|>"));
  server.enqueue(content_reply("Arun is Priya's colleague."));
  Client client(options_for(server));
  std::vector<std::string> log;
  auto tools = seed_tools(&log);
  auto run = tl_::run_loop(
      client,
      {.model = "google/gemma-4-26B-A4B-it", .messages = {Message::user("Tell me about Arun")}},
      tools);
  REQUIRE_MESSAGE(run, (run ? "" : run.error().message));
  CHECK(log == std::vector<std::string>{"get_entity_details:Arun"});
  REQUIRE(run->runs.size() == 1);
  CHECK(run->runs[0].call.origin == ToolCallOrigin::recovered);
  CHECK(run->runs[0].call.id == "call_1_0");  // recovered calls get an id the result can cite
  json second = body_of(server, 1);
  const auto& msgs = second["messages"];
  REQUIRE(msgs.size() == 3);
  CHECK(msgs[1]["tool_calls"][0]["id"] == "call_1_0");
  CHECK(msgs[2]["tool_call_id"] == "call_1_0");
  CHECK(run->final.content == "Arun is Priya's colleague.");
}

TEST_CASE("tool loop: bad arguments reach the model as an error, and steps are bounded") {
  LoopbackServer server;
  REQUIRE(server.start());
  server.set_default(tool_call_reply("call_q", "search_memory", {{"query", 42}}));
  Client client(options_for(server));
  std::vector<std::string> log;
  auto tools = seed_tools(&log);
  auto run = tl_::run_loop(client, {.model = "m", .messages = {Message::user("?")}}, tools,
                           {.max_steps = 3});
  REQUIRE(run);
  CHECK(run->steps == 3);
  CHECK(run->step_limit_reached);
  CHECK(server.request_count() == 3);
  CHECK(log.empty());  // the handler never saw the mistyped argument
  REQUIRE(run->runs.size() == 2);
  CHECK_FALSE(run->runs[0].ok);
  CHECK(run->runs[0].result == "error: argument 'query': expected string, got number");
  CHECK(body_of(server, 1)["messages"][2]["content"] == run->runs[0].result);
}

TEST_CASE("registry and typed arguments") {
  std::vector<std::string> log;
  auto tools = seed_tools(&log);
  CHECK(tools.size() == 3);
  auto dup = tools.add({.name = "web_search", .handler = [](const tl_::Args&) {
                          return llmwire::Result<std::string>(std::string());
                        }});
  REQUIRE_FALSE(dup);
  CHECK(dup.error().kind == ErrorKind::invalid_argument);
  auto unknown = tools.invoke({.name = "nope"});
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().message.find("available: web_search") != std::string::npos);
  auto missing = tools.invoke({.name = "web_search", .arguments = json::object()});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind == ErrorKind::validation);
  CHECK(missing.error().message == "missing argument 'query'");

  json args = {{"n", 3.0}, {"s", "x"}, {"f", 1.5}};
  tl_::Args a(args);
  CHECK(*a.get<int>("n") == 3);
  CHECK(*a.get<double>("f") == 1.5);
  CHECK(a.get<int>("f").error().message == "argument 'f': expected integer, got number");
  // Integers are range-checked against the handler's type, never truncated or wrapped.
  json big = {{"i", 5000000000LL}, {"neg", -1}, {"huge", 1e30}, {"whole", 1e15}};
  tl_::Args b(big);
  CHECK(*b.get<std::int64_t>("i") == 5000000000LL);
  CHECK(b.get<int>("i").error().message == "argument 'i': 5000000000 is out of range");
  CHECK(b.get<unsigned>("neg").error().kind == ErrorKind::validation);
  CHECK(*b.get<int>("neg") == -1);
  CHECK(b.get<std::int64_t>("huge").error().kind == ErrorKind::validation);
  CHECK(*b.get<std::int64_t>("whole") == 1000000000000000LL);
  CHECK(b.get<int>("whole").error().kind == ErrorKind::validation);
  // The schema check agrees: 1e30 is a whole number (JSON Schema "integer"), 1.5 is not.
  json int_schema = {{"type", "object"}, {"properties", {{"n", {{"type", "integer"}}}}}};
  CHECK(tl_::check_arguments(int_schema, json{{"n", 1e30}}).empty());
  CHECK(tl_::check_arguments(int_schema, json{{"n", 1.5}}).size() == 1);
  CHECK(a.get<bool>("s").error().kind == ErrorKind::validation);
  CHECK(*a.get_or<int>("absent", 9) == 9);
  CHECK(a.get<std::string>("absent").error().message == "missing argument 'absent'");
}

TEST_CASE("through the Client, the model's profile decides media: audio refused, BMP sent as PNG") {
  LoopbackServer server;
  REQUIRE(server.start());
  server.set_default(content_reply("ok"));
  Client client(options_for(server));
  // A RIFF/WAVE header is enough for the refusal: nothing is decoded.
  const std::vector<std::uint8_t> wav = {'R', 'I', 'F', 'F', 4, 0, 0, 0, 'W', 'A', 'V', 'E'};
  ChatRequest with_audio{.model = "google/gemma-4-26B-A4B-it", .messages = {Message::user("?")}};
  with_audio.messages[0].parts.push_back(
      {.type = llmwire::ContentPart::Type::audio, .bytes = wav, .media_type = "audio/wav"});
  auto refused = client.chat(with_audio);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind == ErrorKind::unsupported);
  CHECK(server.request_count() == 0);  // refused before any request

  // A 1x1 24-bit BMP (blue pixel): the gemma4 profile converts it to PNG.
  const std::vector<std::uint8_t> bmp = {'B', 'M', 58, 0, 0, 0, 0, 0, 0, 0,   54, 0, 0, 0,  40,
                                         0,   0,   0,  1, 0, 0, 0, 1, 0, 0,   0,  1, 0, 24, 0,
                                         0,   0,   0,  0, 4, 0, 0, 0, 0, 0,   0,  0, 0, 0,  0,
                                         0,   0,   0,  0, 0, 0, 0, 0, 0, 255, 0,  0, 0};
  ChatRequest with_image{.model = "google/gemma-4-26B-A4B-it", .messages = {Message::user("?")}};
  with_image.messages[0].parts.push_back(
      {.type = llmwire::ContentPart::Type::image, .bytes = bmp, .media_type = "image/bmp"});
  auto sent = client.chat(with_image);
  REQUIRE_MESSAGE(sent, (sent ? "" : sent.error().message));
  REQUIRE(server.request_count() == 1);
  const std::string url = body_of(server, 0)["messages"][0]["content"][1]["image_url"]["url"];
  CHECK(url.rfind("data:image/png;base64,iVBORw0KGgo", 0) == 0);  // PNG signature, base64
}
