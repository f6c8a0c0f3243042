// Running the real `sand` executable (SAND_CLI_PATH) from a test: through
// /bin/sh, in a temporary directory, with stdout and stderr captured. Shared
// by the tests that check the binary (exit codes, pipes, real terminals
// aside: those are interactive_shell_test.cpp's).
#pragma once

#include <sys/wait.h>  // WIFEXITED, WEXITSTATUS

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "support/temp_dir.hpp"

namespace sand::test {

// `s` as one single-quoted /bin/sh word.
inline std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out.push_back(c);
    }
  }
  return out + "'";
}

// The bytes of the file at `path` ("" if it cannot be read).
inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Run {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs the shell text `script` in `dir` with `$SAND` set to the binary;
// captures stdout and stderr (of every command that does not redirect its
// own), and stdin is empty.
inline Run run_script(const TempDir& dir, const std::string& script) {
  const std::string out = dir.path() + "/stdout.txt";
  const std::string err = dir.path() + "/stderr.txt";
  const std::string command = "cd " + quote(dir.path()) + " && SAND=" + quote(SAND_CLI_PATH) +
                              " && { " + script + "; } </dev/null >" + quote(out) + " 2>" +
                              quote(err);
  const int status = std::system(command.c_str());
  REQUIRE(WIFEXITED(status));
  Run run{.exit_code = WEXITSTATUS(status), .out = read_file(out), .err = read_file(err)};
  INFO(script << "\nstdout: " << run.out << "\nstderr: " << run.err);
  return run;
}

// Runs `sand ARGS` in `dir` with `stdin_text` on its stdin; `args` is shell
// text (quote() the arguments that need it).
inline Run run_sand(const TempDir& dir, const std::string& args,
                    const std::string& stdin_text = "") {
  const std::string in = dir.path() + "/stdin.txt";
  {
    std::ofstream f(in, std::ios::binary);
    f << stdin_text;
  }
  return run_script(dir, "$SAND " + args + " <" + quote(in));
}

}  // namespace sand::test
