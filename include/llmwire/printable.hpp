#pragma once
/// @file printable.hpp
/// Text from a server made safe to print: llmwire escapes it in every Error it builds from a
/// server's words (a message ends up on a terminal or in a log, and a server's ESC or BEL must
/// not drive the terminal that shows it). Host apps can use the same on text of their own.
///
///     std::cerr << llmwire::printable(untrusted) << '\n';

#include <string>
#include <string_view>

namespace llmwire {

/// Replaces C0 controls (tab, CR and LF become a space), DEL and the UTF-8 encoded C1 controls
/// (U+0080–U+009F, among them the one-byte CSI) with visible escapes such as `\x1b`, `\u009b`.
/// Returns whether anything changed. Linear; other bytes, invalid UTF-8 included, are kept.
bool escape_controls(std::string& text);

/// A copy of `text` with escape_controls() applied.
[[nodiscard]] std::string printable(std::string_view text);

}  // namespace llmwire
