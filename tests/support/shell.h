// RunShell: runs a shell command line for the tests that drive the sluice binary, and returns its
// exit code and what it wrote to stdout (the command line redirects stderr as it needs).
#pragma once

#include <string>

namespace sluice::testing {

struct ShellOutcome {
  int code = -1;    // the exit status; -1 when killed by a signal or not started
  std::string out;  // stdout (plus stderr when the command line merges it)
};

ShellOutcome RunShell(const std::string& command);

}  // namespace sluice::testing
