// Which sanitizer this test binary was built with, for the few assertions about wall-clock
// precision: under ThreadSanitizer every memory access is instrumented (5-15x slower), so a
// 2% bound on an 80 ms TTFT measures the instrumentation, not the library. Those bounds are
// checked in the plain and ASan builds; the TSan build checks the same code for races.
#pragma once

namespace llmwire_test {

#if defined(__SANITIZE_THREAD__)
inline constexpr bool under_thread_sanitizer = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
inline constexpr bool under_thread_sanitizer = true;
#else
inline constexpr bool under_thread_sanitizer = false;
#endif
#else
inline constexpr bool under_thread_sanitizer = false;
#endif

}  // namespace llmwire_test
