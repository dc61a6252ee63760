// inspect_server(): asks a server what it is, through the Client's metadata calls (so the key,
// TLS, proxy and timeouts apply), and reads the answers with server_info.hpp's parsers.

#include "llmwire/client.hpp"
#include "llmwire/json_parse.hpp"
#include "llmwire/server_info.hpp"

namespace llmwire {
namespace {

struct Asker {
  Client& client;
  const InspectOptions& options;
  ServerInfo& info;

  // A 2xx body, or nullopt with a note. A transport error is returned for the caller to decide.
  Result<std::optional<std::string>> get(std::string_view path) {
    auto response = client.get(path, options.fetch);
    return settle(path, std::move(response));
  }

  Result<std::optional<std::string>> post(std::string_view path, const nlohmann::json& body) {
    auto response = client.post_json(path, body, options.fetch);
    return settle(path, std::move(response));
  }

  Result<std::optional<std::string>> settle(std::string_view path, Result<HttpResponse> response) {
    if (!response) return tl::unexpected(response.error());
    if (info.url.empty()) info.url = response->url.substr(0, response->url.size() - path.size());
    if (response->status < 200 || response->status >= 300) {
      note(path, "HTTP " + std::to_string(response->status));
      return std::optional<std::string>();
    }
    return std::optional<std::string>(std::move(response->body));
  }

  // A later call failing at the transport level is only a note: the server answered before.
  std::optional<std::string> body_or_note(std::string_view path) {
    auto body = get(path);
    if (!body) {
      note(path, body.error().message);
      return std::nullopt;
    }
    return std::move(*body);
  }

  void note(std::string_view path, const std::string& what) {
    info.notes.push_back(std::string(path) + ": " + what);
  }

  void set_context(std::int64_t tokens, std::string source) {
    if (info.context_length) return;  // the first source (the most specific) wins
    info.context_length = tokens;
    info.context_source = std::move(source);
  }

  void read_models(const std::string& body) {
    auto models = parse_models_list(body);
    if (!models) {
      note("/v1/models", models.error().message);
      return;
    }
    info.models = std::move(*models);
    for (const auto& m : info.models) {
      const bool wanted = options.model.empty() ? info.models.size() == 1 : m.id == options.model;
      if (wanted && m.context_length) set_context(*m.context_length, "/v1/models");
    }
  }

  void read_version(std::string_view path) {
    if (auto body = body_or_note(path)) {
      if (auto version = parse_version_body(*body)) {
        info.version = *version;
      } else {
        note(path, version.error().message);
      }
    }
  }

  void read_props() {
    if (auto body = body_or_note("/props")) {
      if (auto props = parse_llama_props(*body)) {
        if (info.version.empty()) info.version = props->build_info;
        if (props->context_per_slot) set_context(*props->context_per_slot, "/props n_ctx");
        info.llama_props = std::move(*props);
      } else {
        note("/props", props.error().message);
      }
    }
  }

  // SGLang renamed /get_server_info to /server_info; the old name is asked only when the
  // new one is not found, and only a failure of both is noted.
  void read_sglang_info() {
    std::string asked = "/server_info";
    auto response = client.get(asked, options.fetch);
    if (response && response->status == 404) {
      asked = "/get_server_info";
      response = client.get(asked, options.fetch);
    }
    if (!response) return note(asked, response.error().message);
    auto body = settle(asked, std::move(response));
    if (!body || !*body) return;
    auto parsed = parse_sglang_server_info(**body);
    if (!parsed) return note(asked, parsed.error().message);
    if (info.version.empty()) info.version = parsed->version;
    if (parsed->context_length) set_context(*parsed->context_length, asked + " context_length");
    info.sglang = std::move(*parsed);
  }

  void read_ollama_ps() {
    if (auto body = body_or_note("/api/ps")) {
      if (auto loaded = parse_ollama_ps(*body)) {
        info.ollama_loaded = std::move(*loaded);
        for (const auto& m : info.ollama_loaded) {
          const bool wanted =
              options.model.empty() ? info.ollama_loaded.size() == 1 : m.name == options.model;
          if (wanted && m.context_length) set_context(*m.context_length, "/api/ps context_length");
        }
      } else {
        note("/api/ps", loaded.error().message);
      }
    }
  }

  void read_metrics() {
    if (!options.metrics) return;
    if (auto body = body_or_note("/metrics")) {
      if (auto metrics = parse_prometheus(*body)) {
        info.metrics = std::move(*metrics);
      } else {
        note("/metrics", metrics.error().message);
      }
    }
  }

  void read_health() {
    auto response = client.get("/health", options.fetch);
    if (!response) {
      note("/health", response.error().message);
      return;
    }
    info.healthy = response->status >= 200 && response->status < 300;
    if (!*info.healthy) note("/health", "HTTP " + std::to_string(response->status));
  }
};

ServerKind kind_from_owner(const std::vector<ServedModel>& models) {
  for (const auto& m : models) {
    if (m.owned_by == "vllm") return ServerKind::vllm;
    if (m.owned_by == "sglang") return ServerKind::sglang;
    if (m.owned_by == "llamacpp") return ServerKind::llama_server;
    if (m.owned_by == "llmwire-sim") return ServerKind::simulator;
    if (m.owned_by == "library" || m.owned_by == "ollama") return ServerKind::ollama;
  }
  return ServerKind::unknown;
}

}  // namespace

Result<ServerInfo> inspect_server(Client& client, const InspectOptions& options) {
  ServerInfo info;
  Asker ask{client, options, info};
  if (client.options().api == Dialect::ollama) {
    auto version = ask.get("/api/version");
    if (!version) return tl::unexpected(version.error());
    info.kind = ServerKind::ollama;
    if (*version) {
      if (auto v = parse_version_body(**version)) info.version = *v;
    }
    ask.read_ollama_ps();
    if (!info.context_length && !options.model.empty()) {
      // Not loaded yet: the model's own default context from /api/show.
      auto shown = ask.post("/api/show", {{"model", options.model}});
      if (shown && *shown) {
        auto doc = json::parse(**shown);
        if (doc && doc->is_object() && doc->contains("model_info") &&
            (*doc)["model_info"].is_object()) {
          for (const auto& [key, value] : (*doc)["model_info"].items()) {
            if (key.ends_with(".context_length") && value.is_number_integer() &&
                value.get<std::int64_t>() > 0)
              ask.set_context(value.get<std::int64_t>(), "/api/show " + key);
          }
        }
      }
    }
    return info;
  }
  auto models = ask.get("/v1/models");
  if (!models) return tl::unexpected(models.error());
  if (*models) ask.read_models(**models);
  info.kind = kind_from_owner(info.models);
  switch (info.kind) {
    case ServerKind::vllm:
      ask.read_version("/version");
      ask.read_metrics();
      ask.read_health();
      break;
    case ServerKind::llama_server:
      ask.read_props();
      ask.read_metrics();
      ask.read_health();
      break;
    case ServerKind::sglang:
      ask.read_sglang_info();
      ask.read_metrics();
      ask.read_health();
      break;
    case ServerKind::ollama:
      ask.read_version("/api/version");
      ask.read_ollama_ps();
      break;
    case ServerKind::simulator: ask.read_health(); break;
    case ServerKind::unknown:
      // No owner said who serves: llama-server answers /props, vLLM /version.
      ask.read_props();
      if (info.llama_props) {
        info.kind = ServerKind::llama_server;
        ask.read_metrics();
      } else {
        ask.read_version("/version");
        if (!info.version.empty()) info.kind = ServerKind::vllm;
      }
      ask.read_health();
      break;
  }
  return info;
}

}  // namespace llmwire
