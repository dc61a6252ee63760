#pragma once
/// @file llmwire.hpp
/// Umbrella header: everything a host app needs, as far as this build of llmwire has it
/// (the client needs LLMWIRE_WITH_CURL, image conversion LLMWIRE_WITH_IMAGES; a probe-only build
/// has the core and the GPU probe). The feature macros come with the llmwire::llmwire target.

#include "llmwire/chat.hpp"
#include "llmwire/error.hpp"
#include "llmwire/events.hpp"
#include "llmwire/gpu.hpp"
#include "llmwire/json_parse.hpp"
#include "llmwire/printable.hpp"
#include "llmwire/version.hpp"

#ifndef LLMWIRE_PROBE_ONLY
#include "llmwire/extract.hpp"
#include "llmwire/json.hpp"
#include "llmwire/ndjson.hpp"
#include "llmwire/profile.hpp"
#include "llmwire/request.hpp"
#include "llmwire/result_json.hpp"
#include "llmwire/server_info.hpp"
#include "llmwire/sse.hpp"
#include "llmwire/stream.hpp"
#include "llmwire/tools.hpp"
#include "llmwire/transcript.hpp"
#endif

#ifdef LLMWIRE_HAS_IMAGES
#include "llmwire/image.hpp"
#endif

#ifdef LLMWIRE_HAS_CLIENT
#include "llmwire/client.hpp"
#endif
