#include "llmwire/sse.hpp"

#include <cstring>

namespace llmwire::sse {
namespace {

constexpr unsigned char bom[3] = {0xEF, 0xBB, 0xBF};

// The first CR or LF in [p, p+n), or nullptr. Two memchr calls (vectorised in glibc) beat a
// byte loop on the ~230-byte lines of a typical chunk; CR is only looked for before the LF.
const char* find_line_end(const char* p, std::size_t n) {
  const char* lf = static_cast<const char*>(std::memchr(p, '\n', n));
  std::size_t cr_span = lf != nullptr ? static_cast<std::size_t>(lf - p) : n;
  const char* cr = static_cast<const char*>(std::memchr(p, '\r', cr_span));
  return cr != nullptr ? cr : lf;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

bool Decoder::over_limit(std::size_t extra) const noexcept {
  return data_.size() + line_.size() + error_field_.size() + extra > options_.max_event_bytes;
}

void Decoder::set_failed() {
  failed_ = make_error(ErrorKind::protocol, "SSE event larger than the " +
                                                std::to_string(options_.max_event_bytes) +
                                                "-byte limit (DecoderOptions::max_event_bytes)");
  line_.clear();
  data_.clear();
}

Result<bool> Decoder::feed(std::string_view bytes, EventHandler on_event) {
  if (failed_) return tl::unexpected<Error>(*failed_);
  if (stopped_) return false;
  if (!bom_done_) {
    // A BOM may itself arrive split across reads, so match it byte by byte.
    while (!bytes.empty() && bom_matched_ < 3 &&
           static_cast<unsigned char>(bytes.front()) == bom[bom_matched_]) {
      ++bom_matched_;
      bytes.remove_prefix(1);
    }
    if (bom_matched_ == 3) {
      bom_done_ = true;
    } else if (!bytes.empty()) {
      bom_done_ = true;
      // A partial BOM followed by something else was data after all.
      if (bom_matched_ > 0) {
        std::string_view prefix(reinterpret_cast<const char*>(bom), bom_matched_);
        if (!process(prefix, on_event))
          return failed_ ? tl::unexpected<Error>(*failed_) : Result<bool>(false);
      }
    }
  }
  if (!process(bytes, on_event)) {
    if (failed_) return tl::unexpected<Error>(*failed_);
    return false;
  }
  return true;
}

bool Decoder::process(std::string_view bytes, EventHandler& on_event) {
  const char* p = bytes.data();
  std::size_t n = bytes.size();
  std::size_t pos = 0;
  if (after_cr_ && n > 0) {
    after_cr_ = false;
    if (p[0] == '\n') pos = 1;
  }
  while (pos < n) {
    const char* end = find_line_end(p + pos, n - pos);
    if (end == nullptr) {
      std::size_t rest = n - pos;
      if (over_limit(rest)) {
        set_failed();
        return false;
      }
      line_.append(p + pos, rest);
      break;
    }
    std::size_t len = static_cast<std::size_t>(end - (p + pos));
    std::string_view line;
    if (line_.empty()) {
      line = std::string_view(p + pos, len);  // the whole line is in this read: no copy
    } else {
      if (over_limit(len)) {
        set_failed();
        return false;
      }
      line_.append(p + pos, len);
      line = line_;
    }
    pos += len + 1;
    if (*end == '\r') {
      if (pos < n) {
        if (p[pos] == '\n') ++pos;
      } else {
        after_cr_ = true;
      }
    }
    bool go_on = process_line(line, on_event);
    line_.clear();
    if (!go_on) return false;
  }
  return true;
}

bool Decoder::process_line(std::string_view line, EventHandler& on_event) {
  if (line.empty()) return dispatch(on_event);
  if (line.front() == ':') return true;  // a comment, e.g. a keep-alive
  std::string_view field = line;
  std::string_view value;
  if (auto colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    // Not over_limit(): `line` may still live in line_, and must not be counted twice.
    if (data_.size() + error_field_.size() + value.size() + 1 > options_.max_event_bytes) {
      set_failed();
      return false;
    }
    data_.append(value);
    data_.push_back('\n');
  } else if (field == "event") {
    type_.assign(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) last_id_.assign(value);
  } else if (field == "retry") {
    if (all_digits(value) && value.size() < 12) {
      retry_ = std::chrono::milliseconds(std::stoll(std::string(value)));
    }
  } else if (field == "error") {
    error_field_.assign(value);
    has_error_field_ = true;
  }
  // Other fields are ignored; names are case-sensitive (`Data:` is unknown).
  return true;
}

bool Decoder::dispatch(EventHandler& on_event) {
  if (data_.empty() && !has_error_field_) {
    type_.clear();
    return true;
  }
  std::string_view data = data_;
  if (!data.empty()) data.remove_suffix(1);  // the LF appended after the last data line
  Event event{.type = type_, .data = data, .id = last_id_, .error = error_field_};
  bool go_on = on_event(event);
  data_.clear();
  type_.clear();
  error_field_.clear();
  has_error_field_ = false;
  if (!go_on) stopped_ = true;
  return go_on;
}

bool Decoder::finish() {
  bool discarded = !line_.empty() || !data_.empty() || has_error_field_;
  line_.clear();
  data_.clear();
  type_.clear();
  error_field_.clear();
  has_error_field_ = false;
  after_cr_ = false;
  return discarded;
}

}  // namespace llmwire::sse
