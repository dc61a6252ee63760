#pragma once
// A small, strict command-line parser shared by every subcommand: `--name value`,
// `--name=value`, boolean `--switch`, and positionals. Unknown options are usage errors.

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "llmwire/error.hpp"

namespace llmwire::cli {

/// Exit codes shared by all subcommands (documented in --help and the README).
enum ExitCode : int {
  exit_ok = 0,
  exit_failure = 1,        ///< The command could not do its job (unreadable file, hopeless input).
  exit_usage = 2,          ///< Bad command line.
  exit_connection = 3,     ///< Connection or HTTP error before streaming; no GPU for `gpu`.
  exit_stream_broken = 4,  ///< The stream broke; partial output was already printed.
  exit_timeout = 5,        ///< Timed out or cancelled.
};

struct OptionSpec {
  std::string_view name;  ///< Without the leading dashes.
  bool takes_value = true;
};

class ParsedArgs {
 public:
  [[nodiscard]] bool has(std::string_view name) const;
  [[nodiscard]] std::optional<std::string> get(std::string_view name) const;
  [[nodiscard]] std::string get_or(std::string_view name, std::string fallback) const;
  /// The option as an integer; an error names the option when it is not one.
  [[nodiscard]] Result<std::optional<long long>> get_int(std::string_view name) const;
  /// The option as an integer in [lo, hi]; out of range is an error naming the range.
  [[nodiscard]] Result<std::optional<long long>> get_int_in(std::string_view name, long long lo,
                                                            long long hi) const;
  /// A finite number (nan and inf are errors).
  [[nodiscard]] Result<std::optional<double>> get_double(std::string_view name) const;
  /// A finite number in [lo, hi].
  [[nodiscard]] Result<std::optional<double>> get_double_in(std::string_view name, double lo,
                                                            double hi) const;
  [[nodiscard]] const std::vector<std::string>& positionals() const { return positionals_; }

 private:
  friend Result<ParsedArgs> parse_args(std::span<char* const>, std::span<const OptionSpec>);
  std::map<std::string, std::string, std::less<>> values_;
  std::vector<std::string> positionals_;
};

/// Parses `args` (without the program and subcommand names). `--help`/`-h` is always accepted.
[[nodiscard]] Result<ParsedArgs> parse_args(std::span<char* const> args,
                                            std::span<const OptionSpec> specs);

}  // namespace llmwire::cli
