// The tool-call loop (issue 5): model → tool calls → handlers → results → model, bounded.

#include <algorithm>

#include "llmwire/client.hpp"
#include "llmwire/tools.hpp"

namespace llmwire::tools {

Result<LoopResult> run_loop(Client& client, ChatRequest request, const Registry& tools,
                            const LoopOptions& options) {
  request.tools = tools.specs();
  LoopResult out;
  const int max_steps = std::max(1, options.max_steps);
  for (int step = 1; step <= max_steps; ++step) {
    auto reply = client.chat(request);
    if (!reply) return tl::unexpected(reply.error());
    out.steps = step;
    // A reply that broke mid-stream is not acted on: its tool calls may be cut off.
    if (reply->error) return tl::unexpected(*reply->error);
    out.final = std::move(*reply);
    if (out.final.tool_calls.empty()) break;
    if (step == max_steps) {
      out.step_limit_reached = true;
      break;
    }
    run_calls(tools, out.final.content.value_or(std::string()), out.final.tool_calls, step,
              request.messages, out.runs);
  }
  out.messages = std::move(request.messages);
  return out;
}

}  // namespace llmwire::tools
