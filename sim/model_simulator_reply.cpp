// The simulated model's "mind": reads a chat request and decides a plausible answer. It keys off
// what a real model would see (offered tools, attached images, the script and wording of the
// prompt), not off the bench suite, so an edited suite still gets sensible behaviour.

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <string_view>

#include "llmwire_sim/model_simulator.hpp"
#include "model_simulator_internal.hpp"

namespace llmwire::sim {
namespace {

// What the simulated model "knows": names it recognises as people, places and events. Kannada
// spellings map to the English names the answer uses.
constexpr std::array<std::string_view, 24> known_persons = {
    "Rajesh", "Priya", "Arun",   "Lakshmi", "Vikram", "Meera", "Rohan",  "Anil",
    "Deepa",  "Kavya", "Suresh", "Ravi",    "Sneha",  "Rahul", "Anjali", "Kiran",
    "Mom",    "Dad",   "Amma",   "Appa",    "Nisha",  "Gopal", "Asha",   "Sanjay"};
constexpr std::array<std::string_view, 16> known_places = {
    "Bangalore", "Bengaluru", "Mysore", "Mysuru", "Hubli", "Hubballi", "Coorg",     "Chennai",
    "Mumbai",    "Delhi",     "Pune",   "Goa",    "Hampi", "Udupi",    "Mangalore", "Ooty"};
constexpr std::array<std::string_view, 8> known_events = {
    "Diwali", "Ugadi", "Dasara", "Sankranti", "Holi", "Christmas", "Onam", "Pongal"};
struct Alias {
  std::string_view kannada;
  std::string_view english;
};
constexpr std::array<Alias, 7> kannada_aliases = {{{"ಅಮ್ಮ", "Mom"},
                                                   {"ಪ್ರಿಯಾ", "Priya"},
                                                   {"ಅರುಣ್", "Arun"},
                                                   {"ಬೆಂಗಳೂರು", "Bangalore"},
                                                   {"ಹುಬ್ಬಳ್ಳಿ", "Hubli"},
                                                   {"ದೀಪಾವಳಿ", "Diwali"},
                                                   {"ಮೈಸೂರು", "Mysore"}}};

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

bool contains_any(std::string_view haystack, std::initializer_list<std::string_view> needles) {
  return std::any_of(needles.begin(), needles.end(),
                     [&](std::string_view n) { return contains(haystack, n); });
}

// A whole-word, case-sensitive match: "Arun" in "Arun's" yes, in "Aruna" no.
bool has_word(std::string_view text, std::string_view word) {
  for (auto at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
    bool left_ok = at == 0 || !std::isalpha(static_cast<unsigned char>(text[at - 1]));
    auto end = at + word.size();
    bool right_ok = end >= text.size() || !std::isalpha(static_cast<unsigned char>(text[end]));
    if (left_ok && right_ok) return true;
  }
  return false;
}

bool has_kannada(std::string_view text) {
  // U+0C80..U+0CFF is E0 B2 80 .. E0 B3 BF in UTF-8.
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    if (static_cast<unsigned char>(text[i]) == 0xE0 &&
        (static_cast<unsigned char>(text[i + 1]) == 0xB2 ||
         static_cast<unsigned char>(text[i + 1]) == 0xB3)) {
      return true;
    }
  }
  return false;
}

template <std::size_t N>
std::vector<std::string> find_known(std::string_view text,
                                    const std::array<std::string_view, N>& names) {
  std::vector<std::string> found;
  for (auto name : names) {
    if (has_word(text, name)) found.emplace_back(name);
  }
  for (const auto& alias : kannada_aliases) {
    if (!contains(text, alias.kannada)) continue;
    if (std::find(names.begin(), names.end(), alias.english) == names.end()) continue;
    if (std::find(found.begin(), found.end(), alias.english) == found.end()) {
      found.emplace_back(alias.english);
    }
  }
  return found;
}

std::string trim_question(std::string_view text) {
  while (!text.empty() &&
         (text.back() == '?' || text.back() == '.' || text.back() == ' ' || text.back() == '\n')) {
    text.remove_suffix(1);
  }
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n')) text.remove_prefix(1);
  return std::string(text);
}

bool offered(const SimRequest& request, std::string_view tool) {
  return std::find(request.tool_names.begin(), request.tool_names.end(), tool) !=
         request.tool_names.end();
}

SimReply decide_tool_call(const SimRequest& request) {
  const std::string& text = request.last_user_text;
  auto low = lower(text);
  auto persons = find_known(text, known_persons);
  ToolCall call;
  call.origin = ToolCallOrigin::server;
  // The order of these rules is the simulated model's judgement. A named person pulls it
  // towards the entity tool, which is exactly the ambiguity the seeds saw ("What did Priya
  // say about the product launch?" answered with get_entity_details: 7/8).
  if (contains_any(low, {"remember", "did i ", "i told", "i said", "my notes", "i mentioned",
                         "we discussed"})) {
    call.name = "search_memory";
    call.arguments = {{"query", trim_question(text)}};
  } else if (!persons.empty()) {
    call.name = "get_entity_details";
    call.arguments = {{"name", persons.front()}};
  } else if (contains_any(low, {"weather", "news", "latest", "price", "search", "current", "today",
                                "score"})) {
    call.name = "web_search";
    call.arguments = {{"query", trim_question(text)}};
  } else if (contains_any(low, {"who is", "tell me about"})) {
    call.name = "get_entity_details";
    auto at = low.find("who is") != std::string::npos ? low.find("who is") + 6
                                                      : low.find("tell me about") + 13;
    call.arguments = {{"name", trim_question(std::string_view(text).substr(at))}};
  } else {
    call.name = "search_memory";
    call.arguments = {{"query", trim_question(text)}};
  }
  if (!offered(request, call.name)) {
    call.name = request.tool_names.front();
    call.arguments = {{"query", trim_question(text)}};
  }
  SimReply reply;
  reply.reasoning =
      "The user asks: \"" + trim_question(text) + "\". The best tool is " + call.name + ".";
  reply.tool_calls.push_back(std::move(call));
  return reply;
}

std::string json_list(const std::vector<std::string>& items) {
  nlohmann::json array = nlohmann::json::array();
  for (const auto& item : items) array.push_back(item);
  return array.dump();
}

SimReply decide_extraction(const SimRequest& request, bool malformed) {
  const std::string& text = request.last_user_text;
  auto persons = find_known(text, known_persons);
  auto places = find_known(text, known_places);
  auto events = find_known(text, known_events);
  // Pretty-printed like a model writes it, with the seeds' defect on demand: a dropped quote
  // after a key (`"places: [` instead of `"places": [`).
  std::string json = "{\n  \"persons\": " + json_list(persons) + ",\n  \"places";
  json += malformed ? ": " : "\": ";
  json += json_list(places);
  if (!events.empty()) json += ",\n  \"events\": " + json_list(events);
  json += "\n}";
  SimReply reply;
  reply.reasoning = "I will list every person and place mentioned in the text.";
  reply.content = request.wants_json ? json : "```json\n" + json + "\n```";
  return reply;
}

std::string find_secret(std::string_view text) {
  constexpr std::string_view cue = "secret code is ";
  auto at = text.find(cue);
  if (at == std::string_view::npos) return {};
  at += cue.size();
  auto end = at;
  while (end < text.size() &&
         (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '-')) {
    ++end;
  }
  return std::string(text.substr(at, end - at));
}

constexpr std::string_view essay =
    "Local inference servers trade a little convenience for control. A team that runs its own "
    "model decides which weights to load, how much memory to reserve for the key-value cache, "
    "and how many requests to batch together. Throughput depends mostly on memory bandwidth: "
    "every generated token reads the active weights once, so a mixture-of-experts model that "
    "activates a few billion parameters per token runs several times faster than a dense model "
    "of the same size. Time to first token depends on prefill, which is compute-bound and grows "
    "with the prompt, so long conversations feel slower to start even when decoding is fast. "
    "Quantization to four bits shrinks the weights and speeds up decoding, at a small cost in "
    "accuracy that careful benchmarks should measure rather than assume. ";

}  // namespace

Result<SimRequest> read_request(const nlohmann::json& body, bool ollama) {
  if (!body.is_object()) return fail(ErrorKind::invalid_argument, "request body is not an object");
  auto messages = body.find("messages");
  if (messages == body.end() || !messages->is_array() || messages->empty()) {
    return fail(ErrorKind::invalid_argument, "request has no messages");
  }
  SimRequest request;
  for (const auto& message : *messages) {
    if (!message.is_object())
      return fail(ErrorKind::invalid_argument, "a message is not an object");
    std::string role = message.value("role", "");
    std::string text;
    std::vector<std::string> images;
    if (auto content = message.find("content"); content != message.end()) {
      if (content->is_string()) {
        text = content->get<std::string>();
      } else if (content->is_array()) {
        for (const auto& part : *content) {
          if (!part.is_object()) continue;
          auto type = part.value("type", "");
          if (type == "text" && part.contains("text") && part["text"].is_string()) {
            text += part["text"].get<std::string>();
          } else if (type == "image_url" && part.contains("image_url")) {
            const auto& image = part["image_url"];
            std::string url = image.is_object()
                                  ? image.value("url", "")
                                  : (image.is_string() ? image.get<std::string>() : "");
            if (auto comma = url.find("base64,"); comma != std::string::npos) {
              images.push_back(url.substr(comma + 7));
            }
          }
        }
      }
    }
    if (ollama) {
      if (auto list = message.find("images"); list != message.end() && list->is_array()) {
        for (const auto& image : *list) {
          if (image.is_string()) images.push_back(image.get<std::string>());
        }
      }
    }
    request.prompt_tokens +=
        4 + estimate_tokens(text) + 256 * static_cast<std::int64_t>(images.size());
    if (role == "user") {
      request.last_user_text = std::move(text);
      request.images_base64 = std::move(images);
    }
  }
  if (auto tools = body.find("tools"); tools != body.end() && tools->is_array()) {
    for (const auto& tool : *tools) {
      if (!tool.is_object()) continue;
      const auto& function = tool.contains("function") ? tool["function"] : tool;
      if (function.is_object() && function.contains("name") && function["name"].is_string()) {
        request.tool_names.push_back(function["name"].get<std::string>());
        request.prompt_tokens += estimate_tokens(function.dump());
      }
    }
  }
  if (ollama) {
    if (auto think = body.find("think"); think != body.end() && think->is_boolean()) {
      request.thinking = think->get<bool>();
    }
    if (auto options = body.find("options"); options != body.end() && options->is_object()) {
      if (auto n = options->find("num_predict"); n != options->end() && n->is_number_integer()) {
        request.max_tokens = n->get<int>();
      }
    }
    request.wants_json = body.contains("format") && !body["format"].is_null();
  } else {
    if (auto kwargs = body.find("chat_template_kwargs");
        kwargs != body.end() && kwargs->is_object()) {
      if (auto on = kwargs->find("enable_thinking"); on != kwargs->end() && on->is_boolean()) {
        request.thinking = on->get<bool>();
      }
    }
    for (const char* key : {"max_tokens", "max_completion_tokens"}) {
      if (auto n = body.find(key); n != body.end() && n->is_number_integer()) {
        request.max_tokens = n->get<int>();
      }
    }
    request.wants_json = body.contains("response_format") && body["response_format"].is_object();
  }
  if (request.max_tokens <= 0) request.max_tokens = 1;
  return request;
}

bool is_extraction_request(const SimRequest& request) {
  return request.tool_names.empty() && request.images_base64.empty() &&
         contains_any(lower(request.last_user_text), {"extract", "entities", "list the people"});
}

SimReply decide_reply(const SimRequest& request, bool malformed) {
  const std::string& text = request.last_user_text;
  auto low = lower(text);
  if (!request.tool_names.empty()) return decide_tool_call(request);

  SimReply reply;
  if (!request.images_base64.empty()) {
    std::string description;
    // Decode the base64 and look at the picture: the answer names what is really there.
    static constexpr std::string_view alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string bytes;
    unsigned buffer = 0;
    int bits = 0;
    for (char c : request.images_base64.front()) {
      auto value = alphabet.find(c);
      if (value == std::string_view::npos) continue;
      buffer = (buffer << 6) | static_cast<unsigned>(value);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        bytes.push_back(static_cast<char>((buffer >> bits) & 0xFF));
      }
    }
    description = describe_png(bytes);
    reply.reasoning = "Let me look at the colours in the image and where they are.";
    reply.content = description.empty() ? "I can't make out this image." : description;
    return reply;
  }
  if (is_extraction_request(request)) return decide_extraction(request, malformed);
  if (has_kannada(text)) {
    reply.reasoning = "The user writes in Kannada, so I answer in Kannada.";
    reply.content = "ನಮಸ್ಕಾರ! ನಾನು ಚೆನ್ನಾಗಿದ್ದೇನೆ, ಧನ್ಯವಾದಗಳು. ನಿಮಗೆ ಇಂದು ಹೇಗೆ ಸಹಾಯ ಮಾಡಲಿ?";
    return reply;
  }
  if (auto secret = find_secret(text); !secret.empty()) {
    reply.reasoning = "The document mentions a secret code; the user asks for it.";
    reply.content = "The secret code is " + secret + ". ";
    reply.long_form = true;
    return reply;
  }
  if (contains_any(low, {"write", "explain", "describe", "words", "essay", "story"})) {
    reply.reasoning = "A long answer is wanted; I will explain step by step.";
    reply.content = std::string(essay);
    reply.long_form = true;
    return reply;
  }
  reply.reasoning = "A short answer will do.";
  reply.content = "Sure. " + trim_question(text).substr(0, 120) + " — that is a good question.";
  return reply;
}

std::string_view long_form_filler() noexcept {
  return essay;
}

}  // namespace llmwire::sim
