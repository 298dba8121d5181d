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

// A word quoted for the shell.
inline std::string shell_quote(const std::string& word) {
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct RunOptions {
  // Environment changes, as env(1) takes them: "NO_COLOR=1 TERM=xterm", "-u NO_COLOR".
  std::string env;
  bool capture_stderr = false;  // standard error into `out` too (after standard output's lines)
  bool in_terminal = false;     // standard output (and error) on a pseudo-terminal, through script(1)
};

// run_drvsec with an environment, standard error, or a terminal.
inline CommandResult run_drvsec(const std::string& args, const RunOptions& o) {
  std::string command = "env " + o.env + " " + shell_quote(DRVSEC_EXE) + " " + args;
  if (o.in_terminal) return run_command("script -qec " + shell_quote(command) + " /dev/null </dev/null 2>/dev/null");
  return run_command(command + (o.capture_stderr ? " 2>&1" : " 2>/dev/null"));
}

// script(1) runs a command on a pseudo-terminal (util-linux).
inline bool have_script() { return run_command("command -v script >/dev/null 2>&1").exit_code == 0; }

}  // namespace drvsec::test
