// What servers say about themselves (server_info.hpp): every parser takes any bytes and gives a
// value or an error, never a crash, and whatever it gives serialises. First byte: which parser.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "llmwire/server_info.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  llmwire::ServerInfo info;
  switch (data[0] % 7) {
    case 0:
      if (auto models = llmwire::parse_models_list(body)) info.models = std::move(*models);
      break;
    case 1:
      if (auto props = llmwire::parse_llama_props(body)) info.llama_props = std::move(*props);
      break;
    case 2:
      if (auto loaded = llmwire::parse_ollama_ps(body)) {
        for (const auto& m : *loaded) {
          const double cpu = m.cpu_fraction();
          if (!(cpu >= 0 && cpu <= 1)) std::abort();  // a share, whatever the sizes said
        }
        info.ollama_loaded = std::move(*loaded);
      }
      break;
    case 3:
      if (auto version = llmwire::parse_version_body(body)) {
        if (version->empty()) std::abort();  // an empty version is an error, not a value
        info.version = std::move(*version);
      }
      break;
    case 4:
      if (auto sglang = llmwire::parse_sglang_server_info(body)) {
        if (sglang->mem_fraction_static &&
            !(*sglang->mem_fraction_static > 0 && *sglang->mem_fraction_static <= 1))
          std::abort();
        info.sglang = std::move(*sglang);
      }
      break;
    case 5:
      if (auto metrics = llmwire::parse_prometheus(body)) {
        // Quantiles of whatever histograms the text declared, at the edges and inside.
        for (const auto& [family, type] : metrics->types) {
          if (type != "histogram") continue;
          for (double q : {0.0, 0.5, 0.99, 1.0}) (void)metrics->histogram_quantile(q, family);
          (void)metrics->histogram_count(family);
        }
        info.metrics = std::move(*metrics);
      }
      break;
    default: {
      const auto memory = llmwire::parse_vllm_log(body);
      if (memory.model_gib && !std::isfinite(*memory.model_gib)) std::abort();
      break;
    }
  }
  (void)llmwire::server_info_json(info, data[0] & 0x80 ? 2 : -1);
  return 0;
}
