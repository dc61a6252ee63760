// The scripted loopback server (see loopback_server.hpp), on cpp-httplib.

#include "llmwire_sim/loopback_server.hpp"

#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "listen_backlog.hpp"

namespace llmwire::sim {

using Clock = std::chrono::steady_clock;

ScriptedReply ScriptedReply::sse(const std::vector<std::string>& payloads,
                                 std::chrono::microseconds every) {
  ScriptedReply reply;
  for (const std::string& payload : payloads) {
    reply.chunks.push_back(ScriptedChunk{.bytes = "data: " + payload + "\n\n", .delay = every});
  }
  return reply;
}

ScriptedReply ScriptedReply::ndjson(const std::vector<std::string>& lines,
                                    std::chrono::microseconds every) {
  ScriptedReply reply;
  reply.content_type = "application/x-ndjson";
  for (const std::string& line : lines) {
    reply.chunks.push_back(ScriptedChunk{.bytes = line + "\n", .delay = every});
  }
  return reply;
}

ScriptedReply ScriptedReply::error(int status, std::string body,
                                   std::vector<std::pair<std::string, std::string>> headers) {
  ScriptedReply reply;
  reply.status = status;
  reply.content_type = "application/json";
  reply.headers = std::move(headers);
  reply.chunks.push_back(ScriptedChunk{.bytes = std::move(body)});
  return reply;
}

ScriptedReply ScriptedReply::paced(const std::vector<std::pair<double, std::string>>& reads,
                                   std::string content_type) {
  ScriptedReply reply;
  reply.content_type = std::move(content_type);
  for (const auto& [t_ms, bytes] : reads) {
    reply.chunks.push_back(ScriptedChunk{
        .bytes = bytes,
        .at = std::chrono::microseconds(static_cast<long long>(std::max(0.0, t_ms) * 1000.0))});
  }
  return reply;
}

std::string ReceivedRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() &&
        std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return value;
    }
  }
  return {};
}

struct LoopbackServer::Impl {
  LoopbackOptions options;
  httplib::Server server;
  detail::ListenBacklog backlog;  // listen_backlog.hpp: why
  std::thread thread;
  int port = -1;

  mutable std::mutex mu;
  std::condition_variable stop_cv;
  bool stopping = false;
  std::deque<ScriptedReply> queue;
  std::optional<ScriptedReply> fallback;
  std::function<ScriptedReply(const ReceivedRequest&)> handler;
  std::vector<ReceivedRequest> received;
  std::vector<Clock::time_point> first_writes;

  /// Sleeps for `duration` unless the server stops first; false when stopping.
  bool pause(std::chrono::microseconds duration) {
    if (duration.count() <= 0) return true;
    std::unique_lock lock(mu);
    return !stop_cv.wait_for(lock, duration, [&] { return stopping; });
  }

  ScriptedReply next_reply(const ReceivedRequest& request) {
    std::function<ScriptedReply(const ReceivedRequest&)> custom;
    {
      std::lock_guard lock(mu);
      received.push_back(request);
      if (!handler) {
        if (!queue.empty()) {
          ScriptedReply reply = std::move(queue.front());
          queue.pop_front();
          return reply;
        }
        if (fallback) return *fallback;
        return ScriptedReply::error(404, R"({"error":"no scripted reply"})");
      }
      custom = handler;
    }
    return custom(request);
  }

  void serve(const httplib::Request& req, httplib::Response& res) {
    ReceivedRequest request{.method = req.method,
                            .path = req.path,
                            .body = req.body,
                            .headers = {},
                            .remote_port = req.remote_port,
                            .received = Clock::now()};
    for (const auto& [key, value] : req.headers) request.headers.emplace_back(key, value);
    auto reply = std::make_shared<ScriptedReply>(next_reply(request));
    std::size_t slot = 0;
    {
      std::lock_guard lock(mu);
      slot = first_writes.size();
      first_writes.emplace_back();
    }
    if (!pause(reply->first_byte_delay)) {
      res.status = 503;
      return;
    }
    res.status = reply->status;
    for (const auto& [key, value] : reply->headers) res.set_header(key, value);
    res.set_chunked_content_provider(
        reply->content_type, [this, reply, slot, arrival = request.received](
                                 std::size_t /*offset*/, httplib::DataSink& sink) {
          bool first = true;
          auto write = [&](std::string_view bytes) {
            if (first) {
              std::lock_guard lock(mu);
              first_writes[slot] = Clock::now();
              first = false;
            }
            return sink.write(bytes.data(), bytes.size());
          };
          for (const ScriptedChunk& chunk : reply->chunks) {
            if (chunk.at) {
              const auto wait = std::chrono::duration_cast<std::chrono::microseconds>(
                  arrival + *chunk.at - Clock::now());
              if (!pause(wait)) return false;
            } else if (!pause(chunk.delay)) {
              return false;
            }
            if (reply->trickle_bytes == 0) {
              if (!write(chunk.bytes)) return false;
              continue;
            }
            const std::string_view bytes = chunk.bytes;
            for (std::size_t at = 0; at < bytes.size(); at += reply->trickle_bytes) {
              if (at > 0 && !pause(reply->trickle_delay)) return false;
              if (!write(bytes.substr(at, reply->trickle_bytes))) return false;
            }
          }
          switch (reply->end) {
            case ScriptedEnd::finish: sink.done(); return true;
            // Returning false makes httplib drop the connection without the last chunk.
            case ScriptedEnd::disconnect: return false;
            case ScriptedEnd::stall: pause(reply->stall); return false;
          }
          return false;
        });
  }
};

LoopbackServer::LoopbackServer(LoopbackOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

LoopbackServer::~LoopbackServer() {
  stop();
}

Result<int> LoopbackServer::start() {
  Impl& impl = *impl_;
  if (impl.port > 0) return impl.port;
  const int threads = std::max(1, impl.options.threads);
  impl.server.new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<size_t>(threads));
  };
  impl.server.set_keep_alive_max_count(impl.options.keep_alive_max_requests);
  impl.server.set_keep_alive_timeout(30);
  // A streaming server writes each event as it is made; with Nagle's algorithm on, an event
  // written while the previous segment awaits its (delayed) ACK waits up to 40 ms, which showed
  // as a first token 39 ms late on a reused connection and a decode rate 4.5% high.
  impl.server.set_tcp_nodelay(true);
  impl.backlog.attach(impl.server);
  auto handle = [this](const httplib::Request& req, httplib::Response& res) {
    impl_->serve(req, res);
  };
  const std::string pattern = ".*";
  impl.server.Get(pattern, handle);
  impl.server.Post(pattern, handle);
  impl.server.Put(pattern, handle);
  impl.server.Delete(pattern, handle);
  const int port = impl.server.bind_to_any_port(impl.options.host);
  if (port <= 0) {
    return fail(ErrorKind::io, "loopback server: cannot bind a port on " + impl.options.host);
  }
  impl.backlog.widen();
  impl.port = port;
  impl.thread = std::thread([this] { impl_->server.listen_after_bind(); });
  // listen_after_bind() returns immediately if stop() races it; wait until it serves.
  for (int i = 0; i < 2000 && !impl.server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return port;
}

void LoopbackServer::stop() {
  Impl& impl = *impl_;
  {
    std::lock_guard lock(impl.mu);
    impl.stopping = true;
  }
  impl.stop_cv.notify_all();
  impl.server.stop();
  if (impl.thread.joinable()) impl.thread.join();
}

int LoopbackServer::port() const noexcept {
  return impl_->port;
}

std::string LoopbackServer::base_url() const {
  return "http://" + impl_->options.host + ":" + std::to_string(impl_->port);
}

void LoopbackServer::enqueue(ScriptedReply reply) {
  std::lock_guard lock(impl_->mu);
  impl_->queue.push_back(std::move(reply));
}

void LoopbackServer::set_default(ScriptedReply reply) {
  std::lock_guard lock(impl_->mu);
  impl_->fallback = std::move(reply);
}

void LoopbackServer::set_handler(std::function<ScriptedReply(const ReceivedRequest&)> handler) {
  std::lock_guard lock(impl_->mu);
  impl_->handler = std::move(handler);
}

std::vector<ReceivedRequest> LoopbackServer::requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->received;
}

std::size_t LoopbackServer::request_count() const {
  std::lock_guard lock(impl_->mu);
  return impl_->received.size();
}

std::vector<Clock::time_point> LoopbackServer::first_body_writes() const {
  std::lock_guard lock(impl_->mu);
  return impl_->first_writes;
}

int LoopbackServer::unused_port() {
  // Bind port 0, read the port the kernel chose, close: nothing listens there afterwards.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 9;  // discard: closed on any sane test machine
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  int port = 9;
  socklen_t length = sizeof(address);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

}  // namespace llmwire::sim
