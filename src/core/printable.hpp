#pragma once
// Server text inside error messages is made printable: a message may end up on a terminal or
// in a log, and a server's ESC or BEL must not drive the terminal that shows it.

#include <string>

namespace llmwire::detail {

/// Replaces C0 controls (tab, CR and LF become a space), DEL and the UTF-8 encoded C1 controls
/// (U+0080–U+009F, among them the one-byte CSI) with visible escapes such as `\x1b`, `\u009b`.
/// Returns whether anything changed. Linear; other bytes, invalid UTF-8 included, are kept.
bool escape_controls(std::string& text);

}  // namespace llmwire::detail
