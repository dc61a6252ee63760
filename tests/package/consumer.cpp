// Proves an installed llmwire is usable: headers found, library linked, code runs, and the
// README's library example compiles through the umbrella header as written there.
#include <cstdio>
#include <iostream>
#include <llmwire/llmwire.hpp>
#include <string>

#ifdef LLMWIRE_HAS_CLIENT
// README.md, "Using the library", verbatim but for the endpoint: port 9 on loopback, where
// nothing listens, so the example's error branch runs.
static bool readme_example() {
  llmwire::Client client({.endpoints = {"http://127.0.0.1:9"}, .api = llmwire::Dialect::openai});
  auto result =
      client.stream({.model = "google/gemma-4-26B-A4B-it",
                     .messages = {llmwire::Message::user("Where is Hampi?")},
                     .max_tokens = 256,
                     .thinking = llmwire::Thinking::off},  // the gemma4 profile maps this per API
                    [](const llmwire::Event& e) {
                      if (auto* d = std::get_if<llmwire::ContentDelta>(&e))
                        std::cout << d->text << std::flush;
                      return true;  // false cancels
                    });
  if (!result)
    std::cerr << llmwire::to_string(result.error().kind) << ": " << result.error().message;
  std::cerr << "\n";
  return !result && result.error().kind == llmwire::ErrorKind::connect;
}
#endif

int main() {
  llmwire::ResponseDecoder decoder(llmwire::Dialect::openai);
  std::string body =
      "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hello\"}}]}\n\n"
      "data: [DONE]\n\n";
  decoder.feed(body, [](const llmwire::Event&) { return true; });
  decoder.finish([](const llmwire::Event&) { return true; });
  const auto& result = decoder.result();
  if (!result.done || result.content.value_or("") != "hello") {
    std::fprintf(stderr, "consumer: unexpected result\n");
    return 1;
  }
  std::printf("consumer: llmwire %s decoded '%s'\n", llmwire::version_string,
              result.content->c_str());
#ifdef LLMWIRE_HAS_CLIENT
  if (!readme_example()) {
    std::fprintf(stderr, "consumer: the README example did not report a connect error\n");
    return 1;
  }
#endif
  return 0;
}
