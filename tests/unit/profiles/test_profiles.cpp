// Profiles as data: the built-ins, match rules, user files that add or override profiles.

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "llmwire/profile.hpp"

using llmwire::ErrorKind;
using llmwire::ProfileSet;

TEST_CASE("model ids from the seeds and the issue pick the right built-in profile") {
  const struct {
    const char* model;
    const char* profile;
  } cases[] = {
      {"gemma-4-26b", "gemma4"},
      {"google/gemma-4-26B-A4B-it", "gemma4"},
      {"google/gemma-4-31B-it", "gemma4"},
      {"gemma4:26b", "gemma4"},
      {"gemma4:31b", "gemma4"},
      {"bg-digitalservices/Gemma-4-26B-A4B-it-NVFP4", "gemma4"},
      {"unsloth/gemma-4-26B-A4B-it-GGUF", "gemma4"},
      {"google/gemma-4-E2B-it", "gemma4-edge"},
      {"google/gemma-4-E4B-it", "gemma4-edge"},
      {"gemma4:e2b", "gemma4-edge"},
      {"gemma4:E4B", "gemma4-edge"},
      {"gemma4", "gemma4-edge"},  // Ollama's plain tag is E4B
      {"gemma4:latest", "gemma4-edge"},
      {"nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-NVFP4", "nemotron3"},
      {"nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-FP8", "nemotron3"},
      {"nemotron-3-nano:30b", "nemotron3"},
      {"qwen3:8b", "qwen3"},
      {"Qwen/Qwen3-8B", "qwen3"},
      {"qwen3-coder:30b", "qwen3-coder"},
      {"Qwen/Qwen3-Coder-30B-A3B-Instruct", "qwen3-coder"},
      {"meta-llama/Llama-3.1-8B-Instruct", "generic"},
      {"", "generic"},
  };
  const ProfileSet set = ProfileSet::builtin();
  for (const auto& c : cases) {
    INFO(c.model);
    CHECK(set.find(c.model).name == c.profile);
    CHECK(llmwire::find_profile(c.model).name == c.profile);
  }
}

TEST_CASE("built-in profiles carry the capabilities and parsers the formats need") {
  const ProfileSet set = ProfileSet::builtin();
  for (const char* name :
       {"gemma4", "gemma4-edge", "nemotron3", "qwen3", "qwen3-coder", "generic"}) {
    INFO(name);
    REQUIRE(set.by_name(name) != nullptr);
  }
  const auto& gemma = *set.by_name("gemma4");
  CHECK(gemma.output_parser == "gemma4");
  CHECK(gemma.capabilities.vision);
  CHECK_FALSE(gemma.capabilities.audio);
  CHECK(gemma.thinking.always_send_on_ollama);
  CHECK(gemma.request_edits.openai.at("skip_special_tokens") == false);
  const auto& edge = *set.by_name("gemma4-edge");
  CHECK(edge.capabilities.audio);
  CHECK(edge.output_parser == "gemma4");  // inherited through "extends"
  CHECK(set.by_name("nemotron3")->output_parser == "qwen3-coder");
  CHECK(set.by_name("nemotron3")->thinking.default_on);
  CHECK(set.by_name("qwen3")->output_parser == "hermes");
  CHECK(set.by_name("generic")->output_parser.empty());
}

TEST_CASE("user profiles add, extend and override; the most specific match wins") {
  ProfileSet set = ProfileSet::builtin();
  const auto doc = nlohmann::json::parse(R"({"profiles": [
    {"name": "my-gemma", "extends": "gemma4", "match": ["*gemma-4-26b*nvfp4*"],
     "capabilities": {"context_length": 65536}, "image": {"max_side": 1024}},
    {"name": "qwen3", "capabilities": {"vision": true}},
    {"name": "qwen35", "extends": "qwen3-coder", "match": ["*qwen3.5*"],
     "capabilities": {"thinking": true}, "thinking": {"default_on": true}}
  ]})");
  REQUIRE(set.merge(doc));
  const auto& mine = set.find("bg-digitalservices/Gemma-4-26B-A4B-it-NVFP4");
  CHECK(mine.name == "my-gemma");
  CHECK(mine.capabilities.context_length == 65536);
  CHECK(mine.image.max_side == 1024);
  CHECK(mine.output_parser == "gemma4");                          // from the profile it extends
  CHECK(set.find("google/gemma-4-26B-A4B-it").name == "gemma4");  // others unchanged
  // Overriding a built-in keeps its other fields and its match rules.
  CHECK(set.find("qwen3:8b").name == "qwen3");
  CHECK(set.find("qwen3:8b").capabilities.vision);
  CHECK(set.find("qwen3:8b").output_parser == "hermes");
  CHECK(set.find("Qwen/Qwen3.5-35B-A3B").name == "qwen35");
  CHECK(set.find("Qwen/Qwen3.5-35B-A3B").output_parser == "qwen3-coder");
}

TEST_CASE("an explicit profile name wins over matching; an unknown one is an error") {
  const ProfileSet set = ProfileSet::builtin();
  auto picked = set.select("qwen3:8b", "gemma4");
  REQUIRE(picked);
  CHECK((*picked)->name == "gemma4");
  auto matched = set.select("qwen3:8b", "");
  REQUIRE(matched);
  CHECK((*matched)->name == "qwen3");
  auto unknown = set.select("qwen3:8b", "nope");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().kind == ErrorKind::invalid_argument);
  CHECK(unknown.error().message.find("unknown profile 'nope'") != std::string::npos);
}

TEST_CASE("malformed profile JSON is rejected with a path, and leaves the set unchanged") {
  ProfileSet set = ProfileSet::builtin();
  const std::size_t before = set.profiles().size();
  const struct {
    const char* json;
    const char* message;
  } bad[] = {
      {R"({"profiles": [{"name": "a", "match": "*x*"}]})",
       "profiles[0].match: expected an array of strings"},
      {R"({"profiles": [{"name": "a"}, {"match": ["*"]}]})",
       "profiles[1].name: a profile needs a name"},
      {R"({"profiles": [{"name": "a", "output_parser": "pythonic"}]})",
       "unknown parser 'pythonic'"},
      {R"({"profiles": [{"name": "a", "extends": "missing"}]})", "no profile named 'missing'"},
      {R"({"profiles": [{"name": "a", "capabilities": {"audio": "yes"}}]})",
       "profiles[0].capabilities.audio: expected a boolean, got string"},
      {R"({"nothing": 1})", "expected a \"profiles\" array"},
  };
  for (const auto& b : bad) {
    INFO(b.json);
    auto r = set.merge(nlohmann::json::parse(b.json));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::parse);
    CHECK(r.error().message.find(b.message) != std::string::npos);
    CHECK(set.profiles().size() == before);
    CHECK(set.by_name("a") == nullptr);
  }
}

TEST_CASE("load_profiles reads a file on top of the built-ins; to_json round-trips") {
  const std::string path = std::string(LLMWIRE_TEST_BINARY_DIR) + "/profiles_test_file.json";
  nlohmann::json doc = {
      {"profiles",
       nlohmann::json::array({llmwire::to_json(*ProfileSet::builtin().by_name("gemma4"))})}};
  doc["profiles"][0]["name"] = "copy";
  doc["profiles"][0]["match"] = {"copy-*"};
  {
    std::ofstream out(path);
    out << doc.dump();
  }
  auto set = llmwire::load_profiles(path);
  REQUIRE(set);
  const auto& copy = set->find("copy-model");
  CHECK(copy.name == "copy");
  nlohmann::json a = llmwire::to_json(copy), b = llmwire::to_json(*set->by_name("gemma4"));
  a.erase("name"), a.erase("match"), b.erase("name"), b.erase("match");
  CHECK(a == b);
  std::remove(path.c_str());

  auto missing = llmwire::load_profiles(path);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind == ErrorKind::io);
}

TEST_CASE("profile sets are bounded: 1024 profiles, files depth-limited, directories refused") {
  nlohmann::json many = nlohmann::json::array();
  for (std::size_t i = 0; i < llmwire::ProfileSet::max_profiles + 1; ++i) {
    many.push_back({{"name", "p" + std::to_string(i)}, {"match", {"m" + std::to_string(i)}}});
  }
  llmwire::ProfileSet set = llmwire::ProfileSet::builtin();
  auto too_many = set.merge(many);
  REQUIRE_FALSE(too_many);
  CHECK(too_many.error().message.find("more than 1024 profiles") != std::string::npos);
  CHECK(set.by_name("p0") == nullptr);  // all-or-nothing

  const auto dir = std::filesystem::temp_directory_path();
  auto directory = set.merge_file(dir);
  REQUIRE_FALSE(directory);
  CHECK(directory.error().kind == llmwire::ErrorKind::io);

  const auto deep_path = dir / "llmwire_deep_profiles.json";
  {
    std::ofstream out(deep_path);
    out << "{\"profiles\":" << std::string(100'000, '[') << std::string(100'000, ']') << "}";
  }
  auto deep = set.merge_file(deep_path);
  REQUIRE_FALSE(deep);
  CHECK(deep.error().kind == llmwire::ErrorKind::parse);
  CHECK(deep.error().message.find("nesting deeper than 512") != std::string::npos);
  std::filesystem::remove(deep_path);
}
