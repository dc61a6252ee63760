// Client concurrency: 100 and 1000 concurrent streams from one process through one
// llmwire::Client, against a loopback "blast" server in another process that sends a vLLM-shaped
// stream at full speed; plus the TTFT overhead the client adds over the server's first byte.
//
//   build/bench/bench_client_concurrency                  # forks its own blast server
//   build/bench/bench_client_concurrency --serve          # only the server (prints its port),
//                                                         # for bench/run_client_bench.sh
//   LLMWIRE_BENCH_ENDPOINT=http://127.0.0.1:PORT build/bench/bench_client_concurrency
//
// Counters: events_per_s (SSE events decoded per wall second), cpu_s_per_M_events (this
// process's user+system CPU per million events; the server is another process), rss_kib_per_stream
// (RSS growth with all N streams alive and fully decoded, divided by N). The server holds each
// stream's final `data: [DONE]` until the client asks it to release (POST /release), so all N
// streams are alive when RSS is read.
//
// The stream: tests/transcripts/vllm_long_content.jsonl (constructed in the exact chunk shape of
// vLLM 0.11 output, see its provenance line), first 200 content events + finish + usage + [DONE].

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "llmwire/client.hpp"
#include "llmwire/transcript.hpp"

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t content_events = 200;

// ---- the stream ----------------------------------------------------------------------------

struct StreamBody {
  std::vector<std::string> events;  // each "data: …\n\n"
  std::size_t wire_events() const { return events.size(); }
};

StreamBody load_stream() {
  auto transcript =
      llmwire::read_transcript(LLMWIRE_TEST_TRANSCRIPTS_DIR "/vllm_long_content.jsonl");
  if (!transcript) {
    std::fprintf(stderr, "cannot read the transcript: %s\n", transcript.error().message.c_str());
    std::exit(1);
  }
  const std::string body = transcript->body();
  std::vector<std::string> all;
  for (std::size_t at = 0; at < body.size();) {
    const std::size_t end = body.find("\n\n", at);
    if (end == std::string::npos) break;
    all.push_back(body.substr(at, end + 2 - at));
    at = end + 2;
  }
  // role chunk + first N content chunks + the last three (finish, usage, [DONE]).
  StreamBody out;
  out.events.assign(all.begin(), all.begin() + static_cast<long>(1 + content_events));
  out.events.insert(out.events.end(), all.end() - 3, all.end());
  return out;
}

std::string chunked(std::string_view data) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return std::string(size) + std::string(data) + "\r\n";
}

// ---- the blast server (its own process) ------------------------------------------------------

struct Connection {
  std::string in;
  std::string out;  // pending bytes
  std::size_t out_at = 0;
  bool held = false;
};

class BlastServer {
 public:
  explicit BlastServer(const StreamBody& body) {
    std::string main;
    for (std::size_t i = 0; i + 1 < body.events.size(); ++i) main += body.events[i];
    head_ =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
        "Connection: keep-alive\r\n\r\n";
    main_ = chunked(main);
    tail_ = chunked(body.events.back()) + "0\r\n\r\n";
    // For stamped requests: the first content event carries the server's write time.
    for (std::size_t i = 2; i + 1 < body.events.size(); ++i) rest_after_first_ += body.events[i];
    role_ = body.events[0];
  }

  int listen_on_loopback() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listen_fd_, 4096) != 0) {
      std::perror("blast server");
      std::exit(1);
    }
    socklen_t length = sizeof address;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
    return ntohs(address.sin_port);
  }

  [[noreturn]] void run() {
    epoll_ = ::epoll_create1(0);
    add(listen_fd_, EPOLLIN);
    std::vector<epoll_event> events(1024);
    for (;;) {
      const int n = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), -1);
      for (int i = 0; i < n; ++i) {
        const int fd = events[static_cast<std::size_t>(i)].data.fd;
        if (fd == listen_fd_) {
          accept_all();
          continue;
        }
        const auto flags = events[static_cast<std::size_t>(i)].events;
        if (flags & (EPOLLHUP | EPOLLERR)) {
          close_connection(fd);
          continue;
        }
        if (flags & EPOLLIN) on_readable(fd);
        if (connections_.count(fd) != 0 && (flags & EPOLLOUT)) flush(fd);
      }
    }
  }

 private:
  void add(int fd, std::uint32_t flags) {
    epoll_event event{};
    event.events = flags;
    event.data.fd = fd;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &event);
  }

  void accept_all() {
    for (;;) {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK);
      if (fd < 0) return;
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      connections_[fd] = Connection{};
      add(fd, EPOLLIN | EPOLLOUT | EPOLLET);
    }
  }

  void close_connection(int fd) {
    connections_.erase(fd);
    ::close(fd);
  }

  void on_readable(int fd) {
    Connection& c = connections_[fd];
    char buffer[16384];
    for (;;) {
      const ssize_t got = ::read(fd, buffer, sizeof buffer);
      if (got == 0) {
        close_connection(fd);
        return;
      }
      if (got < 0) break;
      c.in.append(buffer, static_cast<std::size_t>(got));
    }
    // Serve every complete request in the buffer (requests are small: headers + JSON body).
    for (;;) {
      const std::size_t header_end = c.in.find("\r\n\r\n");
      if (header_end == std::string::npos) break;
      std::string head = c.in.substr(0, header_end);
      std::string lower = head;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      std::size_t content_length = 0;
      if (const auto at = lower.find("content-length:"); at != std::string::npos) {
        content_length = std::strtoul(lower.c_str() + at + 15, nullptr, 10);
      }
      if (c.in.size() < header_end + 4 + content_length) break;
      c.in.erase(0, header_end + 4 + content_length);
      respond(fd, c, head, lower);
    }
    flush(fd);
  }

  void respond(int fd, Connection& c, const std::string& head, const std::string& lower) {
    if (head.starts_with("POST /release")) {
      c.out += "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
      for (auto& [other_fd, other] : connections_) {
        if (!other.held) continue;
        other.held = false;
        other.out += tail_;
        if (other_fd != fd) flush(other_fd);
      }
      return;
    }
    if (lower.find("\r\nx-stamp:") != std::string::npos) {
      // Stamp = steady clock (CLOCK_MONOTONIC, shared by both processes) just before the write.
      const auto ns =
          std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
              .count();
      const std::string first = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" +
                                std::to_string(ns) + "\"},\"finish_reason\":null}]}\n\n";
      c.out += head_ + chunked(role_ + first + rest_after_first_) + tail_;
      return;
    }
    c.out += head_;
    c.out += main_;
    if (lower.find("\r\nx-hold:") != std::string::npos) {
      c.held = true;
    } else {
      c.out += tail_;
    }
  }

  void flush(int fd) {
    auto it = connections_.find(fd);
    if (it == connections_.end()) return;
    Connection& c = it->second;
    while (c.out_at < c.out.size()) {
      const ssize_t wrote = ::write(fd, c.out.data() + c.out_at, c.out.size() - c.out_at);
      if (wrote <= 0) break;
      c.out_at += static_cast<std::size_t>(wrote);
    }
    if (c.out_at == c.out.size()) {
      c.out.clear();
      c.out_at = 0;
    }
  }

  std::string head_, main_, tail_, role_, rest_after_first_;
  int listen_fd_ = -1;
  int epoll_ = -1;
  std::unordered_map<int, Connection> connections_;
};

// ---- client side ---------------------------------------------------------------------------

std::string g_endpoint;
StreamBody g_body;

double rss_kib() {
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0, pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return static_cast<double>(pages_resident) * static_cast<double>(::sysconf(_SC_PAGESIZE)) /
         1024.0;
}

double cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/// POST /release on a fresh connection: the server then sends every held stream's [DONE].
void release_held() {
  const int port = std::atoi(g_endpoint.c_str() + g_endpoint.rfind(':') + 1);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    const char request[] = "POST /release HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n";
    (void)!::write(fd, request, sizeof request - 1);
    char buffer[256];
    (void)!::read(fd, buffer, sizeof buffer);
  }
  ::close(fd);
}

llmwire::ClientOptions bench_options(std::vector<std::pair<std::string, std::string>> headers) {
  return llmwire::ClientOptions{.endpoints = {g_endpoint},
                                .headers = std::move(headers),
                                .first_byte_timeout = std::chrono::milliseconds(60'000),
                                .max_retries = 0};
}

llmwire::ChatRequest bench_request() {
  return llmwire::ChatRequest{.model = "bench",
                              .messages = {llmwire::Message::user("Write at length.")}};
}

void BM_client_streams(benchmark::State& state) {
  const auto streams = static_cast<std::size_t>(state.range(0));
  llmwire::Client client(bench_options({{"X-Hold", "1"}}));
  {
    // Warm up: connection setup code paths, allocator arenas.
    auto warm = client.start(bench_request());
    release_held();
    (void)warm.wait();
  }
  double events_per_s = 0, cpu_per_m = 0, rss_per_stream = 0;
  bool first_iteration = true;
  for (auto _ : state) {
    std::mutex mu;
    std::condition_variable cv;
    std::size_t finished = 0;
    const double rss0 = rss_kib();
    const double cpu0 = cpu_seconds();
    const auto t0 = Clock::now();
    // Callbacks run on the client's one loop thread: `finished` needs the lock only for the cv.
    auto sink = [&](const llmwire::Event& event) {
      if (std::holds_alternative<llmwire::UsageReport>(event)) {
        std::lock_guard lock(mu);
        if (++finished == streams) cv.notify_one();
      }
      return true;
    };
    std::vector<llmwire::ChatHandle> handles;
    handles.reserve(streams);
    for (std::size_t i = 0; i < streams; ++i)
      handles.push_back(client.start(bench_request(), sink));
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return finished == streams; });
    }
    const auto t1 = Clock::now();
    const double cpu1 = cpu_seconds();
    const double rss1 = rss_kib();
    release_held();
    std::size_t ok = 0;
    for (auto& handle : handles) {
      auto result = handle.wait();
      if (result && result->done && !result->error) ++ok;
    }
    if (ok != streams) state.SkipWithError("a stream failed");
    const double seconds = std::chrono::duration<double>(t1 - t0).count();
    state.SetIterationTime(seconds);
    // [DONE] is decoded after the measurement point: count the events before it.
    const double events = static_cast<double>(streams * (g_body.wire_events() - 1));
    events_per_s += events / seconds;
    cpu_per_m += (cpu1 - cpu0) / events * 1e6;
    if (first_iteration) rss_per_stream = (rss1 - rss0) / static_cast<double>(streams);
    first_iteration = false;
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["events_per_s"] = events_per_s / n;
  state.counters["cpu_s_per_M_events"] = cpu_per_m / n;
  state.counters["rss_kib_per_stream"] = rss_per_stream;
}
BENCHMARK(BM_client_streams)
    ->Arg(100)
    ->Arg(1000)
    ->Iterations(3)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

/// Client time of the first content delta minus the server's time just before it wrote the
/// response (both CLOCK_MONOTONIC): curl read + HTTP + SSE + JSON decode + callback dispatch.
void BM_ttft_overhead(benchmark::State& state) {
  llmwire::Client client(bench_options({{"X-Stamp", "1"}}));
  std::vector<double> overhead_us;
  for (auto _ : state) {
    std::optional<double> sample;
    auto result = client.stream(bench_request(), [&](const llmwire::Event& event) {
      if (const auto* d = std::get_if<llmwire::ContentDelta>(&event); d && !sample) {
        const auto now =
            std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
                .count();
        sample = static_cast<double>(now - std::atoll(std::string(d->text).c_str())) / 1000.0;
      }
      return true;
    });
    if (!result || !sample) {
      state.SkipWithError("request failed");
      break;
    }
    overhead_us.push_back(*sample);
  }
  if (overhead_us.empty()) return;
  std::sort(overhead_us.begin(), overhead_us.end());
  auto pct = [&](double p) {
    return overhead_us[std::min(
        overhead_us.size() - 1,
        static_cast<std::size_t>(p / 100.0 * static_cast<double>(overhead_us.size())))];
  };
  state.counters["p50_us"] = pct(50);
  state.counters["p90_us"] = pct(90);
  state.counters["p99_us"] = pct(99);
}
BENCHMARK(BM_ttft_overhead)->Iterations(2000)->Unit(benchmark::kMicrosecond);

void raise_fd_limit() {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
}

}  // namespace

int main(int argc, char** argv) {
  raise_fd_limit();
  ::signal(SIGPIPE, SIG_IGN);
  g_body = load_stream();
  if (argc > 1 && std::string_view(argv[1]) == "--serve") {
    BlastServer server(g_body);
    std::printf("%d\n", server.listen_on_loopback());
    std::fflush(stdout);
    server.run();
  }
  pid_t child = -1;
  if (const char* endpoint = std::getenv("LLMWIRE_BENCH_ENDPOINT"); endpoint != nullptr) {
    g_endpoint = endpoint;
  } else {
    // Fork before any thread exists: the server's CPU stays out of this process's rusage.
    BlastServer server(g_body);
    const int port = server.listen_on_loopback();
    child = ::fork();
    if (child == 0) server.run();
    g_endpoint = "http://127.0.0.1:" + std::to_string(port);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (child > 0) {
    ::kill(child, SIGTERM);
    ::waitpid(child, nullptr, 0);
  }
  return 0;
}
