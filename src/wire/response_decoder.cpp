// The aggregator: framing (SSE | NDJSON) → dialect → optional output parser → events + ChatResult.

#include <algorithm>
#include <nlohmann/json.hpp>
#include <type_traits>

#include "core/secret_mask.hpp"
#include "core/trim.hpp"
#include "llmwire/json_parse.hpp"
#include "llmwire/ndjson.hpp"
#include "llmwire/printable.hpp"
#include "llmwire/profile.hpp"
#include "llmwire/sse.hpp"
#include "llmwire/stream.hpp"
#include "wire/dialect.hpp"
#include "wire/utf8.hpp"

namespace llmwire {

std::string_view to_string(Dialect dialect) noexcept {
  switch (dialect) {
    case Dialect::openai: return "openai";
    case Dialect::ollama: return "ollama";
  }
  return "openai";
}

std::optional<Dialect> dialect_from_string(std::string_view name) noexcept {
  if (name == "openai") return Dialect::openai;
  if (name == "ollama") return Dialect::ollama;
  return std::nullopt;
}

namespace {

// One OpenAI tool call being assembled from fragments.
struct PendingCall {
  int index = 0;
  std::string id;
  std::string name;
  std::string arguments;
  bool closed = false;
};

// Far more parallel tool calls than any model emits; see tool_fragment().
constexpr std::size_t max_tool_calls = 1024;

}  // namespace

struct ResponseDecoder::Impl final : wire::WireSink {
  Impl(Dialect d, DecoderOptions o)
      : dialect(d),
        options(o),
        sse_decoder(sse::DecoderOptions{.max_event_bytes = o.max_event_bytes}),
        ndjson_decoder(ndjson::DecoderOptions{.max_line_bytes = o.max_event_bytes}) {
    openai.fast_path_enabled = o.fast_path;
  }

  Dialect dialect;
  DecoderOptions options;
  sse::Decoder sse_decoder;
  ndjson::Decoder ndjson_decoder;
  wire::OpenAIChunkDecoder openai;
  std::string scratch;  // Ollama lines with invalid UTF-8, repaired
  ChatResult result;
  std::unique_ptr<OutputParser> parser;
  EventSink parser_sink;             // routes the parser's events into emit()
  std::function<void()> wire_delta;  // set_wire_delta_observer()
  const EventSink* sink = nullptr;   // the caller's sink for the feed()/finish() at hand
  std::vector<PendingCall> calls;
  Error last_error;  // the Error a StreamError event points at, alive during the callback
  int next_whole_call_index = 0;
  bool ended = false;      // the server signalled the end; later bytes are ignored
  bool failed = false;     // framing failed (event over the cap); later bytes are ignored
  bool finalized = false;  // parser flushed and open tool calls closed
  // The body's first bytes, kept only until the first SSE event: a 200 that is not an event
  // stream (a non-streamed completion, a JSON error, a proxy's HTML page) is decoded or
  // reported from them at finish() instead of ending as "no end signal" with its text lost.
  std::string head;
  bool saw_event = false;

  // ---- secrets ----------------------------------------------------------------------------
  detail::SecretMask mask;
  detail::StreamMask content_mask{&mask};
  detail::StreamMask reasoning_mask{&mask};
  Error masked_error;

  void mask_json_strings(nlohmann::json& value) const {
    if (value.is_string()) {
      mask.mask_same_length(value.get_ref<std::string&>());
    } else if (value.is_structured()) {  // at most json::max_depth levels (json_parse.hpp)
      for (nlohmann::json& child : value) mask_json_strings(child);
    }
  }

  bool flush_masked_text() {
    std::string_view content = content_mask.finish();
    if (!content.empty() && !deliver(ContentDelta{content})) return false;
    std::string_view reasoning = reasoning_mask.finish();
    return reasoning.empty() || deliver(ReasoningDelta{reasoning});
  }

  bool emit(const Event& event) {
    if (mask.empty()) return deliver(event);
    if (const auto* c = std::get_if<ContentDelta>(&event)) {
      std::string_view ready = content_mask.feed(c->text);
      return ready.empty() || deliver(ContentDelta{ready});
    }
    if (const auto* r = std::get_if<ReasoningDelta>(&event)) {
      std::string_view ready = reasoning_mask.feed(r->text);
      return ready.empty() || deliver(ReasoningDelta{ready});
    }
    if (!flush_masked_text()) return false;
    if (const auto* e = std::get_if<StreamError>(&event); e && e->error) {
      masked_error = *e->error;
      mask.redact(masked_error);
      return deliver(StreamError{&masked_error});
    }
    if (const auto* t = std::get_if<ToolCallComplete>(&event); t && t->call) {
      ToolCall call = *t->call;
      mask.mask_same_length(call.name);
      mask_json_strings(call.arguments);
      return deliver(ToolCallComplete{.index = t->index, .call = &call});
    }
    if (const auto* t = std::get_if<ToolCallIncomplete>(&event); t && t->call) {
      IncompleteToolCall call = *t->call;
      mask.mask_same_length(call.raw_text);
      return deliver(ToolCallIncomplete{&call});
    }
    if (const auto* t = std::get_if<ToolCallArgumentsDelta>(&event)) {
      std::string fragment(t->fragment);
      mask.mask_same_length(fragment);
      return deliver(ToolCallArgumentsDelta{.index = t->index, .fragment = fragment});
    }
    return deliver(event);
  }

  // ---- aggregation ------------------------------------------------------------------------
  bool deliver(const Event& event) {
    std::visit(
        [this](const auto& e) {
          using T = std::decay_t<decltype(e)>;
          if constexpr (std::is_same_v<T, ContentDelta>) {
            if (!result.content) result.content.emplace();
            result.content->append(e.text);
          } else if constexpr (std::is_same_v<T, ReasoningDelta>) {
            if (!result.reasoning) result.reasoning.emplace();
            result.reasoning->append(e.text);
          } else if constexpr (std::is_same_v<T, ToolCallComplete>) {
            if (e.call != nullptr) result.tool_calls.push_back(*e.call);
          } else if constexpr (std::is_same_v<T, ToolCallIncomplete>) {
            if (e.call != nullptr) result.incomplete_tool_calls.push_back(*e.call);
          } else if constexpr (std::is_same_v<T, UsageReport>) {
            result.usage = e.usage;
          } else if constexpr (std::is_same_v<T, ServerTimingsReport>) {
            if (e.timings != nullptr) result.server_timings = *e.timings;
          } else if constexpr (std::is_same_v<T, Finish>) {
            result.finish_reason = std::string(e.reason);
          } else if constexpr (std::is_same_v<T, StreamError>) {
            // The first error explains the failure; later ones are usually its consequences.
            if (e.error != nullptr && !result.error) result.error = *e.error;
          } else if constexpr (std::is_same_v<T, StreamDone>) {
            result.done = true;
          }
        },
        event);
    if (sink != nullptr && *sink && !(*sink)(event)) {
      result.cancelled = true;
      return false;
    }
    return true;
  }

  // ---- WireSink ---------------------------------------------------------------------------
  bool content(std::string_view text) override {
    if (!text.empty() && wire_delta) wire_delta();
    if (parser) return text.empty() || parser->feed(text, parser_sink);
    if (text.empty()) {
      // An empty fragment still means "the server sent content" (null vs "").
      if (!result.content) result.content.emplace();
      return true;
    }
    return emit(ContentDelta{text});
  }

  bool reasoning(std::string_view text) override {
    if (!text.empty() && wire_delta) wire_delta();
    if (text.empty()) {
      if (!result.reasoning) result.reasoning.emplace();
      return true;
    }
    return emit(ReasoningDelta{text});
  }

  bool tool_fragment(int index, std::optional<std::string_view> id,
                     std::optional<std::string_view> name, std::string_view arguments) override {
    auto it = std::find_if(calls.begin(), calls.end(),
                           [index](const PendingCall& c) { return c.index == index; });
    bool fresh = it == calls.end();
    if (fresh && calls.size() >= max_tool_calls) {
      // Each fragment searches the open calls: without a bound, a server sending a new index
      // per fragment would make decoding quadratic. Stop like an over-size event does.
      failed = true;
      error(make_error(ErrorKind::protocol, "more than " + std::to_string(max_tool_calls) +
                                                " tool calls in one response"));
      return false;
    }
    if (fresh) {
      PendingCall call;
      call.index = index;
      // Keep calls ordered by index so that completion order is index order.
      auto at = std::find_if(calls.begin(), calls.end(),
                             [index](const PendingCall& c) { return c.index > index; });
      it = calls.insert(at, std::move(call));
    }
    PendingCall& call = *it;
    if (call.closed) return true;  // fragments after finish_reason: nothing sane to do
    if (id && call.id.empty()) call.id = *id;
    if (name && call.name.empty()) call.name = *name;
    if (fresh &&
        !emit(ToolCallBegin{
            .index = index, .id = call.id, .name = call.name, .origin = ToolCallOrigin::server})) {
      return false;
    }
    if (!arguments.empty()) {
      if (wire_delta) wire_delta();
      call.arguments.append(arguments);
      return emit(ToolCallArgumentsDelta{.index = index, .fragment = arguments});
    }
    return true;
  }

  bool tool_call(ToolCall call) override {
    int index = next_whole_call_index++;
    if (!emit(ToolCallBegin{
            .index = index, .id = call.id, .name = call.name, .origin = call.origin})) {
      return false;
    }
    return emit(ToolCallComplete{.index = index, .call = &call});
  }

  bool finish_reason(std::string_view reason) override {
    if (!close_calls()) return false;
    return emit(Finish{reason});
  }

  bool usage(const Usage& u) override { return emit(UsageReport{u}); }

  bool server_timings(const ServerTimings& t) override { return emit(ServerTimingsReport{&t}); }

  bool error(Error e) override {
    // Every error the decoder reports passes here; most quote the server.
    escape_controls(e.message);
    escape_controls(e.provider_type);
    escape_controls(e.provider_code);
    last_error = std::move(e);
    return emit(StreamError{&last_error});
  }

  bool done() override {
    ended = true;
    if (!finalize()) return false;
    return emit(StreamDone{});
  }

  // ---- end of output ----------------------------------------------------------------------
  // Closes every open OpenAI tool call: complete when its argument text parses as a JSON
  // object (empty text means no arguments), reported as incomplete (never executed) otherwise.
  bool close_calls() {
    for (PendingCall& pending : calls) {
      if (pending.closed) continue;
      pending.closed = true;
      std::string_view text = detail::trim_blanks(pending.arguments);
      // Bounded depth: the call is copied into the result, and a copy recurses per level.
      auto parsed =
          text.empty() ? Result<nlohmann::json>(nlohmann::json::object()) : json::parse(text);
      nlohmann::json args = parsed ? std::move(*parsed) : nlohmann::json();
      if (args.is_object()) {
        ToolCall call{.id = pending.id,
                      .name = pending.name,
                      .arguments = std::move(args),
                      .origin = ToolCallOrigin::server};
        if (!emit(ToolCallComplete{.index = pending.index, .call = &call})) return false;
      } else {
        IncompleteToolCall call{.name = pending.name, .raw_text = pending.arguments};
        if (!emit(ToolCallIncomplete{&call})) return false;
      }
    }
    return true;
  }

  bool finalize() {
    if (finalized) return true;
    finalized = true;
    if (parser && !parser->finish(parser_sink)) return false;
    if (!close_calls()) return false;
    return mask.empty() || flush_masked_text();
  }

  // ---- framing ----------------------------------------------------------------------------
  bool on_sse_event(const sse::Event& event) {
    saw_event = true;
    if (!event.error.empty() && !openai.decode_error_field(event.error, *this)) return false;
    std::string_view data = detail::trim_blanks(event.data);
    if (data.empty()) return true;  // keep-alive style empty events carry nothing
    if (data == "[DONE]") {
      done();
      return false;  // stop framing: anything after [DONE] is ignored
    }
    return openai.decode(data, *this);
  }

  bool feed(std::string_view bytes) {
    if (ended || failed || result.cancelled) return !result.cancelled;
    Result<bool> framed = true;
    if (dialect == Dialect::openai) {
      if (!saw_event && head.size() < options.max_event_bytes) {
        head.append(bytes.substr(0, options.max_event_bytes - head.size()));
      }
      framed = sse_decoder.feed(bytes, [this](const sse::Event& e) { return on_sse_event(e); });
      if (saw_event && !head.empty()) std::string().swap(head);
    } else {
      framed = ndjson_decoder.feed(bytes, [this](std::string_view line) {
        if (!wire::decode_ollama_line(line, false, scratch, *this)) return false;
        return !ended;  // nothing after done:true counts
      });
    }
    if (!framed) {
      failed = true;
      error(framed.error());
    }
    return !result.cancelled;
  }

  void finish() {
    if (!ended && !failed && !result.cancelled && dialect == Dialect::ollama) {
      std::string_view tail = ndjson_decoder.finish();
      if (!tail.empty()) wire::decode_ollama_line(tail, true, scratch, *this);
    } else if (dialect == Dialect::ollama) {
      (void)ndjson_decoder.finish();
    }
    if (dialect == Dialect::openai) sse_decoder.finish();  // an unterminated event is dropped
    if (dialect == Dialect::openai && !saw_event && !ended && !failed && !result.cancelled) {
      decode_whole_body();
    }
    if (!result.cancelled) finalize();
  }

  // A body without a single SSE event: a whole completion or error object is decoded as the
  // server meant it; anything else is an error that quotes what the server sent.
  void decode_whole_body() {
    std::string_view body = detail::trim_blanks(head);
    // Comments (heartbeats) and fields with no data yet are an event stream that ended early.
    if (body.empty() || body.front() == ':' || body.starts_with("data") ||
        body.starts_with("event") || body.starts_with("id") || body.starts_with("retry")) {
      return;
    }
    auto parsed = json::parse(body, {.replace_unrepresentable = true});
    if (parsed && parsed->is_object() &&
        (parsed->contains("choices") || parsed->contains("error") ||
         wire::string_member(*parsed, "object") != nullptr)) {
      bool is_completion = parsed->contains("choices") && !parsed->contains("error");
      if (openai.decode_slow(body, *this) && is_completion) done();
      return;
    }
    constexpr std::size_t excerpt_bytes = 300;
    std::string excerpt;
    wire::append_sanitized_utf8(excerpt, body.substr(0, excerpt_bytes));
    for (char& c : excerpt) {
      if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    }
    if (body.size() > excerpt_bytes) excerpt += "…";
    error(
        make_error(ErrorKind::protocol, "the server's answer is not an event stream: " + excerpt));
  }
};

ResponseDecoder::ResponseDecoder(Dialect dialect, DecoderOptions options)
    : impl_(std::make_unique<Impl>(dialect, options)) {
  Impl* impl = impl_.get();
  impl->parser_sink = [impl](const Event& e) { return impl->emit(e); };
}

ResponseDecoder::~ResponseDecoder() = default;
ResponseDecoder::ResponseDecoder(ResponseDecoder&&) noexcept = default;
ResponseDecoder& ResponseDecoder::operator=(ResponseDecoder&&) noexcept = default;

void ResponseDecoder::set_output_parser(std::unique_ptr<OutputParser> parser) {
  impl_->parser = std::move(parser);
}

void ResponseDecoder::set_wire_delta_observer(std::function<void()> observer) {
  impl_->wire_delta = std::move(observer);
}

void ResponseDecoder::mask_secrets(const std::vector<std::string_view>& secrets) {
  impl_->mask = detail::SecretMask(secrets);
}

bool ResponseDecoder::feed(std::string_view bytes, const EventSink& sink) {
  impl_->sink = &sink;
  bool go_on = impl_->feed(bytes);
  impl_->sink = nullptr;
  return go_on;
}

void ResponseDecoder::finish(const EventSink& sink) {
  impl_->sink = &sink;
  impl_->finish();
  impl_->sink = nullptr;
}

const ChatResult& ResponseDecoder::result() const noexcept {
  return impl_->result;
}

ChatResult ResponseDecoder::take_result() noexcept {
  return std::move(impl_->result);
}

Dialect ResponseDecoder::dialect() const noexcept {
  return impl_->dialect;
}

}  // namespace llmwire
