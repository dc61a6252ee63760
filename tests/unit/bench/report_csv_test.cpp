// The CSV files beside results.json (src/bench/report_csv.cpp).

#include <doctest/doctest.h>

#include "bench/report.hpp"

using namespace llmwire::bench;

TEST_CASE("samples.csv: one row per sample, RFC 4180 quoting, empty for null") {
  nlohmann::json results = {
      {"tests",
       {{"ttft",
         {{"samples",
           {{{"prompt", 0}, {"ttft_ms", 81.5}, {"tok_s", nullptr}, {"error", nullptr}},
            {{"prompt", 1},
             {"ttft_ms", nullptr},
             {"error", "HTTP 500: \"busy\", retry\nlater"}}}}}},
        {"vram", {{"samples", 12}}}}}};  // a count, not sample rows
  const std::string csv = samples_csv(results);
  CHECK(csv ==
        "test,level,prompt,run,ttft_ms,first_sentence_ms,tok_s,itl_p50_ms,itl_p90_ms,itl_p99_ms,"
        "e2e_ms,completion_tokens,prompt_tokens,token_source,server_tok_s,server_ttft_ms,error\n"
        "ttft,,0,,81.5,,,,,,,,,,,,\n"
        "ttft,,1,,,,,,,,,,,,,,\"HTTP 500: \"\"busy\"\", retry\nlater\"\n");
}

TEST_CASE("summary.csv: every summary, the sweep's levels with theirs") {
  nlohmann::json summary = {{"n", 3},     {"mean", 2.0}, {"p50", 2.0}, {"p90", 3.0},
                            {"p99", 3.0}, {"min", 1.0},  {"max", 3.0}};
  nlohmann::json results = {
      {"tests",
       {{"concurrency",
         {{"per_request_tok_s", summary}, {"sweep", {{{"parallel", 8}, {"ttft_ms", summary}}}}}}}}};
  const std::string csv = summary_csv(results);
  CHECK(csv ==
        "test,level,metric,n,mean,p50,p90,p99,min,max\n"
        "concurrency,,per_request_tok_s,3,2,2,3,3,1,3\n"
        "concurrency,8,ttft_ms,3,2,2,3,3,1,3\n");
}
