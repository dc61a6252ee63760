// SecretString: the API key's storage, wiped before its memory is released.

#include <string.h>  // explicit_bzero (glibc): unlike memset it is never optimised away

#include "llmwire/client.hpp"

namespace llmwire {

void SecretString::wipe() noexcept {
  if (!value_.empty()) explicit_bzero(value_.data(), value_.size());
  value_.clear();
}

SecretString::SecretString(SecretString&& other) noexcept : value_(other.value_) {
  other.wipe();
}

SecretString& SecretString::operator=(const SecretString& other) {
  if (this != &other) {
    wipe();
    value_ = other.value_;
  }
  return *this;
}

SecretString& SecretString::operator=(SecretString&& other) noexcept {
  if (this != &other) {
    wipe();
    // Copy then wipe the source rather than steal its buffer: a moved std::string with a
    // short (SSO) value would otherwise leave the bytes behind in the source object.
    value_ = other.value_;
    other.wipe();
  }
  return *this;
}

SecretString::~SecretString() {
  wipe();
}

}  // namespace llmwire
