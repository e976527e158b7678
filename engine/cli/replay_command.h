// `sluice replay EXEC [--definition FILE] [--until STATE] [--json]`: re-executes a recorded
// execution from its journal, without running any task or waiting, prints each state it went
// through and checks that it reproduces the recorded history (engine/replay.h, docs/replay.md).
//
// Exit codes: 0 the replay reproduces the recorded history (up to --until STATE when given);
// 1 it differs (the first differing event is named); 2 bad usage, no such database or
// execution, or a definition that does not compile.
#pragma once

#include <string>

namespace CLI {
class App;
}

struct ReplayArgs {
  std::string reference;  // an execution: ARN, name or unique prefix
  std::string db = "sluice.db";
  std::string definition;  // a changed definition file to replay under; empty: the recorded one
  std::string until;       // stop before entering this state
  bool json = false;
};

// Adds the `replay` subcommand to `app`, storing its options into `args`.
CLI::App* AddReplayCommand(CLI::App& app, ReplayArgs& args);

// Runs the command; returns the exit code. Messages for code 2 go to stderr.
int RunReplay(const ReplayArgs& args);
