#pragma once
/// @file extract.hpp
/// Typed extraction: describe a C++ result type once (fields, types, descriptions); llmwire
/// builds the JSON schema from it, asks the model for JSON (as `response_format: json_schema`
/// where the server supports it, as prompt instructions where it does not), parses the reply
/// leniently (json::repair) and returns the typed value or a validation error that lists the
/// missing and mistyped fields.
///
///     struct Person { std::string name; std::optional<std::string> relation; };
///     struct Entities { std::vector<Person> persons; std::vector<std::string> places; };
///
///     llmwire::extract::Schema<Person> person("person");
///     person.field("name", &Person::name, "The person's name as written")
///           .field("relation", &Person::relation, "Relation to the speaker, if said");
///     llmwire::extract::Schema<Entities> entities("entities", "People and places mentioned");
///     entities.field("persons", &Entities::persons, "Every person mentioned", person)
///             .field("places", &Entities::places, "Every place mentioned");
///
///     auto found = llmwire::extract::extract(client, entities, conversation_text,
///                                            {.model = "gemma4:26b"});
///     if (!found) std::cerr << found.error().message;  // e.g. "missing: persons[1].name"

#include <concepts>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "llmwire/chat.hpp"
#include "llmwire/detail/json_integer.hpp"
#include "llmwire/error.hpp"
#include "llmwire/json.hpp"

namespace llmwire {
class Client;
}

namespace llmwire::extract {

/// One problem found when checking a value against a described type.
struct Issue {
  enum class Kind { missing, mistyped };
  Kind kind = Kind::missing;
  std::string path;      ///< "persons[2].name"
  std::string expected;  ///< "string", "integer", "array of entities"…
  std::string got;       ///< The JSON type found (mistyped only): "number", "null"…
};

/// "missing: a, b[0].c; mistyped: d (expected integer, got string)".
[[nodiscard]] std::string describe(const std::vector<Issue>& issues);

template <class T>
class Schema;

namespace detail {

template <class V>
struct is_optional : std::false_type {};
template <class V>
struct is_optional<std::optional<V>> : std::true_type {};
template <class V>
struct is_vector : std::false_type {};
template <class V, class A>
struct is_vector<std::vector<V, A>> : std::true_type {};

/// The nested schema's element type U, for fields of type U, optional<U> or vector<U>.
struct NoNested {};

std::string join_path(const std::string& base, std::string_view name);
std::string index_path(const std::string& base, std::size_t index);
void mistyped(std::vector<Issue>& issues, const std::string& path, std::string expected,
              const nlohmann::json& got);

template <class V, class Nested>
nlohmann::json schema_of(const Nested& nested) {
  if constexpr (is_optional<V>::value) {
    return schema_of<typename V::value_type>(nested);
  } else if constexpr (is_vector<V>::value) {
    return {{"type", "array"}, {"items", schema_of<typename V::value_type>(nested)}};
  } else if constexpr (std::is_same_v<V, std::string>) {
    return {{"type", "string"}};
  } else if constexpr (std::is_same_v<V, bool>) {
    return {{"type", "boolean"}};
  } else if constexpr (std::is_integral_v<V>) {
    return {{"type", "integer"}};
  } else if constexpr (std::is_floating_point_v<V>) {
    return {{"type", "number"}};
  } else {
    static_assert(std::is_same_v<Nested, Schema<V>>,
                  "a field of a struct type needs that type's Schema as the last argument");
    return nested.json_schema();
  }
}

template <class V, class Nested>
std::string expected_name(const Nested& nested) {
  if constexpr (is_optional<V>::value) {
    return expected_name<typename V::value_type>(nested);
  } else if constexpr (is_vector<V>::value) {
    return "array";
  } else if constexpr (std::is_same_v<V, std::string>) {
    return "string";
  } else if constexpr (std::is_same_v<V, bool>) {
    return "boolean";
  } else if constexpr (std::is_integral_v<V>) {
    return "integer";
  } else if constexpr (std::is_floating_point_v<V>) {
    return "number";
  } else {
    return "object (" + nested.name() + ")";
  }
}

/// Reads `j` into `out`; problems are appended to `issues` (a mistyped value leaves `out`
/// default). `j` is never null here: the caller decides what a null means.
template <class V, class Nested>
void read_value(const nlohmann::json& j, V& out, const std::string& path,
                std::vector<Issue>& issues, const Nested& nested) {
  if constexpr (is_optional<V>::value) {
    if (j.is_null()) {
      out.reset();
      return;
    }
    typename V::value_type inner{};
    const std::size_t before = issues.size();
    read_value(j, inner, path, issues, nested);
    if (issues.size() == before) out = std::move(inner);
  } else if constexpr (is_vector<V>::value) {
    if (!j.is_array()) return mistyped(issues, path, "array", j);
    out.clear();
    out.reserve(j.size());
    for (std::size_t i = 0; i < j.size(); ++i) {
      typename V::value_type item{};
      const std::string item_path = index_path(path, i);
      if (j[i].is_null()) {
        issues.push_back({Issue::Kind::missing, item_path,
                          expected_name<typename V::value_type>(nested), "null"});
        continue;
      }
      read_value(j[i], item, item_path, issues, nested);
      out.push_back(std::move(item));
    }
  } else if constexpr (std::is_same_v<V, std::string>) {
    if (!j.is_string()) return mistyped(issues, path, "string", j);
    out = j.get<std::string>();
  } else if constexpr (std::is_same_v<V, bool>) {
    if (!j.is_boolean()) return mistyped(issues, path, "boolean", j);
    out = j.get<bool>();
  } else if constexpr (std::is_integral_v<V>) {
    // 3.0 is an integer that came through a float; 3.5 is not; 1e12 does not fit an int.
    switch (llmwire::detail::read_integer(j, out)) {
      case llmwire::detail::IntegerRead::ok: break;
      case llmwire::detail::IntegerRead::not_integer: mistyped(issues, path, "integer", j); break;
      case llmwire::detail::IntegerRead::out_of_range:
        mistyped(issues, path, "integer in range", j);
        break;
    }
  } else if constexpr (std::is_floating_point_v<V>) {
    if (!j.is_number()) return mistyped(issues, path, "number", j);
    out = j.get<V>();
  } else {
    nested.read_into(j, out, path, issues);
  }
}

}  // namespace detail

/// Describes a C++ struct T: its fields, their JSON types (from the member types) and
/// descriptions. Supported member types: std::string, bool, integers, floating point,
/// std::optional<X> (an optional field), std::vector<X>, and nested structs described by their
/// own Schema (pass it as the last argument of field()).
template <class T>
class Schema {
 public:
  explicit Schema(std::string name, std::string description = {})
      : name_(std::move(name)), description_(std::move(description)) {}

  /// A field of a scalar, optional or vector-of-scalar type.
  template <class M>
  Schema& field(std::string name, M T::*member, std::string description) {
    return add(std::move(name), member, std::move(description), detail::NoNested{});
  }
  /// A field whose type is (an optional or vector of) a struct described by `nested`.
  template <class M, class U>
  Schema& field(std::string name, M T::*member, std::string description, const Schema<U>& nested) {
    return add(std::move(name), member, std::move(description), nested);
  }

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] const std::string& description() const noexcept { return description_; }

  /// The JSON Schema (draft 2020-12 subset every structured-output server accepts).
  [[nodiscard]] nlohmann::json json_schema() const {
    nlohmann::json properties = nlohmann::json::object();
    nlohmann::json required = nlohmann::json::array();
    for (const auto& f : fields_) {
      nlohmann::json s = f.schema;
      if (!f.description.empty()) s["description"] = f.description;
      properties[f.name] = std::move(s);
      if (f.required) required.push_back(f.name);
    }
    nlohmann::json out = {{"type", "object"},
                          {"properties", std::move(properties)},
                          {"required", std::move(required)},
                          {"additionalProperties", false}};
    if (!description_.empty()) out["description"] = description_;
    return out;
  }

  /// Every missing and mistyped field of `value` (empty = valid). Unknown keys are ignored.
  [[nodiscard]] std::vector<Issue> validate(const nlohmann::json& value) const {
    std::vector<Issue> issues;
    T scratch{};
    read_into(value, scratch, "", issues);
    return issues;
  }

  /// The typed value, or ErrorKind::validation listing every missing and mistyped field.
  [[nodiscard]] Result<T> from_json(const nlohmann::json& value) const {
    std::vector<Issue> issues;
    T out{};
    read_into(value, out, "", issues);
    if (!issues.empty()) return fail(ErrorKind::validation, describe(issues));
    return out;
  }

  /// Model text → typed value: lenient JSON (json::repair), then from_json().
  [[nodiscard]] Result<T> parse(std::string_view model_text) const {
    auto repaired = json::repair(model_text);
    if (!repaired) return tl::unexpected(repaired.error());
    return from_json(repaired->value);
  }

  /// Used by nested schemas; reads `j` (an object) into `out`.
  void read_into(const nlohmann::json& j, T& out, const std::string& path,
                 std::vector<Issue>& issues) const {
    if (!j.is_object()) {
      detail::mistyped(issues, path.empty() ? "(top level)" : path, "object (" + name_ + ")", j);
      return;
    }
    for (const auto& f : fields_) {
      const std::string field_path = detail::join_path(path, f.name);
      auto it = j.find(f.name);
      if (it == j.end() || it->is_null()) {
        if (f.required) issues.push_back({Issue::Kind::missing, field_path, f.expected, {}});
        continue;
      }
      f.read(*it, out, field_path, issues);
    }
  }

 private:
  struct Field {
    std::string name, description, expected;
    bool required = true;
    nlohmann::json schema;
    std::function<void(const nlohmann::json&, T&, const std::string&, std::vector<Issue>&)> read;
  };

  template <class M, class Nested>
  Schema& add(std::string name, M T::*member, std::string description, const Nested& nested) {
    Field f;
    f.name = std::move(name);
    f.description = std::move(description);
    f.required = !detail::is_optional<M>::value;
    f.schema = detail::schema_of<M>(nested);
    f.expected = detail::expected_name<M>(nested);
    f.read = [member, nested](const nlohmann::json& j, T& out, const std::string& path,
                              std::vector<Issue>& issues) {
      detail::read_value(j, out.*member, path, issues, nested);
    };
    fields_.push_back(std::move(f));
    return *this;
  }

  std::string name_, description_;
  std::vector<Field> fields_;
};

/// How the schema reaches the model.
enum class SchemaMode {
  response_format,  ///< `response_format: {type: json_schema}` (vLLM, llama-server, Ollama).
  prompt,           ///< Only as instructions in the system prompt (servers without it).
};

struct ExtractOptions {
  std::string model;
  SchemaMode mode = SchemaMode::response_format;
  /// Extra instructions placed before the schema in the system prompt.
  std::string instructions;
  std::optional<int> max_tokens = 2048;
  std::optional<double> temperature = 0.0;
  Thinking thinking = Thinking::off;  ///< Extraction wants the JSON, not a long think.
  /// Model calls in all: after an invalid reply the model is shown the problems and asked
  /// again, until this many calls were made.
  int max_attempts = 2;
};

/// The chat request for extracting `schema` (named `schema_name`) from `text`. Curl-free:
/// usable with any transport.
[[nodiscard]] ChatRequest build_request(const nlohmann::json& schema, std::string_view schema_name,
                                        std::string_view text, const ExtractOptions& options);

/// The follow-up user message after an invalid reply, listing what was wrong.
[[nodiscard]] Message correction_message(std::string_view problem);

/// What an extraction run produced, before typing.
struct ExtractedJson {
  nlohmann::json value;
  std::vector<std::string> repairs;  ///< What json::repair fixed in the accepted reply.
  int attempts = 0;                  ///< Model calls made.
};

#ifdef LLMWIRE_HAS_CLIENT
/// Runs the model until its reply passes `validate` (empty string = valid, else the problem
/// shown to the model) or `options.max_attempts` calls were made.
[[nodiscard]] Result<ExtractedJson> extract_json(
    Client& client, const nlohmann::json& schema, std::string_view schema_name,
    std::string_view text, const ExtractOptions& options,
    const std::function<std::string(const nlohmann::json&)>& validate);

/// Extracts a T from `text` with the model behind `client`.
template <class T>
[[nodiscard]] Result<T> extract(Client& client, const Schema<T>& schema, std::string_view text,
                                const ExtractOptions& options) {
  auto found = extract_json(client, schema.json_schema(), schema.name(), text, options,
                            [&](const nlohmann::json& value) {
                              auto issues = schema.validate(value);
                              return issues.empty() ? std::string() : describe(issues);
                            });
  if (!found) return tl::unexpected(found.error());
  return schema.from_json(found->value);
}
#endif

}  // namespace llmwire::extract
