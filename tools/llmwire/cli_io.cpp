#include "cli_io.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "llmwire/printable.hpp"

namespace llmwire::cli {
namespace {

Error io_error(std::string_view what, const std::string& path, const std::string& why) {
  return make_error(ErrorKind::io,
                    "cannot read " + std::string(what) + " '" + printable(path) + "': " + why);
}

}  // namespace

Result<std::FILE*> open_input(const std::string& path, std::string_view what) {
  if (path == "-") return stdin;
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0)
    return tl::unexpected(io_error(what, path, std::strerror(errno)));
  if (S_ISDIR(info.st_mode)) return tl::unexpected(io_error(what, path, "it is a directory"));
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return tl::unexpected(io_error(what, path, std::strerror(errno)));
  return file;
}

Result<std::string> read_input(const std::string& path, std::string_view what,
                               std::size_t max_bytes) {
  auto file = open_input(path, what);
  if (!file) return tl::unexpected(file.error());
  std::string out;
  char buffer[64 * 1024];
  bool too_big = false;
  for (;;) {
    std::size_t n = std::fread(buffer, 1, sizeof buffer, *file);
    if (n == 0) break;
    if (out.size() + n > max_bytes) {
      too_big = true;
      break;
    }
    out.append(buffer, n);
  }
  const bool failed = std::ferror(*file) != 0;
  if (*file != stdin) std::fclose(*file);
  if (too_big) {
    return tl::unexpected(
        io_error(what, path, "larger than " + std::to_string(max_bytes) + " bytes"));
  }
  if (failed) return tl::unexpected(io_error(what, path, "read error"));
  return out;
}

void print_error(std::string_view command, std::string_view message) {
  std::fprintf(stderr, "llmwire %.*s: %s\n", static_cast<int>(command.size()), command.data(),
               printable(message).c_str());
}

void print_error(std::string_view command, const Error& error) {
  print_error(command, std::string(to_string(error.kind)) + ": " + error.message);
}

bool stdout_ok(std::string_view command) {
  if (std::fflush(stdout) == 0 && std::ferror(stdout) == 0) return true;
  const int saved = errno;
  print_error(command, std::string("cannot write the output: ") +
                           (saved != 0 ? std::strerror(saved) : "write error"));
  return false;
}

}  // namespace llmwire::cli
