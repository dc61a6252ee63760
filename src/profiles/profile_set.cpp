// ProfileSet: profiles read from JSON (built-in and user files), and matching model ids.

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "llmwire/json_parse.hpp"
#include "llmwire/profile.hpp"
#include "profiles/builtin_profiles.hpp"

namespace llmwire {

namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

/// Case-insensitive glob match with `*` and `?`, by the classic backtracking-on-last-star
/// walk: linear for one star, never exponential.
bool glob_match(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || lower(pattern[p]) == lower(text[t]))) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

/// How specific a pattern is: literal characters count double, an exact name gets one more.
int specificity(std::string_view pattern) {
  int literals = 0;
  bool wild = false;
  for (char c : pattern) {
    if (c == '*' || c == '?') {
      wild = true;
    } else {
      ++literals;
    }
  }
  return literals * 2 + (wild ? 0 : 1);
}

const char* type_name(const nlohmann::json& v) {
  return v.type_name();
}

/// Reads the optional field `key` of `obj` into `out` when present; a wrong type is an error.
template <class T>
Result<void> read_field(const nlohmann::json& obj, const char* key, T& out,
                        const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return {};
  if constexpr (std::is_same_v<T, bool>) {
    if (!it->is_boolean()) {
      return fail(ErrorKind::parse,
                  where + "." + key + ": expected a boolean, got " + type_name(*it));
    }
    out = it->get<bool>();
  } else if constexpr (std::is_same_v<T, int>) {
    if (!it->is_number_integer()) {
      return fail(ErrorKind::parse,
                  where + "." + key + ": expected an integer, got " + type_name(*it));
    }
    out = it->get<int>();
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!it->is_string()) {
      return fail(ErrorKind::parse,
                  where + "." + key + ": expected a string, got " + type_name(*it));
    }
    out = it->get<std::string>();
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    if (!it->is_array()) {
      return fail(ErrorKind::parse,
                  where + "." + key + ": expected an array of strings, got " + type_name(*it));
    }
    std::vector<std::string> values;
    for (const auto& v : *it) {
      if (!v.is_string()) {
        return fail(ErrorKind::parse, where + "." + key + ": expected an array of strings");
      }
      values.push_back(v.get<std::string>());
    }
    out = std::move(values);
  } else if constexpr (std::is_same_v<T, nlohmann::json>) {
    if (!it->is_object()) {
      return fail(ErrorKind::parse,
                  where + "." + key + ": expected an object, got " + type_name(*it));
    }
    out = *it;
  }
  return {};
}

Result<const nlohmann::json*> section(const nlohmann::json& obj, const char* key,
                                      const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  if (!it->is_object()) {
    return fail(ErrorKind::parse,
                where + "." + key + ": expected an object, got " + type_name(*it));
  }
  return &*it;
}

#define LLMWIRE_TRY(expr)                \
  do {                                   \
    if (auto _r = (expr); !_r) {         \
      return tl::unexpected(_r.error()); \
    }                                    \
  } while (0)

/// Overlays the fields present in `obj` onto `p`.
Result<void> overlay(const nlohmann::json& obj, Profile& p, const std::string& where) {
  LLMWIRE_TRY(read_field(obj, "description", p.description, where));
  LLMWIRE_TRY(read_field(obj, "match", p.match, where));
  LLMWIRE_TRY(read_field(obj, "output_parser", p.output_parser, where));
  if (!p.output_parser.empty()) {
    const auto& names = output_parser_names();
    if (std::find(names.begin(), names.end(), p.output_parser) == names.end()) {
      return fail(ErrorKind::parse, where + ".output_parser: unknown parser '" + p.output_parser +
                                        "' (known: gemma4, qwen3-coder, hermes, or \"\" for none)");
    }
  }
  auto caps = section(obj, "capabilities", where);
  if (!caps) return tl::unexpected(caps.error());
  if (*caps) {
    const std::string w = where + ".capabilities";
    LLMWIRE_TRY(read_field(**caps, "tools", p.capabilities.tools, w));
    LLMWIRE_TRY(read_field(**caps, "thinking", p.capabilities.thinking, w));
    LLMWIRE_TRY(read_field(**caps, "vision", p.capabilities.vision, w));
    LLMWIRE_TRY(read_field(**caps, "audio", p.capabilities.audio, w));
    LLMWIRE_TRY(read_field(**caps, "context_length", p.capabilities.context_length, w));
  }
  auto thinking = section(obj, "thinking", where);
  if (!thinking) return tl::unexpected(thinking.error());
  if (*thinking) {
    const std::string w = where + ".thinking";
    LLMWIRE_TRY(read_field(**thinking, "default_on", p.thinking.default_on, w));
    LLMWIRE_TRY(
        read_field(**thinking, "always_send_on_ollama", p.thinking.always_send_on_ollama, w));
    LLMWIRE_TRY(read_field(**thinking, "levels", p.thinking.levels, w));
  }
  auto edits = section(obj, "request_edits", where);
  if (!edits) return tl::unexpected(edits.error());
  if (*edits) {
    const std::string w = where + ".request_edits";
    LLMWIRE_TRY(read_field(**edits, "openai", p.request_edits.openai, w));
    LLMWIRE_TRY(read_field(**edits, "ollama", p.request_edits.ollama, w));
    LLMWIRE_TRY(read_field(**edits, "ollama_openai", p.request_edits.ollama_openai, w));
    LLMWIRE_TRY(read_field(**edits, "stop", p.request_edits.stop, w));
  }
  auto image = section(obj, "image", where);
  if (!image) return tl::unexpected(image.error());
  if (*image) {
    const std::string w = where + ".image";
    LLMWIRE_TRY(read_field(**image, "convert_to_png", p.image.convert_to_png, w));
    LLMWIRE_TRY(read_field(**image, "max_side", p.image.max_side, w));
    LLMWIRE_TRY(read_field(**image, "flatten_alpha", p.image.flatten_alpha, w));
  }
  return {};
}

const Profile& fallback_generic() {
  static const Profile generic{
      .name = "generic",
      .description = "Any model",
      .match = {"*"},
      .capabilities = {
          .tools = true, .thinking = true, .vision = true, .audio = true, .context_length = 0}};
  return generic;
}

}  // namespace

std::string_view to_string(ApiFlavor flavor) noexcept {
  switch (flavor) {
    case ApiFlavor::openai_compatible: return "openai";
    case ApiFlavor::ollama_native: return "ollama";
    case ApiFlavor::ollama_openai: return "ollama-openai";
  }
  return "openai";
}

nlohmann::json to_json(const Profile& p) {
  return {
      {"name", p.name},
      {"description", p.description},
      {"match", p.match},
      {"capabilities",
       {{"tools", p.capabilities.tools},
        {"thinking", p.capabilities.thinking},
        {"vision", p.capabilities.vision},
        {"audio", p.capabilities.audio},
        {"context_length", p.capabilities.context_length}}},
      {"thinking",
       {{"default_on", p.thinking.default_on},
        {"always_send_on_ollama", p.thinking.always_send_on_ollama},
        {"levels", p.thinking.levels}}},
      {"request_edits",
       {{"openai", p.request_edits.openai},
        {"ollama", p.request_edits.ollama},
        {"ollama_openai", p.request_edits.ollama_openai},
        {"stop", p.request_edits.stop}}},
      {"image",
       {{"convert_to_png", p.image.convert_to_png},
        {"max_side", p.image.max_side},
        {"flatten_alpha", p.image.flatten_alpha}}},
      {"output_parser", p.output_parser},
  };
}

ProfileSet ProfileSet::builtin() {
  static const ProfileSet set = [] {
    ProfileSet s;
    auto doc = nlohmann::json::parse(profiles_detail::builtin_profiles_json(), nullptr, false);
    // The built-in data is part of this library; unit tests prove it parses.
    if (auto ok = s.merge(doc); !ok) s.profiles_.push_back(fallback_generic());
    return s;
  }();
  return set;
}

Result<void> ProfileSet::merge(const nlohmann::json& document) {
  const nlohmann::json* list = &document;
  if (document.is_object()) {
    auto it = document.find("profiles");
    if (it == document.end())
      return fail(ErrorKind::parse, "profiles: expected a \"profiles\" array");
    list = &*it;
  }
  if (!list->is_array()) return fail(ErrorKind::parse, "profiles: expected an array of profiles");
  if (list->size() > max_profiles) {
    return fail(ErrorKind::parse, "profiles: more than " + std::to_string(max_profiles) +
                                      " profiles in one document");
  }
  std::vector<Profile> next = profiles_;  // all-or-nothing: the set changes only on success
  std::size_t index = 0;
  for (const auto& entry : *list) {
    const std::string where = "profiles[" + std::to_string(index++) + "]";
    if (!entry.is_object()) return fail(ErrorKind::parse, where + ": expected an object");
    std::string name;
    LLMWIRE_TRY(read_field(entry, "name", name, where));
    if (name.empty()) return fail(ErrorKind::parse, where + ".name: a profile needs a name");
    std::string extends;
    LLMWIRE_TRY(read_field(entry, "extends", extends, where));
    auto existing =
        std::find_if(next.begin(), next.end(), [&](const Profile& p) { return p.name == name; });
    Profile profile;
    if (!extends.empty()) {
      auto base = std::find_if(next.begin(), next.end(),
                               [&](const Profile& p) { return p.name == extends; });
      if (base == next.end()) {
        return fail(ErrorKind::parse, where + ".extends: no profile named '" + extends + "'");
      }
      profile = *base;
      profile.match.clear();  // a new profile matches only what it names itself
    } else if (existing != next.end()) {
      profile = *existing;  // an override starts from the profile it replaces
    }
    profile.name = name;
    LLMWIRE_TRY(overlay(entry, profile, where));
    if (existing != next.end()) {
      next.erase(existing);
    } else if (next.size() >= max_profiles) {
      return fail(ErrorKind::parse,
                  where + ": a set holds at most " + std::to_string(max_profiles) + " profiles");
    }
    next.push_back(std::move(profile));  // later entries win ties in find()
  }
  profiles_ = std::move(next);
  return {};
}

Result<void> ProfileSet::merge_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return fail(ErrorKind::io, "cannot read profiles file " + path.string() + ": a directory");
  }
  if (auto size = std::filesystem::file_size(path, ec); !ec && size > max_file_bytes) {
    return fail(ErrorKind::io, "profiles file " + path.string() + " is larger than " +
                                   std::to_string(max_file_bytes) + " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorKind::io, "cannot read profiles file " + path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  auto doc = json::parse(ss.str());
  if (!doc) return fail(ErrorKind::parse, path.string() + ": " + doc.error().message);
  auto ok = merge(*doc);
  if (!ok) return fail(ErrorKind::parse, path.string() + ": " + ok.error().message);
  return {};
}

const Profile* ProfileSet::by_name(std::string_view name) const noexcept {
  for (const auto& p : profiles_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const Profile& ProfileSet::find(std::string_view model_id) const noexcept {
  const Profile* best = nullptr;
  int best_score = -1;
  for (const auto& p : profiles_) {
    for (const auto& pattern : p.match) {
      const int score = specificity(pattern);
      if (score >= best_score && glob_match(pattern, model_id)) {
        best = &p;
        best_score = score;
      }
    }
  }
  if (best != nullptr) return *best;
  if (const Profile* generic = by_name("generic")) return *generic;
  return fallback_generic();
}

Result<const Profile*> ProfileSet::select(std::string_view model_id,
                                          std::string_view explicit_name) const {
  if (explicit_name.empty()) return &find(model_id);
  if (const Profile* p = by_name(explicit_name)) return p;
  std::string known;
  for (const auto& p : profiles_) known += (known.empty() ? "" : ", ") + p.name;
  return fail(ErrorKind::invalid_argument,
              "unknown profile '" + std::string(explicit_name) + "' (known: " + known + ")");
}

Result<ProfileSet> load_profiles(const std::filesystem::path& path) {
  ProfileSet set = ProfileSet::builtin();
  if (auto ok = set.merge_file(path); !ok) return tl::unexpected(ok.error());
  return set;
}

const Profile& find_profile(std::string_view model_id) noexcept {
  static const ProfileSet set = ProfileSet::builtin();
  return set.find(model_id);
}

}  // namespace llmwire
