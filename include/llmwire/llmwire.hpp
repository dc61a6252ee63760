#pragma once
/// @file llmwire.hpp
/// Umbrella header: everything a host app needs.

#include "llmwire/chat.hpp"
#include "llmwire/error.hpp"
#include "llmwire/events.hpp"
#include "llmwire/profile.hpp"
#include "llmwire/stream.hpp"
#include "llmwire/version.hpp"
