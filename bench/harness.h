// Benchmark harness for sluice_bench: clocks, isolated repetitions, summaries, /proc readings.
//
// Every repetition of a scenario runs in a child process forked from the (still single-threaded)
// driver, so that one repetition's heap, SQLite file or finished executions cannot weigh on the
// next, and so that a peak-RSS reading (VmHWM) starts from a clean process. The child hands its
// figures back through a pipe (ReportAndExit) and never returns into the driver.
//
// A benchmark is a tool, not a library: a failed set-up ends the process with a message (Die).
//
// Thread rule: the driver is single-threaded; a child may start one watcher thread
// (ExitWhenLoopIdle), which ends the child.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "asl/result.h"

namespace sluice::bench {

// Monotonic seconds.
double NowSeconds();
// CPU seconds (user + system) used by this process so far, all threads.
double CpuSeconds();

// Wall and CPU time since construction. On a machine shared with other work the wall time
// includes waiting for a CPU; the CPU time does not (nor does it include waiting for the disk).
class Stopwatch {
 public:
  Stopwatch() : wall0_(NowSeconds()), cpu0_(CpuSeconds()) {}
  double Wall() const { return NowSeconds() - wall0_; }
  double Cpu() const { return CpuSeconds() - cpu0_; }

 private:
  double wall0_;
  double cpu0_;
};

// Prints "sluice_bench: MESSAGE" to stderr and ends the process (a child: _exit, so that nothing
// of the parent's state is flushed twice).
[[noreturn]] void Die(const std::string& message);

// The value of `result`, or Die with `what` and its error.
template <typename T, typename E>
T Check(Result<T, E> result, const std::string& what) {
  if (!result.ok()) Die(what + ": " + std::string(result.error()));
  return std::move(result).value();
}

struct Summary {
  double median = 0;
  double min = 0;
  double max = 0;
  size_t runs = 0;
};

// Median (the mean of the two middle values for an even count), min and max.
Summary Summarize(std::vector<double> values);

// One figure per repetition: the `index`th figure of every row.
std::vector<double> Column(const std::vector<std::vector<double>>& rows, size_t index);

// Runs `measure` `runs` times, each time in a fresh child process, and returns each child's
// figures. A child that fails (Die, a signal, a missing report) ends the driver.
std::vector<std::vector<double>> RunIsolated(int runs,
                                             const std::function<std::vector<double>()>& measure);

// In a RunIsolated child: sends `figures` to the driver and ends the child at once (_exit).
[[noreturn]] void ReportAndExit(const std::vector<double>& figures);

// In a RunIsolated child, just before the runtime's loop starts: starts a watcher thread that
// waits until the calling thread has been blocked in epoll (the libuv loop with nothing to do,
// i.e. every execution is parked on a timer and committed), then calls ReportAndExit(report()).
// `report` runs on the watcher thread and must only read process-level state (/proc).
void ExitWhenLoopIdle(std::function<std::vector<double>()> report);

// A field of /proc/self/status in bytes, e.g. "VmHWM" (peak RSS) or "VmRSS".
double ProcStatusBytes(const std::string& field);

// Creates a fresh directory under `parent` (created if missing); Die on failure.
std::string MakeTempDir(const std::string& parent);
// Removes a database file and its -wal / -shm companions.
void RemoveDatabase(const std::string& path);

// Copies a file byte for byte; false when `from` does not exist.
bool CopyFile(const std::string& from, const std::string& to);

// The 1-minute load average (/proc/loadavg) now: how busy the shared machine was.
double LoadAverage();

// Prints one Markdown table row:
//   | id | scenario | median | min | max | unit | runs | median by CPU time | load |
// "median by CPU time" is the same figure computed from CPU time instead of wall time ("" when
// the scenario has none: `cpu.runs == 0`); "load" is LoadAverage() when the row is printed,
// i.e. just after the scenario's repetitions.
void PrintRow(const std::string& id, const std::string& scenario, const Summary& summary,
              const std::string& unit, const Summary& cpu = Summary{});

}  // namespace sluice::bench
