#pragma once
/// @file llmwire.hpp
/// Umbrella header: everything a host app needs.

#include "llmwire/chat.hpp"
#include "llmwire/error.hpp"
#include "llmwire/events.hpp"
#include "llmwire/ndjson.hpp"
#include "llmwire/profile.hpp"
#include "llmwire/result_json.hpp"
#include "llmwire/sse.hpp"
#include "llmwire/stream.hpp"
#include "llmwire/transcript.hpp"
#include "llmwire/version.hpp"
