// The listen backlog of the loopback servers. Debian's cpp-httplib is a compiled library that
// listens with a backlog of 5, so when a client opens more connections at once than the accept
// thread takes in time (the bench's 8-stream level on a loaded 2-core machine), the kernel drops
// the extra SYNs and the client resends them after 1 s: CI saw one stream's TTFT at 1029 ms and
// the bench's capacity fall from 8 to 3. The socket is caught as httplib creates it, and once
// bound it is listened on again with a real server's backlog (Linux applies a second listen()).
#pragma once

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>

namespace llmwire::sim::detail {

class ListenBacklog {
 public:
  /// Before binding: keeps httplib's own socket options and notes the socket.
  void attach(httplib::Server& server) {
    server.set_socket_options([this](socket_t sock) {
      httplib::default_socket_options(sock);
      socket_.store(sock);
    });
  }
  /// After binding: raises the backlog of the listening socket.
  void widen(int backlog = 1024) const {
    const socket_t sock = socket_.load();
    if (sock >= 0) ::listen(sock, backlog);
  }

 private:
  std::atomic<socket_t> socket_{-1};
};

}  // namespace llmwire::sim::detail
