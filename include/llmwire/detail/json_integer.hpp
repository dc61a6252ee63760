#pragma once
/// \file
/// Internal to llmwire's headers (tools.hpp, extract.hpp): a JSON number read as a C++ integer
/// type. Model output is untrusted, so a value that does not fit must not truncate or wrap, and
/// a float outside int64 must never reach a cast (that is undefined behaviour).

#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <type_traits>
#include <utility>

namespace llmwire::detail {

enum class IntegerRead { ok, not_integer, out_of_range };

/// Reads `j` into `out` when it is a whole number (3 or 3.0, as JSON Schema's "integer") that V
/// holds; `out` is left alone otherwise.
template <class V>
[[nodiscard]] IntegerRead read_integer(const nlohmann::json& j, V& out) {
  static_assert(std::is_integral_v<V> && !std::is_same_v<V, bool>);
  auto fit = [&out](auto n) {
    if (!std::in_range<V>(n)) return IntegerRead::out_of_range;
    out = static_cast<V>(n);
    return IntegerRead::ok;
  };
  if (j.is_number_unsigned()) return fit(j.get<std::uint64_t>());
  if (j.is_number_integer()) return fit(j.get<std::int64_t>());
  if (!j.is_number_float()) return IntegerRead::not_integer;
  const double d = j.get<double>();
  if (!std::isfinite(d) || d != std::trunc(d)) return IntegerRead::not_integer;
  if (d < -9.2e18 || d > 9.2e18) return IntegerRead::out_of_range;
  return fit(static_cast<std::int64_t>(d));
}

}  // namespace llmwire::detail
