// Timed requests through llmwire::Client: event times are taken on the client's event-loop
// thread as each delta is decoded, which is as close to the wire as a caller can get.

#include <chrono>
#include <memory>

#include "bench/runner.hpp"

#ifdef LLMWIRE_HAS_CLIENT

namespace llmwire::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Timer {
  Clock::time_point start = Clock::now();
  std::optional<double> first, last;
  int deltas = 0;

  EventSink sink() {
    return [this](const Event& event) {
      if (std::holds_alternative<ContentDelta>(event) ||
          std::holds_alternative<ReasoningDelta>(event) ||
          std::holds_alternative<ToolCallBegin>(event) ||
          std::holds_alternative<ToolCallArgumentsDelta>(event)) {
        double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        if (!first) first = ms;
        last = ms;
        ++deltas;
      }
      return true;
    };
  }

  Exchange finish(Result<ChatResult> result) const {
    Exchange exchange;
    exchange.total_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    exchange.result = std::move(result);
    exchange.first_ms = first;
    exchange.last_ms = last;
    exchange.deltas = deltas;
    return exchange;
  }
};

}  // namespace

ChatFunction client_chat(Client& client) {
  return [&client](const ChatRequest& request) {
    Timer timer;
    auto result = client.stream(request, timer.sink());
    return timer.finish(std::move(result));
  };
}

ParallelChatFunction client_parallel_chat(Client& client) {
  return [&client](const std::vector<ChatRequest>& requests) {
    std::vector<std::unique_ptr<Timer>> timers;
    std::vector<ChatHandle> handles;
    for (const auto& request : requests) {
      timers.push_back(std::make_unique<Timer>());
      handles.push_back(client.start(request, timers.back()->sink()));
    }
    std::vector<Exchange> exchanges;
    for (std::size_t i = 0; i < handles.size(); ++i)
      exchanges.push_back(timers[i]->finish(handles[i].wait()));
    return exchanges;
  };
}

}  // namespace llmwire::bench

#endif
