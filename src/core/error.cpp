#include "llmwire/error.hpp"

namespace llmwire {

std::string_view to_string(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::invalid_argument: return "invalid_argument";
    case ErrorKind::io: return "io";
    case ErrorKind::parse: return "parse";
    case ErrorKind::protocol: return "protocol";
    case ErrorKind::connect: return "connect";
    case ErrorKind::dns: return "dns";
    case ErrorKind::tls: return "tls";
    case ErrorKind::timeout: return "timeout";
    case ErrorKind::cancelled: return "cancelled";
    case ErrorKind::http: return "http";
    case ErrorKind::rate_limited: return "rate_limited";
    case ErrorKind::server: return "server";
    case ErrorKind::stream_broken: return "stream_broken";
    case ErrorKind::unsupported: return "unsupported";
    case ErrorKind::validation: return "validation";
    case ErrorKind::gpu_unavailable: return "gpu_unavailable";
    case ErrorKind::internal: return "internal";
  }
  return "unknown";
}

}  // namespace llmwire
