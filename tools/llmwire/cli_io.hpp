#pragma once
// What every subcommand does with files and the terminal: read an input file (or stdin) with
// clear errors, print errors with control characters escaped, and notice failed writes.

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

#include "llmwire/error.hpp"

namespace llmwire::cli {

/// The most a subcommand reads from one input file (or stdin) unless it says otherwise.
inline constexpr std::size_t max_input_bytes = std::size_t{1} << 30;

/// The whole of `path` ("-" = stdin). ErrorKind::io names `what` and the reason (a directory,
/// missing, unreadable, larger than `max_bytes`).
[[nodiscard]] Result<std::string> read_input(const std::string& path, std::string_view what,
                                             std::size_t max_bytes = max_input_bytes);

/// Opens `path` for reading ("-" = stdin), refusing directories; the caller reads it in pieces.
[[nodiscard]] Result<std::FILE*> open_input(const std::string& path, std::string_view what);

/// "llmwire <command>: <message>" on stderr, the message's control characters escaped.
void print_error(std::string_view command, std::string_view message);
void print_error(std::string_view command, const Error& error);  ///< "kind: message"

/// Flushes stdout; false (with a message on stderr) when anything written to it was lost, as
/// on a full disk or `> /dev/full`.
[[nodiscard]] bool stdout_ok(std::string_view command);

}  // namespace llmwire::cli
