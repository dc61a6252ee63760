// LLMWIRE_EXAMPLE_NEEDS_CLIENT
// The tool-call loop with the seeds' three tools: web_search, search_memory and
// get_entity_details. Calls come structured from the server or, when the server left them in
// raw text (Gemma 4 without --tool-call-parser), recovered by the model's profile.
//
//     example_tool_loop [BASE_URL] [MODEL] [openai|ollama] [QUESTION]
//     example_tool_loop http://127.0.0.1:8000 google/gemma-4-26B-A4B-it openai "Tell me about Arun"

#include <cstdio>
#include <map>
#include <string>

#include "llmwire/client.hpp"
#include "llmwire/tools.hpp"

namespace {

nlohmann::json one_string(const char* name, const char* description) {
  return {{"type", "object"},
          {"properties", {{name, {{"type", "string"}, {"description", description}}}}},
          {"required", {name}}};
}

/// A stand-in memory: a real host app would query its own store here.
const std::map<std::string, std::string> people = {
    {"Arun", "Arun: Priya's brother, works in Hubli, manager is Meera."},
    {"Priya", "Priya: friend from Bangalore, leads the product launch."},
};

}  // namespace

int main(int argc, char** argv) {
  const std::string url = argc > 1 ? argv[1] : "http://127.0.0.1:8000";
  const std::string model = argc > 2 ? argv[2] : "google/gemma-4-26B-A4B-it";
  const bool ollama = argc > 3 && std::string(argv[3]) == "ollama";
  const std::string question = argc > 4 ? argv[4] : "Tell me about Arun";

  llmwire::tools::Registry tools;
  auto check = [](llmwire::Result<void> added) {
    if (!added) std::fprintf(stderr, "cannot add tool: %s\n", added.error().message.c_str());
  };
  check(tools.add({.name = "web_search",
                   .description = "Search the web for current information",
                   .parameters = one_string("query", "What to search for"),
                   .handler = [](const llmwire::tools::Args& args) -> llmwire::Result<std::string> {
                     auto query = args.get<std::string>("query");
                     if (!query) return tl::unexpected(query.error());
                     return "No live web access in this example; searched for: " + *query;
                   }}));
  check(tools.add({.name = "search_memory",
                   .description = "Search past conversations for what someone said",
                   .parameters = one_string("query", "Words to look for"),
                   .handler = [](const llmwire::tools::Args& args) -> llmwire::Result<std::string> {
                     auto query = args.get<std::string>("query");
                     if (!query) return tl::unexpected(query.error());
                     return "Priya said the product launch moves to March (matched '" + *query +
                            "').";
                   }}));
  check(tools.add({.name = "get_entity_details",
                   .description = "Look up what is known about a person or place by name",
                   .parameters = one_string("name", "The person's or place's name"),
                   .handler = [](const llmwire::tools::Args& args) -> llmwire::Result<std::string> {
                     auto name = args.get<std::string>("name");
                     if (!name) return tl::unexpected(name.error());
                     auto it = people.find(*name);
                     return it != people.end() ? it->second : "Nothing known about " + *name + ".";
                   }}));

  llmwire::Client client(
      {.endpoints = {url}, .api = ollama ? llmwire::Dialect::ollama : llmwire::Dialect::openai});
  llmwire::ChatRequest request{
      .model = model,
      .messages = {llmwire::Message::system("Use the tools to answer. Be brief."),
                   llmwire::Message::user(question)},
      .max_tokens = 512,
  };
  auto run = llmwire::tools::run_loop(client, request, tools, {.max_steps = 4});
  if (!run) {
    std::fprintf(stderr, "error (%s): %s\n",
                 std::string(llmwire::to_string(run.error().kind)).c_str(),
                 run.error().message.c_str());
    return 1;
  }
  for (const auto& r : run->runs) {
    std::printf("tool %s%s %s -> %s\n", r.call.name.c_str(),
                r.call.origin == llmwire::ToolCallOrigin::recovered ? " (recovered from text)" : "",
                r.call.arguments.dump().c_str(), r.result.c_str());
  }
  std::printf("answer after %d model call(s)%s:\n%s\n", run->steps,
              run->step_limit_reached ? " (step limit reached)" : "",
              run->final.content.value_or("").c_str());
  return 0;
}
