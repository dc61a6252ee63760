// The built-in profiles, as data in the same JSON format users load (docs/PROFILES.md), so
// overriding one from a file needs no recompiling and the two can never drift apart.

#include "profiles/builtin_profiles.hpp"

namespace llmwire::profiles_detail {

std::string_view builtin_profiles_json() {
  // Match rules are case-insensitive globs; the longest literal match wins, so the E2B/E4B
  // patterns beat the generic Gemma 4 ones.
  static constexpr std::string_view json = R"json({"profiles": [
  {
    "name": "generic",
    "description": "Any model: no client-side parsing, nothing switched, nothing refused",
    "match": ["*"],
    "capabilities": {"tools": true, "thinking": true, "vision": true, "audio": true, "context_length": 0},
    "thinking": {"default_on": false, "always_send_on_ollama": false, "levels": true},
    "output_parser": ""
  },
  {
    "name": "gemma4",
    "description": "Gemma 4 26B-A4B and 31B: text and images, <|tool_call> calls, thought channel",
    "match": ["*gemma-4*", "*gemma4*", "*gemma_4*"],
    "capabilities": {"tools": true, "thinking": true, "vision": true, "audio": false, "context_length": 262144},
    "thinking": {"default_on": false, "always_send_on_ollama": true, "levels": false},
    "request_edits": {
      "openai": {"skip_special_tokens": false},
      "stop": ["<|tool_response>"]
    },
    "image": {"convert_to_png": true, "max_side": 0, "flatten_alpha": true},
    "output_parser": "gemma4"
  },
  {
    "name": "gemma4-edge",
    "extends": "gemma4",
    "description": "Gemma 4 E2B and E4B (Ollama's plain `gemma4` tag is E4B): adds audio input",
    "match": ["*gemma-4-e?b*", "*gemma4-e?b*", "*gemma4:e?b*", "*gemma_4_e?b*", "gemma4", "gemma4:latest"],
    "capabilities": {"audio": true, "context_length": 131072}
  },
  {
    "name": "nemotron3",
    "description": "NVIDIA Nemotron 3 Nano 30B-A3B and Super 120B-A12B: Qwen3-Coder XML calls, <think> prefilled",
    "match": ["*nemotron-3*", "*nemotron3*", "*nemotron_3*"],
    "capabilities": {"tools": true, "thinking": true, "vision": false, "audio": false, "context_length": 262144},
    "thinking": {"default_on": true, "always_send_on_ollama": false, "levels": false},
    "output_parser": "qwen3-coder"
  },
  {
    "name": "qwen3",
    "description": "Qwen3 (hybrid thinking): Hermes JSON tool calls and <think> reasoning",
    "match": ["*qwen3*", "*qwen-3*"],
    "capabilities": {"tools": true, "thinking": true, "vision": false, "audio": false, "context_length": 40960},
    "thinking": {"default_on": true, "always_send_on_ollama": false, "levels": false},
    "output_parser": "hermes"
  },
  {
    "name": "qwen3-coder",
    "description": "Qwen3-Coder: XML tool calls typed by the tool schema, no thinking",
    "match": ["*qwen3-coder*", "*qwen3_coder*"],
    "capabilities": {"tools": true, "thinking": false, "vision": false, "audio": false, "context_length": 262144},
    "thinking": {"default_on": false, "always_send_on_ollama": false, "levels": false},
    "output_parser": "qwen3-coder"
  }
]})json";
  return json;
}

}  // namespace llmwire::profiles_detail
