#pragma once
// Helpers for the GPU probe tests: scoped environment variables, scratch directories, a fake
// /proc tree, and the fake NVML's test hooks.

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

namespace gpu_test {

/// Sets (or unsets, with nullopt) an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      setenv(name, value->c_str(), 1);
    else
      unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

/// A fresh directory under the build tree, named for the test.
inline std::filesystem::path scratch_dir(const std::string& name) {
  auto dir =
      std::filesystem::path(LLMWIRE_GPU_TEST_SCRATCH) / (name + "-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline void write_file(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

/// Adds `<root>/<pid>/stat` with the given comm and parent, as the kernel formats it.
inline void add_process(const std::filesystem::path& root, unsigned pid, unsigned ppid,
                        const std::string& comm = "proc") {
  write_file(root / std::to_string(pid) / "stat",
             std::to_string(pid) + " (" + comm + ") S " + std::to_string(ppid) +
                 " 1 1 0 -1 4194560 100 0 0 0 1 1 0 0 20 0 1 0 100 1000 10 18446744073709551615\n");
}

/// The fake library's test hooks, reached through its own (refcounted) dlopen handle.
class FakeHooks {
 public:
  explicit FakeHooks(const char* path) : handle_(dlopen(path, RTLD_NOW | RTLD_LOCAL)) {}
  ~FakeHooks() {
    if (handle_ != nullptr) dlclose(handle_);
  }
  FakeHooks(const FakeHooks&) = delete;
  FakeHooks& operator=(const FakeHooks&) = delete;

  [[nodiscard]] bool loaded() const { return handle_ != nullptr; }
  unsigned last_memory_version() const {
    return call<unsigned (*)()>("fake_nvml_last_memory_version")();
  }
  int init_calls() const { return call<int (*)()>("fake_nvml_init_calls")(); }
  int shutdown_calls() const { return call<int (*)()>("fake_nvml_shutdown_calls")(); }
  int process_calls() const { return call<int (*)()>("fake_nvml_process_calls")(); }
  void set_used(unsigned index, unsigned long long bytes) const {
    call<void (*)(unsigned, unsigned long long)>("fake_nvml_set_used")(index, bytes);
  }

 private:
  template <class Fn>
  Fn call(const char* name) const {
    return reinterpret_cast<Fn>(dlsym(handle_, name));
  }
  void* handle_;
};

inline constexpr unsigned long long gib = 1ULL << 30;

}  // namespace gpu_test
