#include "core/secret_mask.hpp"

#include <string.h>  // explicit_bzero

#include <algorithm>

namespace llmwire::detail {
namespace {

bool replace_each(std::string& text, std::string_view secret, bool same_length) {
  bool changed = false;
  for (std::size_t at = text.find(secret); at != std::string::npos;
       at = text.find(secret, at + (same_length ? secret.size() : 10))) {
    if (same_length) {
      std::fill_n(text.begin() + static_cast<std::ptrdiff_t>(at), secret.size(), '*');
    } else {
      text.replace(at, secret.size(), "[REDACTED]");
    }
    changed = true;
  }
  return changed;
}

}  // namespace

SecretMask::SecretMask(const std::vector<std::string_view>& secrets) {
  for (std::string_view s : secrets) {
    if (s.size() >= min_masked_secret_bytes) secrets_.emplace_back(s);
  }
  // Longer first: a secret containing another is masked whole.
  std::sort(secrets_.begin(), secrets_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

SecretMask::~SecretMask() {
  for (std::string& s : secrets_) explicit_bzero(s.data(), s.size());
}

bool SecretMask::redact(std::string& text) const {
  bool changed = false;
  for (const std::string& s : secrets_) changed = replace_each(text, s, false) || changed;
  return changed;
}

bool SecretMask::mask_same_length(std::string& text) const {
  bool changed = false;
  for (const std::string& s : secrets_) changed = replace_each(text, s, true) || changed;
  return changed;
}

void SecretMask::redact(Error& error) const {
  if (secrets_.empty()) return;
  redact(error.message);
  redact(error.provider_type);
  redact(error.provider_code);
}

bool SecretMask::occurs_in(std::string_view text) const {
  for (const std::string& s : secrets_) {
    if (text.find(s) != std::string_view::npos) return true;
  }
  return false;
}

std::size_t SecretMask::partial_suffix(std::string_view text) const {
  std::size_t longest = 0;
  for (const std::string& s : secrets_) {
    std::size_t max = std::min(text.size(), s.size() - 1);
    for (std::size_t n = max; n > longest; --n) {
      if (text.substr(text.size() - n) == std::string_view(s).substr(0, n)) {
        longest = n;
        break;
      }
    }
  }
  return longest;
}

std::string_view StreamMask::feed(std::string_view piece) {
  if (mask_ == nullptr || mask_->empty()) return piece;
  // The common piece (a token with no secret in it, nothing held) passes through uncopied.
  if (pending_.empty() && !mask_->occurs_in(piece) && mask_->partial_suffix(piece) == 0) {
    return piece;
  }
  ready_.assign(pending_);
  ready_.append(piece);
  pending_.clear();
  masked_ = mask_->mask_same_length(ready_) || masked_;
  std::size_t hold = mask_->partial_suffix(ready_);
  pending_.assign(ready_, ready_.size() - hold, hold);
  ready_.resize(ready_.size() - hold);
  return ready_;
}

std::string_view StreamMask::finish() {
  ready_.swap(pending_);
  pending_.clear();
  return ready_;
}

namespace {

// [start, end) of the userinfo ("user:password") in `url`, or nothing.
std::pair<std::size_t, std::size_t> userinfo_span(std::string_view url) {
  std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {0, 0};
  std::size_t start = scheme + 3;
  std::size_t authority_end = url.find_first_of("/?#", start);
  if (authority_end == std::string_view::npos) authority_end = url.size();
  std::size_t at = url.rfind('@', authority_end);
  if (at == std::string_view::npos || at < start) return {0, 0};
  return {start, at};
}

}  // namespace

std::string without_userinfo(std::string_view url) {
  auto [start, end] = userinfo_span(url);
  if (start == end && start == 0) return std::string(url);
  std::string out(url.substr(0, start));
  out += "[REDACTED]";
  out += url.substr(end);
  return out;
}

std::string_view url_password(std::string_view url) {
  auto [start, end] = userinfo_span(url);
  if (start == end) return {};
  std::string_view info = url.substr(start, end - start);
  std::size_t colon = info.find(':');
  return colon == std::string_view::npos ? std::string_view{} : info.substr(colon + 1);
}

}  // namespace llmwire::detail
