// Process trees from /proc: vLLM's engine core and Ollama's runner are children of the PID a
// user knows, and they are the processes NVML lists.

#include <charconv>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <unordered_map>
#include <unordered_set>

#include "llmwire/gpu.hpp"

namespace llmwire {

namespace {

std::optional<std::uint32_t> parse_pid(std::string_view text) {
  std::uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// The parent PID from a /proc/<pid>/stat line. comm (field 2) may hold spaces and ')', so the
// fields after it are found from the LAST ')'.
std::optional<std::uint32_t> parent_from_stat(const std::string& stat) {
  auto close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::string_view rest(stat);
  rest.remove_prefix(close + 1);
  // " S 1234 ..." : state, then ppid.
  auto skip_spaces = [&] {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  };
  skip_spaces();
  auto state_end = rest.find(' ');
  if (state_end == std::string_view::npos) return std::nullopt;
  rest.remove_prefix(state_end);
  skip_spaces();
  auto ppid_end = rest.find(' ');
  return parse_pid(rest.substr(0, ppid_end));
}

std::optional<std::string> read_small_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text;
  text.resize(4096);  // a stat line is a few hundred bytes
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

}  // namespace

Result<std::vector<std::uint32_t>> process_tree(std::uint32_t pid, const std::string& proc_root) {
  namespace fs = std::filesystem;
  const fs::path root(proc_root);
  if (!read_small_file(root / std::to_string(pid) / "stat")) {
    return fail(ErrorKind::io, "no process " + std::to_string(pid) + " in " + proc_root);
  }
  std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> children;
  std::error_code ec;
  fs::directory_iterator it(root, ec);
  if (ec) return fail(ErrorKind::io, "cannot list " + proc_root + ": " + ec.message());
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    auto child = parse_pid(it->path().filename().native());
    if (!child) continue;
    // Processes exit while we walk: an unreadable entry is simply not part of any tree.
    auto stat = read_small_file(it->path() / "stat");
    if (!stat) continue;
    if (auto parent = parent_from_stat(*stat)) children[*parent].push_back(*child);
  }
  std::vector<std::uint32_t> tree{pid};
  std::unordered_set<std::uint32_t> seen{pid};  // a malformed /proc must not loop forever
  std::deque<std::uint32_t> queue{pid};
  while (!queue.empty()) {
    auto current = queue.front();
    queue.pop_front();
    auto found = children.find(current);
    if (found == children.end()) continue;
    for (auto child : found->second) {
      if (!seen.insert(child).second) continue;
      tree.push_back(child);
      queue.push_back(child);
    }
  }
  return tree;
}

}  // namespace llmwire
