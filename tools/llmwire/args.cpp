#include "args.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace llmwire::cli {

bool ParsedArgs::has(std::string_view name) const {
  return values_.find(name) != values_.end();
}

std::optional<std::string> ParsedArgs::get(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string ParsedArgs::get_or(std::string_view name, std::string fallback) const {
  auto value = get(name);
  return value ? *value : std::move(fallback);
}

Result<std::optional<long long>> ParsedArgs::get_int(std::string_view name) const {
  auto value = get(name);
  if (!value) return std::optional<long long>{};
  long long out = 0;
  const char* end = value->data() + value->size();
  auto [ptr, ec] = std::from_chars(value->data(), end, out);
  if (ec != std::errc{} || ptr != end) {
    return fail(ErrorKind::invalid_argument,
                "--" + std::string(name) + " expects an integer, got '" + *value + "'");
  }
  return std::optional<long long>{out};
}

Result<std::optional<long long>> ParsedArgs::get_int_in(std::string_view name, long long lo,
                                                        long long hi) const {
  auto value = get_int(name);
  if (value && *value && (**value < lo || **value > hi)) {
    return fail(ErrorKind::invalid_argument, "--" + std::string(name) + " must be between " +
                                                 std::to_string(lo) + " and " + std::to_string(hi) +
                                                 ", got " + std::to_string(**value));
  }
  return value;
}

Result<std::optional<double>> ParsedArgs::get_double_in(std::string_view name, double lo,
                                                        double hi) const {
  auto value = get_double(name);
  if (value && *value && (**value < lo || **value > hi)) {
    return fail(ErrorKind::invalid_argument, "--" + std::string(name) + " must be between " +
                                                 std::to_string(lo) + " and " + std::to_string(hi));
  }
  return value;
}

Result<std::optional<double>> ParsedArgs::get_double(std::string_view name) const {
  auto value = get(name);
  if (!value) return std::optional<double>{};
  char* end = nullptr;
  double out = std::strtod(value->c_str(), &end);
  if (value->empty() || end != value->c_str() + value->size() || !std::isfinite(out)) {
    return fail(ErrorKind::invalid_argument,
                "--" + std::string(name) + " expects a finite number, got '" + *value + "'");
  }
  return std::optional<double>{out};
}

Result<ParsedArgs> parse_args(std::span<char* const> args, std::span<const OptionSpec> specs) {
  ParsedArgs parsed;
  bool only_positionals = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (only_positionals || arg.size() < 2 || arg.substr(0, 2) != "--") {
      if (arg == "-h" && !only_positionals) {
        parsed.values_["help"] = "";
        continue;
      }
      parsed.positionals_.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positionals = true;
      continue;
    }
    std::string_view body = arg.substr(2);
    std::optional<std::string_view> inline_value;
    if (auto eq = body.find('='); eq != std::string_view::npos) {
      inline_value = body.substr(eq + 1);
      body = body.substr(0, eq);
    }
    if (body == "help") {
      parsed.values_["help"] = "";
      continue;
    }
    const OptionSpec* spec = nullptr;
    for (const auto& candidate : specs) {
      if (candidate.name == body) spec = &candidate;
    }
    if (spec == nullptr) {
      return fail(ErrorKind::invalid_argument, "unknown option --" + std::string(body));
    }
    if (!spec->takes_value) {
      if (inline_value) {
        return fail(ErrorKind::invalid_argument, "--" + std::string(body) + " takes no value");
      }
      parsed.values_[std::string(body)] = "";
      continue;
    }
    if (inline_value) {
      parsed.values_[std::string(body)] = std::string(*inline_value);
    } else if (i + 1 < args.size()) {
      parsed.values_[std::string(body)] = args[++i];
    } else {
      return fail(ErrorKind::invalid_argument, "--" + std::string(body) + " needs a value");
    }
  }
  return parsed;
}

}  // namespace llmwire::cli
