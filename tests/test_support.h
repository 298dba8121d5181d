// Helpers shared by the tests: paths to fixtures and tools, running the drvsec executable.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace drvsec::test {

inline std::string fixture(const std::string& name) { return std::string(DRVSEC_FIXTURE_DIR) + "/" + name; }
inline std::string source_path(const std::string& rel) { return std::string(DRVSEC_SOURCE_DIR) + "/" + rel; }
// ../shared next to the project (read-only data; tests skip when it is absent).
inline std::string shared_path(const std::string& rel) { return std::string(DRVSEC_SOURCE_DIR) + "/../shared/" + rel; }
inline std::string thirdparty_path(const std::string& rel) {
  return std::string(DRVSEC_SOURCE_DIR) + "/.cache/thirdparty/" + rel;
}
// Where tests put the reports they produce; every .sarif under sarif/ is schema-validated after the suite.
inline std::string output_path(const std::string& rel) {
  auto p = std::filesystem::path(DRVSEC_BINARY_DIR) / "test-output" / rel;
  std::filesystem::create_directories(p.parent_path());
  return p.string();
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct CommandResult {
  int exit_code = -1;
  std::string out;  // standard output (standard error is not captured)
};

// Runs a shell command line; quote arguments yourself.
inline CommandResult run_command(const std::string& command) {
  CommandResult r;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 65536> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline CommandResult run_drvsec(const std::string& args) {
  return run_command(std::string("'") + DRVSEC_EXE + "' " + args + " 2>/dev/null");
}

}  // namespace drvsec::test
