// Asks the server how long the model's context is, so the long-context test can skip with a
// reason instead of failing with an HTTP 400. Plain GET/POST metadata calls, not chat traffic.

#include <httplib.h>

#include "bench/runner.hpp"
#include "llmwire/json_parse.hpp"

namespace llmwire::bench {
namespace {

std::optional<std::int64_t> as_tokens(const nlohmann::json& value) {
  if (value.is_number_integer() && value.get<std::int64_t>() > 0) return value.get<std::int64_t>();
  return std::nullopt;
}

}  // namespace

std::optional<std::int64_t> query_context_length(const Endpoint& endpoint) {
  // "http://host:port/v1" → scheme://host:port; the paths below are absolute.
  std::string base = endpoint.url;
  auto scheme_end = base.find("://");
  auto path_start = base.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  if (path_start != std::string::npos) base.resize(path_start);
  try {
    httplib::Client http(base);
    http.set_connection_timeout(5);
    http.set_read_timeout(10);
    if (endpoint.api == Dialect::ollama) {
      nlohmann::json body = {{"model", endpoint.model}};
      auto res = http.Post("/api/show", body.dump(), "application/json");
      if (!res || res->status != 200) return std::nullopt;
      auto doc = llmwire::json::parse(res->body).value_or(nlohmann::json());
      if (!doc.is_object() || !doc.contains("model_info") || !doc["model_info"].is_object())
        return std::nullopt;
      for (const auto& [key, value] : doc["model_info"].items()) {
        if (key.size() >= 15 && key.ends_with(".context_length")) return as_tokens(value);
      }
      return std::nullopt;
    }
    auto res = http.Get("/v1/models");
    if (!res || res->status != 200) return std::nullopt;
    auto doc = llmwire::json::parse(res->body).value_or(nlohmann::json());
    if (!doc.is_object() || !doc.contains("data") || !doc["data"].is_array()) return std::nullopt;
    for (const auto& model : doc["data"]) {
      if (!model.is_object()) continue;
      if (!endpoint.model.empty() && model.value("id", "") != endpoint.model &&
          doc["data"].size() > 1)
        continue;
      if (auto n = model.find("max_model_len"); n != model.end()) return as_tokens(*n);  // vLLM
      if (auto meta = model.find("meta");
          meta != model.end() && meta->is_object()) {  // llama-server
        if (auto n = meta->find("n_ctx"); n != meta->end()) return as_tokens(*n);
        if (auto n = meta->find("n_ctx_train"); n != meta->end()) return as_tokens(*n);
      }
    }
  } catch (const std::exception&) {
    // httplib can throw on a malformed URL; a context length we cannot learn is just unknown.
  }
  return std::nullopt;
}

}  // namespace llmwire::bench
