// CommandRunner: runs local commands for task handlers, asynchronously on a libuv loop.
//
// A command is an argv, executed directly (execvp semantics: argv[0] is looked up in PATH when
// it has no '/'), never through a shell. The runner writes `stdin_data` to the child's stdin and
// closes it, collects stdout and stderr, and reports the exit status once the process has exited
// AND both of its output pipes have closed.
//
// Contract (libuv style): Start() either fails at once (the command could not be spawned, e.g.
// the executable does not exist) and never calls back, or succeeds and calls back exactly once,
// on the loop thread, unless Cancel() comes first. After Cancel() the callback is never called.
//
// Each child runs in its own process group (session), so Cancel() can SIGKILL the command and
// everything it started (`sh -c 'sleep 100'` dies with its sleep). Pipes are closed on cancel
// rather than drained, so a cancelled command never keeps the loop alive.
//
// Ownership: every libuv handle belongs to one running process and is closed by the runner;
// a process's memory is freed by its last close callback. Destroying the runner cancels every
// running command; the loop must still be alive then and must run until the closes finish.
//
// SIGPIPE: a child that exits without reading its stdin would make the write raise SIGPIPE, so
// the first runner sets SIGPIPE to "ignore" if it still has the default action (children get
// default dispositions back from libuv before exec).
//
// Thread rule: loop thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "asl/result.h"

typedef struct uv_loop_s uv_loop_t;

namespace sluice::handlers {

struct CommandSpec {
  std::vector<std::string> argv;  // argv[0] is the executable; must not be empty
  std::string stdin_data;         // written to the child's stdin, which is then closed
  // Added to (or replacing same-named variables of) the runner's own environment.
  std::vector<std::pair<std::string, std::string>> env;
  std::string cwd;  // empty: the runner's working directory
};

struct CommandResult {
  int64_t exit_status = 0;  // the exit code when term_signal == 0
  int term_signal = 0;      // the signal that killed the process, or 0
  std::string stdout_data;
  std::string stderr_data;
  bool stdout_truncated = false;  // output beyond Options::max_output_bytes was dropped
  bool stderr_truncated = false;

  bool succeeded() const { return term_signal == 0 && exit_status == 0; }
  // "exited with status 3" / "was killed by signal 9 (Killed)".
  std::string Describe() const;
};

class CommandRunner {
 public:
  struct Options {
    // Per stream: output beyond this is read and dropped, and the result is marked truncated.
    // Bounds memory when a command prints far more than any task result may hold.
    size_t max_output_bytes = 16 * 1024 * 1024;
  };

  using Callback = std::function<void(CommandResult)>;

  explicit CommandRunner(uv_loop_t* loop);
  CommandRunner(uv_loop_t* loop, Options options);
  ~CommandRunner();
  CommandRunner(const CommandRunner&) = delete;
  CommandRunner& operator=(const CommandRunner&) = delete;

  // Spawns the command. Returns its run id, or the reason it could not be spawned (e.g.
  // "cannot run 'frobnicate': no such file or directory"), in which case `done` is dropped.
  Result<uint64_t> Start(const CommandSpec& spec, Callback done);

  // Kills the command's process group with SIGKILL and drops its callback. Unknown or finished
  // ids are ignored.
  void Cancel(uint64_t run_id);

  // Commands started and not yet reported or cancelled.
  size_t running() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::handlers
