// Process trees from /proc: vLLM's engine core and Ollama's runner are children of the PID a
// user knows, and they are the processes NVML lists.

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <deque>
#include <string>
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

// Plain open/read: the sampler walks /proc 20 times a second, and an ifstream per entry costs
// several times the system calls themselves.
std::optional<std::string> read_small_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char buffer[1024];  // a stat line is a few hundred bytes; the fields we need come first
  ssize_t n = ::read(fd, buffer, sizeof buffer);
  ::close(fd);
  if (n < 0) return std::nullopt;
  return std::string(buffer, static_cast<std::size_t>(n));
}

// The whole file, for task children lists that can be long.
std::optional<std::string> read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string text;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0)
    text.append(buffer, static_cast<std::size_t>(n));
  ::close(fd);
  if (n < 0) return std::nullopt;
  return text;
}

// Children of `pid` from /proc/<pid>/task/<tid>/children (CONFIG_PROC_CHILDREN): a child's
// parent is the thread that forked it, so every thread's list counts. This walks only the
// tree, instead of generating every process's stat file (the kernel's cost dominates a scan).
void add_task_children(const std::string& proc_root, std::uint32_t pid,
                       std::vector<std::uint32_t>& out) {
  const std::string task_dir = proc_root + "/" + std::to_string(pid) + "/task";
  DIR* dir = ::opendir(task_dir.c_str());
  if (dir == nullptr) return;  // exited meanwhile
  while (const dirent* entry = ::readdir(dir)) {
    if (!parse_pid(entry->d_name)) continue;
    auto list = read_file(task_dir + "/" + entry->d_name + "/children");
    if (!list) continue;
    std::string_view rest(*list);
    while (!rest.empty()) {
      auto end = rest.find_first_of(" \n");
      if (auto child = parse_pid(rest.substr(0, end))) out.push_back(*child);
      if (end == std::string_view::npos) break;
      rest.remove_prefix(end + 1);
    }
  }
  ::closedir(dir);
}

Result<std::vector<std::uint32_t>> tree_from_children_files(const std::string& proc_root,
                                                            std::uint32_t pid) {
  std::vector<std::uint32_t> tree{pid};
  std::unordered_set<std::uint32_t> seen{pid};  // a malformed /proc must not loop forever
  std::vector<std::uint32_t> found;
  for (std::size_t next = 0; next < tree.size(); ++next) {
    found.clear();
    add_task_children(proc_root, tree[next], found);
    for (auto child : found) {
      if (seen.insert(child).second) tree.push_back(child);
    }
  }
  return tree;
}

}  // namespace

Result<std::vector<std::uint32_t>> process_tree(std::uint32_t pid, const std::string& proc_root) {
  if (!read_small_file(proc_root + "/" + std::to_string(pid) + "/stat")) {
    return fail(ErrorKind::io, "no process " + std::to_string(pid) + " in " + proc_root);
  }
  const std::string own = std::to_string(pid);
  if (read_small_file(proc_root + "/" + own + "/task/" + own + "/children")) {
    return tree_from_children_files(proc_root, pid);
  }
  // Kernels without CONFIG_PROC_CHILDREN: every process's parent, from a scan of /proc.
  std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> children;
  DIR* dir = ::opendir(proc_root.c_str());
  if (dir == nullptr) return fail(ErrorKind::io, "cannot list " + proc_root);
  std::string path;
  while (const dirent* entry = ::readdir(dir)) {
    auto child = parse_pid(entry->d_name);
    if (!child) continue;
    path.assign(proc_root).append("/").append(entry->d_name).append("/stat");
    // Processes exit while we walk: an unreadable entry is simply not part of any tree.
    auto stat = read_small_file(path);
    if (!stat) continue;
    if (auto parent = parent_from_stat(*stat)) children[*parent].push_back(*child);
  }
  ::closedir(dir);
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
