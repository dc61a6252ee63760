#pragma once
/// @file version.hpp
/// The single source of truth for llmwire's version; CMake parses these lines.

#define LLMWIRE_VERSION_MAJOR 0
#define LLMWIRE_VERSION_MINOR 1
#define LLMWIRE_VERSION_PATCH 0

namespace llmwire {
/// "MAJOR.MINOR.PATCH", for reports and User-Agent headers.
inline constexpr const char* version_string = "0.1.0";
}  // namespace llmwire
