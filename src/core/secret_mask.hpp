#pragma once
// Masking secrets (the API key, a password in an endpoint URL) out of everything llmwire hands
// on: error fields, events, transcripts. One implementation for every room that writes text
// that came from a server, which may echo a secret back (a 401 body, an HTML error page).

#include <string>
#include <string_view>
#include <vector>

#include "llmwire/error.hpp"

namespace llmwire::detail {

/// Secrets shorter than this are not searched for in text: masking every "a" of a message
/// for a one-character key would mangle it, and so short a value protects nothing anyway.
inline constexpr std::size_t min_masked_secret_bytes = 8;

class SecretMask {
 public:
  SecretMask() = default;
  /// Keeps the secrets at least min_masked_secret_bytes long.
  explicit SecretMask(const std::vector<std::string_view>& secrets);
  SecretMask(const SecretMask&) = default;
  SecretMask& operator=(const SecretMask&) = default;
  ~SecretMask();  // wipes the copies

  [[nodiscard]] bool empty() const noexcept { return secrets_.empty(); }

  /// Every occurrence of a secret becomes "[REDACTED]". Returns whether anything changed.
  bool redact(std::string& text) const;
  /// Every occurrence becomes as many '*' as it had bytes, so offsets stay true.
  bool mask_same_length(std::string& text) const;
  /// redact() on every text field of `error`.
  void redact(Error& error) const;
  /// Whether any secret occurs in `text`.
  [[nodiscard]] bool occurs_in(std::string_view text) const;
  /// The length of the longest suffix of `text` that is a proper prefix of a secret: bytes
  /// a streaming writer holds back until it knows whether the secret continues.
  [[nodiscard]] std::size_t partial_suffix(std::string_view text) const;

 private:
  std::vector<std::string> secrets_;
};

/// Masks a byte stream cut into arbitrary pieces (same-length '*'), holding back only a tail
/// that could be the start of a secret; what it returns is safe to write.
class StreamMask {
 public:
  explicit StreamMask(const SecretMask* mask) : mask_(mask) {}
  /// The bytes of `piece` (after any held back before) that are now safe to write.
  std::string_view feed(std::string_view piece);
  /// Whatever was held back, at the end of the stream.
  std::string_view finish();
  /// Whether any secret was masked so far.
  [[nodiscard]] bool masked() const noexcept { return masked_; }

 private:
  const SecretMask* mask_;
  std::string pending_;
  std::string ready_;
  bool masked_ = false;
};

/// "scheme://user:password@host/…" → "scheme://[REDACTED]@host/…"; other URLs unchanged.
[[nodiscard]] std::string without_userinfo(std::string_view url);
/// The password of a URL's userinfo ("" when there is none).
[[nodiscard]] std::string_view url_password(std::string_view url);

}  // namespace llmwire::detail
