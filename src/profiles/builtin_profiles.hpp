#pragma once
// The built-in profiles' JSON text (internal).

#include <string_view>

namespace llmwire::profiles_detail {

[[nodiscard]] std::string_view builtin_profiles_json();

}  // namespace llmwire::profiles_detail
