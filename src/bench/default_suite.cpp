// The default suite, compiled in so `llmwire bench` needs no installed data file. The same text
// is share/llmwire/suites/default.json (a test keeps them equal): edit both together.

#include "bench/suite.hpp"

namespace llmwire::bench {

std::string_view default_suite_json() noexcept {
  static constexpr std::string_view text = R"json({
  "name": "default",
  "description": "The seeds' benchmark matrix: throughput, TTFT, concurrency, long context, VRAM, entity extraction, tool calling, vision and Kannada, judged against the seeds' swap thresholds.",
  "thinking": "off",
  "tests": {
    "throughput": {
      "runs": 5,
      "fixed_length": true,
      "max_tokens": 500,
      "prompts": [
        "Write about 400 words explaining how mixture-of-experts language models decide which experts to use for each token.",
        "Explain in detail, in about 400 words, why memory bandwidth limits the decoding speed of large language models.",
        "Write a 400-word story about a robot that learns to cook dosa in a small Bangalore kitchen.",
        "Describe, in about 400 words, the trade-offs between 4-bit and 8-bit quantization for local inference.",
        "Explain in about 400 words how a key-value cache speeds up text generation and what limits its size."
      ]
    },
    "ttft": {
      "max_tokens": 32,
      "prompts": [
        "Say hello to Priya in one short sentence.",
        "What is the capital of Karnataka? Answer in one line.",
        "Give me one word that rhymes with 'light'.",
        "Name a colour of the rainbow, nothing else.",
        "Reply with a short greeting for a Monday morning."
      ]
    },
    "concurrency": {
      "parallel": 3,
      "levels": [1, 3, 8],
      "max_tokens": 500,
      "prompt": "Write about 400 words on how to plan a weekend trip from Bangalore to Coorg."
    },
    "long_context": {
      "input_tokens": 32000,
      "max_tokens": 500,
      "needle": "The secret code is TIGER-4921.",
      "question": "What is the secret code mentioned in the document above? Then explain in about 400 words what the document is about.",
      "expected": "TIGER-4921"
    },
    "vram": {"measure": "model"},
    "entities": {
      "prompt": "Extract every person and every place mentioned in the text below. Answer only with JSON of the form {\"persons\": [...], \"places\": [...]}.\n\nText: ",
      "text": "Last Saturday Rajesh drove from Bangalore to Mysore with his sister Priya and her husband Arun. They met their old teacher Lakshmi at the palace, and Arun's colleague Vikram joined them for lunch. On Sunday they took a bus to Coorg, where Priya's friend Meera and her son Rohan showed them the coffee estates.",
      "max_tokens": 300,
      "persons": ["Rajesh", "Priya", "Arun", "Lakshmi", "Vikram", "Meera", "Rohan"],
      "places": ["Bangalore", "Mysore", "Coorg"]
    },
    "tools": {
      "max_tokens": 200,
      "tools": [
        {"name": "web_search", "description": "Search the web for current information: news, weather, prices.",
         "parameters": {"type": "object", "properties": {"query": {"type": "string", "description": "What to search for"}}, "required": ["query"]}},
        {"name": "search_memory", "description": "Search the user's own memories: past conversations, notes and things people said.",
         "parameters": {"type": "object", "properties": {"query": {"type": "string", "description": "What to look for"}}, "required": ["query"]}},
        {"name": "get_entity_details", "description": "Get what is known about one person, place or thing by name.",
         "parameters": {"type": "object", "properties": {"name": {"type": "string", "description": "The entity's name"}}, "required": ["name"]}}
      ],
      "cases": [
        {"prompt": "What's the weather like in Bangalore today?", "tool": "web_search", "arguments_contain": {"query": "weather"}},
        {"prompt": "Search the web for the latest DGX Spark news.", "tool": "web_search", "arguments_contain": {"query": "DGX Spark"}},
        {"prompt": "What is the current price of NVIDIA stock?", "tool": "web_search", "arguments_contain": {"query": "NVIDIA"}},
        {"prompt": "Do you remember what I said about my vacation plans?", "tool": "search_memory", "arguments_contain": {"query": "vacation"}},
        {"prompt": "What did Priya say about the product launch?", "tool": "search_memory", "arguments_contain": {"query": "product launch"}},
        {"prompt": "Find my notes from last week's meeting with the design team.", "tool": "search_memory", "arguments_contain": {"query": "design"}},
        {"prompt": "Tell me about Arun.", "tool": "get_entity_details", "arguments_contain": {"name": "Arun"}},
        {"prompt": "Who is Meera?", "tool": "get_entity_details", "arguments_contain": {"name": "Meera"}}
      ],
      "weights": {"structured": 1.0, "recovered": 0.75, "wrong": 0.0}
    },
    "vision": {
      "prompt": "This picture is a 10x10 grid of coloured squares. Name every colour you see and say where in the picture each one is (for example top-left, center, bottom-right).",
      "max_tokens": 300,
      "grid": [
        "RRRRRBBBBB",
        "RRRRRBBBBB",
        "RRRRRBBBBB",
        "RRRRRBBBBB",
        "RRRRPPBBBB",
        "GGGGPPYYYY",
        "GGGGGYYYYY",
        "GGGGGYYYYY",
        "GGGGGYYYYY",
        "GGGGGYYYYY"
      ],
      "palette": {
        "R": {"name": "red", "rgb": [220, 30, 30], "position": "top-left"},
        "B": {"name": "blue", "rgb": [30, 60, 220], "position": "top-right"},
        "G": {"name": "green", "rgb": [30, 160, 60], "position": "bottom-left"},
        "Y": {"name": "yellow", "rgb": [240, 220, 30], "position": "bottom-right"},
        "P": {"name": "purple", "rgb": [130, 40, 160], "position": "center"}
      }
    },
    "kannada": {
      "prompt": "Extract the key entities (people, places, events) from this message and answer as JSON {\"persons\": [...], \"places\": [...], \"events\": [...]}:\n\n",
      "text": "Priya ಮತ್ತು Arun ಈ ವಾರ Bangalore ಇಂದ Hubli ಗೆ ಹೋಗ್ತಾ ಇದ್ದಾರೆ, Mom ಜೊತೆ Diwali celebrate ಮಾಡೋಕೆ. ಅಮ್ಮ ತುಂಬಾ excited ಆಗಿದ್ದಾರೆ!",
      "entities": [["Priya", "ಪ್ರಿಯಾ"], ["Arun", "ಅರುಣ್"], ["Mom", "Amma", "ಅಮ್ಮ", "mother"], ["Bangalore", "Bengaluru", "ಬೆಂಗಳೂರು"], ["Hubli", "Hubballi", "ಹುಬ್ಬಳ್ಳಿ"], ["Diwali", "Deepavali", "ದೀಪಾವಳಿ"]],
      "reply_prompt": "ನಮಸ್ಕಾರ! ನೀವು ಹೇಗಿದ್ದೀರಾ? ದಯವಿಟ್ಟು ಕನ್ನಡದಲ್ಲಿ ಉತ್ತರಿಸಿ.",
      "min_kannada_chars": 10,
      "max_tokens": 200
    }
  },
  "thresholds": {
    "tok_s_min": 40,
    "ttft_ms_max": 200,
    "vram_gb_max": 25,
    "tools_min": 6,
    "vision_colours_min": 5,
    "persons_min": 5,
    "kannada_entities_min": 4
  },
  "weights": {"quality": 40, "performance": 25, "vision": 20, "vram": 10, "stability": 5},
  "scoring": {"tok_s_full": 80, "ttft_ms_full": 50, "vram_gb_zero": 50},
  "swap_margin": 0.15,
  "quality_repeats": 3,
  "pin_sampling": true,
  "temperature": 0,
  "seed": 1234
}
)json";
  return text;
}

}  // namespace llmwire::bench
