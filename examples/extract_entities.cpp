// LLMWIRE_EXAMPLE_NEEDS_CLIENT
// Typed extraction: people and places from a conversation, in English and in code-switched
// Kannada-English (the seeds' 7-person / 3-place test and their 6-entity Kannada test).
//
//     example_extract_entities [BASE_URL] [MODEL] [openai|ollama]
//     example_extract_entities http://127.0.0.1:8000 google/gemma-4-26B-A4B-it
//     example_extract_entities http://127.0.0.1:11434 gemma4:26b ollama

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "llmwire/client.hpp"
#include "llmwire/extract.hpp"

namespace {

struct Person {
  std::string name;
  std::optional<std::string> relation;  // to the speaker, when the text says
};
struct Place {
  std::string name;
};
struct Entities {
  std::vector<Person> persons;
  std::vector<Place> places;
  std::vector<std::string> events;
};

llmwire::extract::Schema<Entities> entities_schema() {
  llmwire::extract::Schema<Person> person("person");
  person.field("name", &Person::name, "The person's name or how they are called (e.g. Mom)")
      .field("relation", &Person::relation, "Their relation to the speaker, if stated");
  llmwire::extract::Schema<Place> place("place");
  place.field("name", &Place::name, "City, town or named location, in English spelling");
  llmwire::extract::Schema<Entities> entities("entities", "People, places and events mentioned");
  entities.field("persons", &Entities::persons, "Every person mentioned, once each", person)
      .field("places", &Entities::places, "Every place mentioned, once each", place)
      .field("events", &Entities::events, "Festivals or events mentioned");
  return entities;
}

struct Case {
  const char* title;
  const char* text;
  std::vector<std::string> expect;  // names that must be found (persons, places, events)
};

bool found(const Entities& e, const std::string& name) {
  auto same = [&](const std::string& s) { return s.find(name) != std::string::npos; };
  return std::any_of(e.persons.begin(), e.persons.end(), [&](auto& p) { return same(p.name); }) ||
         std::any_of(e.places.begin(), e.places.end(), [&](auto& p) { return same(p.name); }) ||
         std::any_of(e.events.begin(), e.events.end(), same);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string url = argc > 1 ? argv[1] : "http://127.0.0.1:8000";
  const std::string model = argc > 2 ? argv[2] : "google/gemma-4-26B-A4B-it";
  const bool ollama = argc > 3 && std::string(argv[3]) == "ollama";
  llmwire::Client client(
      {.endpoints = {url}, .api = ollama ? llmwire::Dialect::ollama : llmwire::Dialect::openai});
  const auto schema = entities_schema();

  const std::vector<Case> cases = {
      {"English: 7 persons, 3 places",
       "Yesterday I had lunch with Priya and her brother Arun in Bangalore. Arun's manager, "
       "Meera, joined us later with her husband Rahul. We talked about Dr. Kiran's clinic in "
       "Mysore and about my mom's trip to Hubli with her friend Lakshmi. Sanjay texted that "
       "he is stuck in traffic.",
       {"Priya", "Arun", "Meera", "Rahul", "Kiran", "Lakshmi", "Sanjay", "Bangalore", "Mysore",
        "Hubli"}},
      {"Kannada-English: 6 key entities",
       "Priya nanna jothe Bangalore-ge bandidlu. Arun Hubli-inda call maadidru, Diwali-ge "
       "manege barthini antha heLidru. Amma (Mom) ಹೇಳಿದರು ಹಬ್ಬಕ್ಕೆ ಎಲ್ಲರೂ ಬೆಂಗಳೂರಿನಲ್ಲಿ ಸೇರೋಣ.",
       {"Priya", "Arun", "Mom", "Bangalore", "Hubli", "Diwali"}},
  };

  int failures = 0;
  for (const Case& c : cases) {
    auto entities = llmwire::extract::extract(client, schema, c.text, {.model = model});
    std::printf("== %s\n", c.title);
    if (!entities) {
      std::printf("   error (%s): %s\n",
                  std::string(llmwire::to_string(entities.error().kind)).c_str(),
                  entities.error().message.c_str());
      ++failures;
      continue;
    }
    for (const auto& p : entities->persons)
      std::printf("   person: %s%s%s\n", p.name.c_str(), p.relation ? " — " : "",
                  p.relation ? p.relation->c_str() : "");
    for (const auto& p : entities->places) std::printf("   place:  %s\n", p.name.c_str());
    for (const auto& e : entities->events) std::printf("   event:  %s\n", e.c_str());
    int hits = 0;
    for (const auto& name : c.expect) hits += found(*entities, name) ? 1 : 0;
    std::printf("   found %d/%zu expected entities\n", hits, c.expect.size());
  }
  return failures == 0 ? 0 : 1;
}
