// ResponseDecoder on arbitrary bytes, both dialects: never crashes, and the aggregate does not
// depend on how the body is split into reads. First byte: bit 0 = dialect, the rest = read size.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "llmwire/result_json.hpp"
#include "llmwire/stream.hpp"

namespace {

// Every event must serialize; checking that on one of the two passes is enough (it is most of
// an input's cost under ASan), so the split pass only decodes.
std::string aggregate_of(std::string_view body, llmwire::Dialect dialect, std::size_t chunk,
                         bool serialize_events) {
  llmwire::ResponseDecoder decoder(dialect);
  llmwire::EventSink sink = [serialize_events](const llmwire::Event& e) {
    if (serialize_events) (void)llmwire::dump_json(llmwire::to_json(e));
    return true;
  };
  for (std::size_t at = 0; at < body.size(); at += chunk)
    decoder.feed(body.substr(at, chunk), sink);
  decoder.finish(sink);
  return llmwire::dump_json(llmwire::to_json(decoder.result()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  auto dialect = (data[0] & 1) != 0 ? llmwire::Dialect::ollama : llmwire::Dialect::openai;
  std::size_t chunk = (data[0] >> 1) % 16 + 1;
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  if (aggregate_of(body, dialect, chunk, false) !=
      aggregate_of(body, dialect, body.size() + 1, true)) {
    std::abort();
  }
  return 0;
}
