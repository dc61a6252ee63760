#include <nlohmann/json.hpp>

#include "wire/dialect.hpp"

namespace llmwire::wire {

const std::string* string_member(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
}

std::optional<double> number_member(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

Error error_from_json(const nlohmann::json& value) {
  Error error{.kind = ErrorKind::server};
  try {
    if (value.is_string()) {
      error.message = value.get<std::string>();
    } else if (value.is_object()) {
      if (auto it = value.find("message"); it != value.end() && it->is_string()) {
        error.message = it->get<std::string>();
      } else {
        error.message = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      }
      if (auto it = value.find("type"); it != value.end() && it->is_string()) {
        error.provider_type = it->get<std::string>();
      }
      if (auto it = value.find("code"); it != value.end() && !it->is_null()) {
        error.provider_code =
            it->is_string() ? it->get<std::string>()
                            : it->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      }
    } else {
      error.message = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
  } catch (const nlohmann::json::exception&) {
    // Only reachable on a type mismatch we did not foresee; an error must still be reported.
    error.message = "server reported an error";
  }
  if (error.message.empty()) error.message = "server reported an error";
  return error;
}

}  // namespace llmwire::wire
