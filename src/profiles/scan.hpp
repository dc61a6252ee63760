#pragma once
// Internal helpers shared by the output parsers: marker search over a held-back tail plus new
// text, and an event emitter that remembers when the sink asked to stop.

#include <cstddef>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "llmwire/events.hpp"

namespace llmwire::profiles_detail {

/// Result of looking for the next marker.
struct MarkerHit {
  static constexpr int none = -1;     ///< No marker and no partial marker: everything is text.
  static constexpr int partial = -2;  ///< `text.substr(pos)` may be the start of a marker.
  std::size_t pos = std::string_view::npos;
  int id = none;  ///< Index into the marker list, or none / partial.
};

/// Finds the first marker (all markers start with '<') at or after `from`. A tail that is a
/// proper prefix of a marker is reported as partial unless `final` (then it is plain text).
/// Cost is linear in the text scanned: the caller never passes the same bytes twice, except
/// a partial tail, which is shorter than the longest marker.
inline MarkerHit find_marker(std::string_view text, std::size_t from,
                             std::span<const std::string_view> markers, bool final) {
  for (std::size_t p = text.find('<', from); p != std::string_view::npos;
       p = text.find('<', p + 1)) {
    const std::string_view tail = text.substr(p);
    int id = 0;
    bool maybe = false;
    for (std::string_view marker : markers) {
      if (tail.starts_with(marker)) return {p, id};
      if (!final && tail.size() < marker.size() && marker.starts_with(tail)) maybe = true;
      ++id;
    }
    if (maybe) return {p, MarkerHit::partial};
  }
  return {};
}

/// Which marker starts exactly at `p` (text[p] is '<'): its index, MarkerHit::partial when the
/// rest of `text` is a proper prefix of one (and not `final`), or MarkerHit::none.
inline int marker_at(std::string_view text, std::size_t p,
                     std::span<const std::string_view> markers, bool final) {
  const std::string_view tail = text.substr(p);
  int id = 0;
  bool maybe = false;
  for (std::string_view marker : markers) {
    if (tail.starts_with(marker)) return id;
    if (!final && tail.size() < marker.size() && marker.starts_with(tail)) maybe = true;
    ++id;
  }
  return maybe ? MarkerHit::partial : MarkerHit::none;
}

inline MarkerHit find_marker(std::string_view text, std::size_t from,
                             std::initializer_list<std::string_view> markers, bool final) {
  return find_marker(text, from, std::span<const std::string_view>(markers.begin(), markers.size()),
                     final);
}

inline int marker_at(std::string_view text, std::size_t p,
                     std::initializer_list<std::string_view> markers, bool final) {
  return marker_at(text, p, std::span<const std::string_view>(markers.begin(), markers.size()),
                   final);
}

/// True when `text` is a proper prefix of `word` (more bytes could still complete it).
inline bool is_proper_prefix(std::string_view text, std::string_view word) {
  return text.size() < word.size() && word.starts_with(text);
}

inline bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

/// Wraps the caller's sink; once it returns false every later emit is skipped.
class Emitter {
 public:
  explicit Emitter(const EventSink& sink, bool& stopped) : sink_(sink), stopped_(stopped) {}
  bool content(std::string_view text) {
    return text.empty() ? !stopped_ : send(ContentDelta{text});
  }
  bool reasoning(std::string_view text) {
    return text.empty() ? !stopped_ : send(ReasoningDelta{text});
  }
  bool send(const Event& event) {
    if (stopped_) return false;
    if (!sink_(event)) stopped_ = true;
    return !stopped_;
  }
  [[nodiscard]] bool ok() const { return !stopped_; }

 private:
  const EventSink& sink_;
  bool& stopped_;
};

}  // namespace llmwire::profiles_detail
