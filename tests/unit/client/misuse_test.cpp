// What a host app or a broken server can do wrong, answered with an error value: injected
// headers, absurd durations, replies that are not HTTP, waiting or destroying from a callback.

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <limits>
#include <memory>
#include <thread>

#include "client_test_support.hpp"

using std::chrono::milliseconds;

namespace {

/// A loopback TCP server that answers every connection with fixed bytes, then closes: for
/// replies no HTTP server library would send.
class RawServer {
 public:
  explicit RawServer(std::string reply) : reply_(std::move(reply)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    REQUIRE(::listen(fd_, 8) == 0);
    thread_ = std::thread([this] {
      for (;;) {
        int client = ::accept(fd_, nullptr, nullptr);
        if (client < 0) return;
        char buffer[4096];
        (void)::recv(client, buffer, sizeof buffer, 0);  // the request (enough of it)
        (void)::send(client, reply_.data(), reply_.size(), MSG_NOSIGNAL);
        ::close(client);
      }
    });
  }
  ~RawServer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  std::string reply_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace

TEST_CASE("a header value with CR/LF is refused, not sent as an injected header") {
  for (auto header :
       std::vector<std::pair<std::string, std::string>>{{"X-Trace", "abc\r\nX-Injected: 1"},
                                                        {"X-Trace", "a\nb"},
                                                        {"Bad:Name", "v"},
                                                        {"", "v"}}) {
    auto options = options_for({"http://127.0.0.1:9"});
    options.headers = {header};
    auto client = Client::create(options);
    REQUIRE_FALSE(client);
    CHECK(client.error().kind == ErrorKind::invalid_argument);
    CHECK(client.error().message.find("CR, LF") != std::string::npos);
    CHECK(client.error().message.find('\n') == std::string::npos);
  }
}

TEST_CASE("durations: negative refused, absurd ones saturated (no clock overflow)") {
  auto negative = options_for({"http://127.0.0.1:9"});
  negative.total_timeout = -5ms;
  auto refused = Client::create(negative);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message == "ClientOptions::total_timeout must not be negative");

  // INT64_MAX ms overflowed steady_clock's nanoseconds in `start + total_timeout` (UBSan).
  Server s;
  s.server.set_default(ScriptedReply::sse(vllm_stream({"ok"})));
  auto huge = options_for({s.server.base_url()});
  huge.total_timeout = milliseconds(std::numeric_limits<milliseconds::rep>::max());
  huge.idle_timeout = milliseconds(std::numeric_limits<milliseconds::rep>::max());
  huge.first_byte_timeout = milliseconds(std::numeric_limits<milliseconds::rep>::max());
  Client client(huge);
  auto result = client.chat(hello());
  REQUIRE(result);
  CHECK(result->content == "ok");
  CHECK(client.options().total_timeout == std::chrono::hours(24 * 365 * 10));
}

TEST_CASE("Retry-After dates far in the past or future: no overflow") {
  CHECK(parse_retry_after("Sat, 01 Jan 1611 00:00:00 GMT", false) == milliseconds(0));
  CHECK(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", false) ==
        milliseconds(1'000'000'000'000));
}

TEST_CASE("replies that are not HTTP are protocol errors, not 'bad endpoint URL'") {
  for (const char* reply : {"hello, I am not HTTP\r\n\r\n", "HTTP/1.1 abc\r\n\r\n",
                            "HTTP/1.1 2000000 OK\r\nContent-Length: 0\r\n\r\n"}) {
    CAPTURE(reply);
    RawServer server(reply);
    auto options = options_for({server.url()});
    options.max_retries = 0;
    Client client(options);
    auto result = client.chat(hello());
    REQUIRE_FALSE(result);
    CHECK(result.error().kind != ErrorKind::invalid_argument);
    CHECK(result.error().message.find("bad endpoint URL") == std::string::npos);
  }
  RawServer http09("hello, I am not HTTP\r\n\r\n");
  auto options = options_for({http09.url()});
  options.max_retries = 0;
  Client client(options);
  auto result = client.chat(hello());
  REQUIRE_FALSE(result);
  CHECK(result.error().kind == ErrorKind::protocol);
  CHECK(result.error().message.find("did not answer with valid HTTP") != std::string::npos);
}

TEST_CASE("ChatHandle::wait() from an event callback is refused instead of deadlocking") {
  Server s;
  Server slow;  // answers only after 10 s: the other call is surely running during the callback
  ScriptedReply late = ScriptedReply::sse(vllm_stream({"late"}));
  late.first_byte_delay = 10'000ms;
  slow.server.set_default(late);
  s.server.set_default(ScriptedReply::sse(vllm_stream({"a", "b"})));
  Client client(options_for({s.server.base_url()}));
  Client other_client(options_for({slow.server.base_url()}));
  ChatHandle other = other_client.start(hello());
  std::optional<Result<ChatResult>> waited;
  Client* inner = &client;
  auto result = client.stream(hello(), [&](const Event& e) {
    if (std::holds_alternative<ContentDelta>(e) && !waited) {
      ChatHandle mine = inner->start(hello());  // a call on this client's own loop
      waited = mine.wait();
      mine.cancel();
    }
    return true;
  });
  REQUIRE(result);
  CHECK(result->content == "ab");
  REQUIRE(waited);
  REQUIRE_FALSE(*waited);
  CHECK(waited->error().kind == ErrorKind::invalid_argument);
  CHECK(waited->error().message.find("would deadlock") != std::string::npos);
  other.cancel();
  auto cancelled = other.wait();  // from the main thread waiting works
  REQUIRE(cancelled);
  CHECK(cancelled->cancelled);
}

TEST_CASE("destroying the Client inside its own callback stops the call, no std::terminate") {
  Server s;
  ScriptedReply reply = ScriptedReply::sse(vllm_stream(words(50)), 2ms);
  s.server.set_default(reply);
  auto client = std::make_unique<Client>(options_for({s.server.base_url()}));
  std::atomic<int> events{0};
  ChatHandle handle = client->start(hello(), [&](const Event& e) {
    if (std::holds_alternative<ContentDelta>(e) && ++events == 3) client.reset();
    return true;
  });
  auto result = handle.wait();
  CHECK(client == nullptr);
  // Cancelled ("the client was destroyed") with what had arrived kept.
  if (result) {
    CHECK(result->cancelled);
    CHECK(result->content.value_or("").starts_with("w0 w1 w2"));
  } else {
    CHECK(result.error().kind == ErrorKind::cancelled);
  }
}

TEST_CASE("ESC and BEL in a server's error text are escaped in the Error") {
  Server s;
  s.server.enqueue(
      ScriptedReply::error(400, R"({"error":{"message":"bad \u001b[2J\u0007 input"}})"));
  s.server.enqueue(ScriptedReply::sse(
      {chunk({{"content", "x"}}), R"({"error":{"message":"mid \u001b]0;title\u0007 stream"}})"}));
  auto options = options_for({s.server.base_url()});
  options.max_retries = 0;
  Client client(options);
  auto before = client.chat(hello());
  REQUIRE_FALSE(before);
  CHECK(before.error().message.find("bad \\x1b[2J\\x07 input") != std::string::npos);
  auto during = client.chat(hello());
  REQUIRE(during);
  REQUIRE(during->error);
  CHECK(during->error->message == "mid \\x1b]0;title\\x07 stream");
}
