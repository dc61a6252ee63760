#include "llmwire/ndjson.hpp"

#include <cstring>

namespace llmwire::ndjson {
namespace {

bool is_blank(std::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

}  // namespace

Result<bool> Decoder::feed(std::string_view bytes, LineHandler on_line) {
  if (failed_) return tl::unexpected<Error>(*failed_);
  if (stopped_) return false;
  const char* p = bytes.data();
  std::size_t n = bytes.size();
  std::size_t pos = 0;
  while (pos < n) {
    const char* lf = static_cast<const char*>(std::memchr(p + pos, '\n', n - pos));
    std::size_t len = lf != nullptr ? static_cast<std::size_t>(lf - (p + pos)) : n - pos;
    if (line_.size() + len > options_.max_line_bytes) {
      failed_ = make_error(ErrorKind::protocol, "NDJSON line longer than the " +
                                                    std::to_string(options_.max_line_bytes) +
                                                    "-byte limit (DecoderOptions::max_line_bytes)");
      line_.clear();
      return tl::unexpected<Error>(*failed_);
    }
    if (lf == nullptr) {
      line_.append(p + pos, len);
      break;
    }
    std::string_view line;
    if (line_.empty()) {
      line = std::string_view(p + pos, len);
    } else {
      line_.append(p + pos, len);
      line = line_;
    }
    pos += len + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    bool go_on = is_blank(line) || on_line(line);
    line_.clear();
    if (!go_on) {
      stopped_ = true;
      return false;
    }
  }
  return true;
}

std::string_view Decoder::finish() {
  tail_.swap(line_);
  line_.clear();
  if (!tail_.empty() && tail_.back() == '\r') tail_.pop_back();
  if (is_blank(tail_)) tail_.clear();
  return tail_;
}

}  // namespace llmwire::ndjson
