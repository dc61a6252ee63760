#include <doctest/doctest.h>

#include "llmwire/extract.hpp"

using llmwire::ErrorKind;
using llmwire::Thinking;
using nlohmann::json;
namespace ex = llmwire::extract;

namespace {

struct Person {
  std::string name;
  std::optional<std::string> relation;
  int mentions = 0;
};
struct Entities {
  std::vector<Person> persons;
  std::vector<std::string> places;
  std::optional<double> confidence;
  bool code_switched = false;
};

ex::Schema<Person> person_schema() {
  ex::Schema<Person> s("person", "A person mentioned in the text");
  s.field("name", &Person::name, "The name as written")
      .field("relation", &Person::relation, "Relation to the speaker, if stated")
      .field("mentions", &Person::mentions, "How often the person is mentioned");
  return s;
}

ex::Schema<Entities> entities_schema() {
  ex::Schema<Entities> s("entities", "People and places in a conversation");
  s.field("persons", &Entities::persons, "Every person", person_schema())
      .field("places", &Entities::places, "Every place")
      .field("confidence", &Entities::confidence, "0..1")
      .field("code_switched", &Entities::code_switched, "Text mixes languages");
  return s;
}

}  // namespace

TEST_CASE("the JSON schema follows the described fields") {
  json s = entities_schema().json_schema();
  CHECK(s["type"] == "object");
  CHECK(s["additionalProperties"] == false);
  CHECK(s["required"] == json::array({"persons", "places", "code_switched"}));  // not optional
  CHECK(s["properties"]["places"] ==
        json{{"type", "array"}, {"items", {{"type", "string"}}}, {"description", "Every place"}});
  CHECK(s["properties"]["confidence"]["type"] == "number");
  const json& item = s["properties"]["persons"]["items"];
  CHECK(item["type"] == "object");
  CHECK(item["properties"]["mentions"]["type"] == "integer");
  CHECK(item["properties"]["name"]["description"] == "The name as written");
  CHECK(item["required"] == json::array({"name", "mentions"}));
}

TEST_CASE("a valid value comes back typed") {
  auto v = entities_schema().from_json(json::parse(R"({
    "persons": [{"name": "Priya", "relation": "sister", "mentions": 2},
                {"name": "Arun", "relation": null, "mentions": 1.0}],
    "places": ["Bangalore", "Hubli"], "code_switched": true, "extra": "ignored"})"));
  REQUIRE(v);
  REQUIRE(v->persons.size() == 2);
  CHECK(v->persons[0].relation == "sister");
  CHECK_FALSE(v->persons[1].relation.has_value());
  CHECK(v->persons[1].mentions == 1);
  CHECK(v->places == std::vector<std::string>{"Bangalore", "Hubli"});
  CHECK_FALSE(v->confidence.has_value());
  CHECK(v->code_switched);
}

TEST_CASE("validation lists every missing and mistyped field with its path") {
  auto schema = entities_schema();
  json value = json::parse(R"({
    "persons": [{"name": "Priya", "mentions": "two"}, {"mentions": 1}, null],
    "places": "Mysore", "confidence": "high"})");
  auto issues = schema.validate(value);
  CHECK(issues.size() == 6);
  auto v = schema.from_json(value);
  REQUIRE_FALSE(v);
  CHECK(v.error().kind == ErrorKind::validation);
  CHECK(v.error().message ==
        "missing: persons[1].name, persons[2], code_switched; mistyped: persons[0].mentions "
        "(expected integer, got string), places (expected array, got string), confidence "
        "(expected number, got string)");
  auto not_object = schema.from_json(json::array());
  REQUIRE_FALSE(not_object);
  CHECK(not_object.error().message.find("(top level) (expected object (entities), got array)") !=
        std::string::npos);
  auto fractional = person_schema().from_json({{"name", "A"}, {"mentions", 1.5}});
  REQUIRE_FALSE(fractional);
  CHECK(fractional.error().message.find("mentions (expected integer") != std::string::npos);
  // A whole number is read when it fits the member's type; one that does not is an issue, never
  // a truncated or wrapped value (and 1e30 never reaches a cast).
  auto whole = person_schema().from_json({{"name", "A"}, {"mentions", 3.0}});
  REQUIRE(whole);
  CHECK(whole->mentions == 3);
  for (const json& big : {json(5000000000LL), json(1e30), json(-1e30)}) {
    CAPTURE(big.dump());
    auto too_big = person_schema().from_json({{"name", "A"}, {"mentions", big}});
    REQUIRE_FALSE(too_big);
    CHECK(too_big.error().message == "mistyped: mentions (expected integer in range, got number)");
  }
}

TEST_CASE("model text is parsed leniently before validation") {
  // Fenced, prose around it, the seeds' dropped quote before a colon, a trailing comma.
  auto v = entities_schema().parse(
      "Here are the entities:\n```json\n{\"persons\": [{\"name\": \"Priya\", \"relation: "
      "\"sister\", \"mentions\": 1},], \"places\": [\"ಬೆಂಗಳೂರು\"], \"code_switched\": True}\n```");
  REQUIRE(v);
  CHECK(v->persons.at(0).relation == "sister");
  CHECK(v->places.at(0) == "ಬೆಂಗಳೂರು");
  auto none = entities_schema().parse("I could not find any entities.");
  REQUIRE_FALSE(none);
  CHECK(none.error().kind == ErrorKind::parse);
}

TEST_CASE("the request carries the schema as response_format or only as instructions") {
  json schema = entities_schema().json_schema();
  auto structured =
      ex::build_request(schema, "entities", "Priya went to Hubli.", {.model = "gemma4:26b"});
  CHECK(structured.model == "gemma4:26b");
  REQUIRE(structured.messages.size() == 2);
  CHECK(structured.messages[1].content == "Priya went to Hubli.");
  CHECK(structured.response_format["type"] == "json_schema");
  CHECK(structured.response_format["json_schema"]["name"] == "entities");
  CHECK(structured.response_format["json_schema"]["schema"] == schema);
  CHECK(structured.thinking == Thinking::off);

  auto prompted =
      ex::build_request(schema, "entities", "text", {.model = "m", .mode = ex::SchemaMode::prompt});
  CHECK(prompted.response_format.is_null());
  CHECK(prompted.messages[0].content.find("\"persons\"") != std::string::npos);
  CHECK(ex::correction_message("missing: places").content.find("missing: places") !=
        std::string::npos);
}
