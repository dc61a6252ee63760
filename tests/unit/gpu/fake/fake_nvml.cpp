// A fake libnvidia-ml.so.1 for tests on machines without NVIDIA: the NVML calls llmwire makes,
// behaving like a driver would, configured by environment variables read at nvmlInit_v2 (so a
// child process such as the CLI can be configured too) and by fake_nvml_* hooks for in-process
// tests. Build variants (compile definitions) leave symbols out:
//   FAKE_NVML_NO_INIT       no nvmlInit_v2 (a library too old / broken)
//   FAKE_NVML_NO_MEMORY_V2  no nvmlDeviceGetMemoryInfo_v2 (v1 fallback)
//   FAKE_NVML_R535          exports nvmlDeviceGetConfComputeMemSizeInfo but not
//                           nvmlDeviceGetRunningProcessDetailList, and writes 32-byte entries
// Environment (re-read at every nvmlInit_v2):
//   FAKE_NVML_MODE      discrete (default) | gb10 (memory NOT_SUPPORTED) | init_fail |
//                       mismatch (expects a different nvmlMemory_v2_t version: error 25)
//   FAKE_NVML_DEVICES   device count (default 2)
//   FAKE_NVML_PROCS     device 0's processes, "pid:bytes,pid:na" (default "4242:1073741824")
//   FAKE_NVML_GROW      processes appearing on each of the first two process-list calls
//   FAKE_NVML_USED_SEQUENCE  device 0's used bytes on successive memory calls, last one sticks

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

namespace {

constexpr int ok = 0;
constexpr int not_supported = 3;
constexpr int invalid_argument = 2;
constexpr int insufficient_size = 7;
constexpr int driver_not_loaded = 9;
constexpr int version_mismatch = 25;
constexpr int uninitialized = 1;

constexpr unsigned long long gib = 1ULL << 30;

struct Memory1 {
  unsigned long long total, free, used;
};
struct Memory2 {
  unsigned version;
  unsigned long long total, reserved, free, used;
};
struct Process {
  unsigned pid;
  unsigned long long used;  // ~0ULL: not available
};

struct FakeDevice {
  int index;
  unsigned long long total = 80 * gib;
  unsigned long long reserved = gib / 2;
  unsigned long long used = 0;
  std::vector<Process> processes;
};

struct State {
  std::mutex mutex;
  std::string mode = "discrete";
  std::vector<FakeDevice> devices;
  std::vector<unsigned long long> used_sequence;
  std::size_t used_calls = 0;
  int grow = 0;
  int grow_calls_left = 0;
  int process_calls = 0;
  int init_calls = 0;
  int shutdown_calls = 0;
  int initialised = 0;
  unsigned last_version = 0;
};

State& state() {
  static State s;
  return s;
}

std::string env(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : fallback;
}

std::vector<Process> parse_processes(const std::string& text) {
  std::vector<Process> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto comma = text.find(',', pos);
    std::string item =
        text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    auto colon = item.find(':');
    if (colon != std::string::npos) {
      std::string bytes = item.substr(colon + 1);
      out.push_back({static_cast<unsigned>(std::stoul(item.substr(0, colon))),
                     bytes == "na" ? ~0ULL : std::stoull(bytes)});
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

void configure(State& s) {
  s.mode = env("FAKE_NVML_MODE", "discrete");
  int count = std::atoi(env("FAKE_NVML_DEVICES", "2").c_str());
  s.devices.clear();
  for (int i = 0; i < count; ++i) {
    FakeDevice device{.index = i};
    device.used = (i == 0 ? 10 : 1) * gib;
    s.devices.push_back(device);
  }
  if (!s.devices.empty())
    s.devices[0].processes = parse_processes(env("FAKE_NVML_PROCS", "4242:1073741824"));
  s.used_sequence.clear();
  s.used_calls = 0;
  std::string sequence = env("FAKE_NVML_USED_SEQUENCE", "");
  for (std::size_t pos = 0; pos < sequence.size();) {
    auto comma = sequence.find(',', pos);
    s.used_sequence.push_back(std::stoull(sequence.substr(pos, comma - pos)));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  s.grow = std::atoi(env("FAKE_NVML_GROW", "0").c_str());
  s.grow_calls_left = s.grow > 0 ? 2 : 0;
  s.process_calls = 0;
}

FakeDevice* device_of(void* handle) {
  return static_cast<FakeDevice*>(handle);
}

void copy_string(const std::string& text, char* out, unsigned length) {
  if (length == 0) return;
  std::strncpy(out, text.c_str(), length - 1);
  out[length - 1] = '\0';
}

int memory_common(FakeDevice* device, unsigned long long& total, unsigned long long& reserved,
                  unsigned long long& free, unsigned long long& used) {
  State& s = state();
  if (s.initialised == 0) return uninitialized;
  if (s.mode == "gb10") return not_supported;
  if (device->index == 0 && !s.used_sequence.empty()) {
    device->used = s.used_sequence[std::min(s.used_calls, s.used_sequence.size() - 1)];
    ++s.used_calls;
  }
  total = device->total;
  reserved = device->reserved;
  used = device->used;
  free = total - reserved - used;
  return ok;
}

}  // namespace

extern "C" {

// ---- test hooks ------------------------------------------------------------------------------
unsigned fake_nvml_last_memory_version() {
  std::lock_guard lock(state().mutex);
  return state().last_version;
}
int fake_nvml_init_calls() {
  std::lock_guard lock(state().mutex);
  return state().init_calls;
}
int fake_nvml_shutdown_calls() {
  std::lock_guard lock(state().mutex);
  return state().shutdown_calls;
}
int fake_nvml_process_calls() {
  std::lock_guard lock(state().mutex);
  return state().process_calls;
}
void fake_nvml_set_used(unsigned index, unsigned long long used) {
  std::lock_guard lock(state().mutex);
  if (index < state().devices.size()) state().devices[index].used = used;
}

// ---- NVML ------------------------------------------------------------------------------------
#ifndef FAKE_NVML_NO_INIT
int nvmlInit_v2() {
  State& s = state();
  std::lock_guard lock(s.mutex);
  ++s.init_calls;
  if (env("FAKE_NVML_MODE", "") == "init_fail") return driver_not_loaded;
  // Reconfigured on every init so one test process can switch scenarios between probes.
  configure(s);
  ++s.initialised;
  return ok;
}
#endif

int nvmlShutdown() {
  State& s = state();
  std::lock_guard lock(s.mutex);
  ++s.shutdown_calls;
  if (s.initialised == 0) return uninitialized;
  --s.initialised;
  return ok;
}

const char* nvmlErrorString(int code) {
  switch (code) {
    case ok: return "Success";
    case uninitialized: return "Uninitialized";
    case invalid_argument: return "Invalid Argument";
    case not_supported: return "Not Supported";
    case insufficient_size: return "Insufficient Size";
    case driver_not_loaded: return "Driver Not Loaded";
    case version_mismatch: return "Argument version mismatch";
    default: return "Unknown Error";
  }
}

int nvmlSystemGetDriverVersion(char* version, unsigned length) {
  copy_string("999.99.99-fake", version, length);
  return ok;
}

int nvmlDeviceGetCount_v2(unsigned* count) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  if (s.initialised == 0) return uninitialized;
  *count = static_cast<unsigned>(s.devices.size());
  return ok;
}

int nvmlDeviceGetHandleByIndex_v2(unsigned index, void** device) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  if (s.initialised == 0) return uninitialized;
  if (index >= s.devices.size()) return invalid_argument;
  *device = &s.devices[index];
  return ok;
}

int nvmlDeviceGetName(void* device, char* name, unsigned length) {
  std::lock_guard lock(state().mutex);
  copy_string(state().mode == "gb10" ? "NVIDIA GB10"
                                     : "Fake GPU " + std::to_string(device_of(device)->index),
              name, length);
  return ok;
}

int nvmlDeviceGetUUID(void* device, char* uuid, unsigned length) {
  copy_string("GPU-fake-0000-" + std::to_string(device_of(device)->index), uuid, length);
  return ok;
}

int nvmlDeviceGetMemoryInfo(void* device, Memory1* memory) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  unsigned long long total = 0, reserved = 0, free = 0, used = 0;
  int code = memory_common(device_of(device), total, reserved, free, used);
  if (code != ok) return code;
  // v1 counts the driver's reservation as used (FORMATS.md §7).
  *memory = {total, free, used + reserved};
  return ok;
}

#ifndef FAKE_NVML_NO_MEMORY_V2
int nvmlDeviceGetMemoryInfo_v2(void* device, Memory2* memory) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  s.last_version = memory->version;
  // A driver checks the caller's struct version: plain 2 (the classic bug) is rejected.
  unsigned expected = s.mode == "mismatch" ? (sizeof(Memory2) + 8) | (3U << 24) : 0x02000028U;
  if (memory->version != expected) return version_mismatch;
  unsigned long long total = 0, reserved = 0, free = 0, used = 0;
  int code = memory_common(device_of(device), total, reserved, free, used);
  if (code != ok) return code;
  memory->total = total;
  memory->reserved = reserved;
  memory->free = free;
  memory->used = used;
  return ok;
}
#endif

int nvmlDeviceGetComputeRunningProcesses_v3(void* handle, unsigned* count, void* infos) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  if (s.initialised == 0) return uninitialized;
  if (count == nullptr) return invalid_argument;
  FakeDevice* device = device_of(handle);
  ++s.process_calls;
  if (device->index == 0 && s.grow_calls_left > 0) {
    // New processes start between the caller's sizing call and its fill call.
    --s.grow_calls_left;
    for (int i = 0; i < s.grow; ++i) {
      device->processes.push_back(
          {static_cast<unsigned>(20000 + device->processes.size()), 1ULL << 20});
    }
  }
  const auto needed = static_cast<unsigned>(device->processes.size());
  if (*count < needed || (infos == nullptr && needed > 0)) {
    *count = needed;
    return insufficient_size;
  }
#ifdef FAKE_NVML_R535
  constexpr std::size_t stride = 32;
#else
  constexpr std::size_t stride = 24;
#endif
  auto* out = static_cast<unsigned char*>(infos);
  for (unsigned i = 0; i < needed; ++i) {
    unsigned char entry[32];
    std::memset(entry, 0xAB, sizeof entry);  // the padding and extra fields hold junk
    std::memcpy(entry + 0, &device->processes[i].pid, 4);
    std::memcpy(entry + 8, &device->processes[i].used, 8);
    unsigned instance = ~0U;
    std::memcpy(entry + 16, &instance, 4);
    std::memcpy(entry + 20, &instance, 4);
    std::memcpy(out + i * stride, entry, stride);
  }
  *count = needed;
  return ok;
}

#ifdef FAKE_NVML_R535
int nvmlDeviceGetConfComputeMemSizeInfo(void*, void*) {
  return not_supported;
}
#else
int nvmlDeviceGetRunningProcessDetailList(void*, void*) {
  return not_supported;
}
#endif

}  // extern "C"
