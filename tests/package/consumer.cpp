// Proves an installed llmwire is usable: headers found, library linked, code runs.
#include <cstdio>
#include <llmwire/llmwire.hpp>
#include <string>

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
  return 0;
}
