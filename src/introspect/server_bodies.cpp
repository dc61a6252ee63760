// Parsers for what servers answer about themselves (see server_info.hpp): /v1/models, /props,
// /api/ps, version bodies. Every body is read with the depth-bounded json::parse.

#include <nlohmann/json.hpp>

#include "llmwire/json_parse.hpp"
#include "llmwire/server_info.hpp"

namespace llmwire {
namespace {

Result<nlohmann::json> parse_object(std::string_view body, std::string_view what) {
  auto doc = json::parse(body);
  if (!doc) {
    return fail(ErrorKind::parse, std::string(what) + " is not JSON: " + doc.error().message);
  }
  if (!doc->is_object()) return fail(ErrorKind::parse, std::string(what) + " is not a JSON object");
  return std::move(*doc);
}

std::optional<std::int64_t> positive_integer(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return std::nullopt;
  const auto value = it->get<std::int64_t>();
  return value > 0 ? std::optional(value) : std::nullopt;
}

std::string string_field(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<bool> bool_field(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  return it != object.end() && it->is_boolean() ? std::optional(it->get<bool>()) : std::nullopt;
}

}  // namespace

std::string_view to_string(ServerKind kind) noexcept {
  switch (kind) {
    case ServerKind::vllm: return "vllm";
    case ServerKind::sglang: return "sglang";
    case ServerKind::llama_server: return "llama-server";
    case ServerKind::ollama: return "ollama";
    case ServerKind::simulator: return "llmwire-sim";
    case ServerKind::unknown: break;
  }
  return "unknown";
}

Result<std::vector<ServedModel>> parse_models_list(std::string_view body) {
  auto doc = parse_object(body, "the models list");
  if (!doc) return tl::unexpected(doc.error());
  auto data = doc->find("data");
  if (data == doc->end() || !data->is_array())
    return fail(ErrorKind::parse, "the models list has no 'data' array");
  std::vector<ServedModel> models;
  for (const auto& entry : *data) {
    if (!entry.is_object()) continue;
    ServedModel model;
    model.id = string_field(entry, "id");
    if (model.id.empty()) continue;
    model.owned_by = string_field(entry, "owned_by");
    model.context_length = positive_integer(entry, "max_model_len");  // vLLM, SGLang
    if (auto meta = entry.find("meta"); meta != entry.end() && meta->is_object()) {
      if (!model.context_length) model.context_length = positive_integer(*meta, "n_ctx");
      model.training_context_length = positive_integer(*meta, "n_ctx_train");
    }
    models.push_back(std::move(model));
  }
  return models;
}

Result<LlamaServerProps> parse_llama_props(std::string_view body) {
  auto doc = parse_object(body, "/props");
  if (!doc) return tl::unexpected(doc.error());
  LlamaServerProps props;
  props.build_info = string_field(*doc, "build_info");
  props.model_path = string_field(*doc, "model_path");
  props.total_slots = positive_integer(*doc, "total_slots");
  if (auto settings = doc->find("default_generation_settings");
      settings != doc->end() && settings->is_object()) {
    props.context_per_slot = positive_integer(*settings, "n_ctx");
  }
  if (auto modalities = doc->find("modalities");
      modalities != doc->end() && modalities->is_object()) {
    props.vision = bool_field(*modalities, "vision");
    props.audio = bool_field(*modalities, "audio");
  }
  return props;
}

double OllamaLoadedModel::cpu_fraction() const noexcept {
  if (size_bytes == 0 || size_vram_bytes >= size_bytes) return 0;
  return static_cast<double>(size_bytes - size_vram_bytes) / static_cast<double>(size_bytes);
}

Result<std::vector<OllamaLoadedModel>> parse_ollama_ps(std::string_view body) {
  auto doc = parse_object(body, "/api/ps");
  if (!doc) return tl::unexpected(doc.error());
  auto list = doc->find("models");
  if (list == doc->end() || (!list->is_array() && !list->is_null()))
    return fail(ErrorKind::parse, "/api/ps has no 'models' array");
  std::vector<OllamaLoadedModel> models;
  if (list->is_null()) return models;  // nothing loaded
  for (const auto& entry : *list) {
    if (!entry.is_object()) continue;
    OllamaLoadedModel model;
    model.name = string_field(entry, "name");
    if (model.name.empty()) model.name = string_field(entry, "model");
    for (auto [key, out] :
         {std::pair{"size", &model.size_bytes}, std::pair{"size_vram", &model.size_vram_bytes}}) {
      auto it = entry.find(key);
      if (it == entry.end()) continue;
      if (!it->is_number_unsigned() && !(it->is_number_integer() && it->get<std::int64_t>() >= 0))
        return fail(ErrorKind::parse, std::string("/api/ps: '") + key + "' of '" + model.name +
                                          "' is not a byte count");
      *out = it->get<std::uint64_t>();
    }
    model.context_length = positive_integer(entry, "context_length");
    model.expires_at = string_field(entry, "expires_at");
    models.push_back(std::move(model));
  }
  return models;
}

Result<SglangServerInfo> parse_sglang_server_info(std::string_view body) {
  auto doc = parse_object(body, "/server_info");
  if (!doc) return tl::unexpected(doc.error());
  SglangServerInfo info;
  info.version = string_field(*doc, "version");
  if (info.version.empty()) return fail(ErrorKind::parse, "/server_info has no 'version' string");
  info.model_path = string_field(*doc, "model_path");
  if (auto it = doc->find("mem_fraction_static");
      it != doc->end() && it->is_number() && it->get<double>() > 0 && it->get<double>() <= 1)
    info.mem_fraction_static = it->get<double>();
  info.max_running_requests = positive_integer(*doc, "max_running_requests");
  info.context_length = positive_integer(*doc, "context_length");
  info.max_total_num_tokens = positive_integer(*doc, "max_total_num_tokens");
  if (!info.max_total_num_tokens) {  // later versions report it per data-parallel rank
    if (auto states = doc->find("internal_states");
        states != doc->end() && states->is_array() && !states->empty())
      info.max_total_num_tokens = positive_integer(states->front(), "max_total_num_tokens");
  }
  return info;
}

Result<std::string> parse_version_body(std::string_view body) {
  auto doc = parse_object(body, "the version body");
  if (!doc) return tl::unexpected(doc.error());
  std::string version = string_field(*doc, "version");
  if (version.empty()) return fail(ErrorKind::parse, "the version body has no 'version' string");
  return version;
}

}  // namespace llmwire
