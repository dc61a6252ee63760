#pragma once
// UTF-8 validation and repair for text that crossed the wire. Internal to the wire room.

#include <cstdint>
#include <string>
#include <string_view>

namespace llmwire::wire {

/// Length of the valid UTF-8 sequence at the start of `s`, or 0 if it is not one.
std::size_t valid_sequence_length(std::string_view s) noexcept;

/// True when `s` is entirely well-formed UTF-8 (no overlongs, surrogates or values > U+10FFFF).
bool is_valid_utf8(std::string_view s) noexcept;

/// Appends `s` to `out`, replacing each maximal ill-formed subpart with U+FFFD (the Unicode
/// "substitution of maximal subparts" practice that browsers and Python follow).
void append_sanitized_utf8(std::string& out, std::string_view s);

/// Appends code point `cp` as UTF-8 (U+FFFD for surrogates and out-of-range values).
void append_code_point(std::string& out, char32_t cp);

}  // namespace llmwire::wire
