// sluice_bench: the end-to-end scenarios of the performance issue, one scenario per invocation.
//
//   sluice_bench SCENARIO [--runs N] [--db :memory:|file] [--durability full|normal] …
//
// Each repetition runs in a fresh child process (bench/harness.h); the scenario prints one
// Markdown table row per figure: | id | scenario | median | min | max | unit | runs |.
//
//   pass-chain-executor  a. N chained Pass states on a bare Executor (no runtime, no store)
//   pass-chain           a. the same through Service (runtime + recorder + SQLite), one at a time
//   map                  b. a Map over --items items, each a Pass, through Service
//   concurrent           c. --executions concurrent runs of a 10-state machine through Service
//   process-run          d. `sluice run` of a one-state machine, a whole process, start to exit
//   process-time         any command, start to exit (--program, --args, --stdin, --label)
//   resume               e. Service::Open + Recover() of --executions executions parked in a
//                           Wait, then Run() to completion on a virtual clock
//   rss                  g. peak RSS with --executions executions parked in a Wait
//   fsync                the latency of a 4 KiB write + fdatasync in --tmpdir (the floor of a
//                           durable commit on this disk)
//   baseline-loop        the floor under a: a bare interpreter loop over --states states that
//                           copies a small JSON state at each step (no history, no checks)
//   sqlite-commit        the floor under c: SQLite (WAL, --durability) inserting history-sized
//                           rows, --rows-per-commit rows per transaction (rows/s)
//   definition NAME      prints a benchmark definition (pass-chain, map, ten-states, long-wait,
//                           one-state), for bench/compare-peer
//
// A durable database (--db file) is a fresh file in a fresh directory under --tmpdir for every
// repetition, removed afterwards. Use a --tmpdir on a real disk: on tmpfs, fsync is free.
#include <fcntl.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>

#include "asl/timestamp.h"
#include "bench/harness.h"
#include "bench/machines.h"
#include "engine/clock.h"
#include "engine/executor.h"
#include "engine/service.h"

extern char** environ;

namespace sluice::bench {
namespace {

namespace engine = sluice::engine;

struct Options {
  std::string scenario;
  std::string definition_name;
  std::string id = "-";
  int runs = 5;
  std::string db = ":memory:";  // or "file" (a fresh file per repetition); process-run: "default"
  std::string durability = "full";
  int executions = 1000;
  int states = 1000;
  int items = 10000;
  int rows_per_commit = 1;
  double min_seconds = 0.5;
  std::string tmpdir = "/tmp";
  std::string sluice = "sluice";
  std::string program;  // process-time
  std::string args;
  std::string stdin_path = "/dev/null";
  std::string label = "process";
};

engine::Durability DurabilityOf(const Options& o) {
  return o.durability == "normal" ? engine::Durability::kNormal : engine::Durability::kFull;
}

std::string DbLabel(const Options& o) {
  if (o.db == ":memory:") return "--db :memory:";
  return std::string("file db, synchronous=") + (o.durability == "normal" ? "NORMAL" : "FULL");
}

// The database of one repetition: ":memory:", or a file in a fresh directory removed with it.
class TempDb {
 public:
  explicit TempDb(const Options& o) {
    if (o.db == ":memory:") {
      path_ = ":memory:";
      return;
    }
    dir_ = MakeTempDir(o.tmpdir);
    path_ = dir_ + "/bench.db";
  }
  ~TempDb() {
    if (dir_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  TempDb(const TempDb&) = delete;
  TempDb& operator=(const TempDb&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string dir_;
  std::string path_;
};

std::unique_ptr<engine::Service> OpenService(const std::string& path, engine::Durability d,
                                             bool virtual_clock) {
  engine::ServiceOptions so;
  so.db_path = path;
  so.durability = d;
  so.virtual_clock = virtual_clock;
  return Check(engine::Service::Open(so), "open " + path);
}

engine::StartRequest Request(const Machine& m, Json input) {
  engine::StartRequest r;
  r.definition_text = m.text;
  r.machine = m.compiled;
  r.machine_name = "bench";
  r.input = std::make_shared<const Json>(std::move(input));
  r.handlers.machine_name = "bench";
  r.max_history_events = 0;  // a 10,000-item Map writes ~40,000 events, over AWS's 25,000
  return r;
}

int64_t StatesEntered(const engine::Executor& ex) {
  int64_t n = 0;
  for (const auto& e : ex.history()) {
    const std::string& t = e.type;
    if (t.size() > 12 && t.compare(t.size() - 12, 12, "StateEntered") == 0) ++n;
  }
  return n;
}

// Counts the executions that ended, and those that did not succeed.
struct Tally {
  int64_t ended = 0;
  int64_t failed = 0;
  engine::Service::DoneCallback Callback() {
    return [this](const engine::Executor& ex) {
      ++ended;
      if (ex.status() != engine::ExecutionStatus::kSucceeded) ++failed;
    };
  }
  void Expect(int64_t n, const std::string& what) const {
    if (ended != n || failed != 0) {
      Die(what + ": " + std::to_string(ended) + " of " + std::to_string(n) + " executions ended, " +
          std::to_string(failed) + " did not succeed");
    }
  }
};

void Start(engine::Service& service, const engine::StartRequest& r,
           engine::Service::DoneCallback done) {
  Check(service.Start(r, std::move(done)), "start");
}

void RunLoop(engine::Service& service) { Check(service.Run(), "run"); }

// Runs one execution to its end, checking that it succeeds after entering `states` states and
// (when `output_size` ≥ 0) that its output is an array of that size.
void WarmUp(engine::Service& service, const engine::StartRequest& r, int64_t states,
            int64_t output_size = -1) {
  bool checked = false;
  Start(service, r, [&](const engine::Executor& ex) {
    if (ex.status() != engine::ExecutionStatus::kSucceeded) Die("warm-up execution failed");
    if (StatesEntered(ex) != states) {
      Die("warm-up execution entered " + std::to_string(StatesEntered(ex)) + " states, expected " +
          std::to_string(states));
    }
    if (output_size >= 0 && ex.output().size() != static_cast<size_t>(output_size)) {
      Die("warm-up execution output has the wrong size");
    }
    checked = true;
  });
  RunLoop(service);
  if (!checked) Die("warm-up execution did not end");
}

// `work` units per second of wall time and of CPU time, for a repetition's report.
std::vector<double> Rates(double work, const Stopwatch& watch) {
  return {work / watch.Wall(), work / watch.Cpu()};
}

// The wall-time and CPU-time figures of every repetition, summarised.
std::pair<Summary, Summary> WallAndCpu(const std::vector<std::vector<double>>& rows) {
  return {Summarize(Column(rows, 0)), Summarize(Column(rows, 1))};
}

// Runs `r` one execution at a time until `min_seconds` have passed (at least one execution);
// returns the executions per second of wall time and of CPU time.
std::vector<double> SequentialRates(engine::Service& service, const engine::StartRequest& r,
                                    double min_seconds, double work_per_execution) {
  Tally tally;
  int64_t n = 0;
  Stopwatch watch;
  do {
    Start(service, r, tally.Callback());
    RunLoop(service);
    ++n;
  } while (watch.Wall() < min_seconds);
  auto rates = Rates(static_cast<double>(n) * work_per_execution, watch);
  tally.Expect(n, "sequential runs");
  return rates;
}

// ---- a. Pass chain --------------------------------------------------------------------------

void PassChainExecutor(const Options& o) {
  Machine m = PassChain(o.states);
  auto rows = RunIsolated(o.runs, [&] {
    const Json input = {{"n", 1}};
    engine::ExecutionOptions eo;
    int64_t n = 0;
    Stopwatch watch;
    do {
      engine::Executor ex(m.compiled, eo);
      ex.Start(input, 0);
      if (!ex.done()) Die("the Pass chain did not end");
      ++n;
    } while (watch.Wall() < o.min_seconds);
    return Rates(static_cast<double>(n * o.states), watch);
  });
  auto [wall, cpu] = WallAndCpu(rows);
  PrintRow(o.id, std::to_string(o.states) + " chained Pass, bare Executor (no runtime, no store)",
           wall, "transitions/s", cpu);
}

void PassChainService(const Options& o) {
  Machine m = PassChain(o.states);
  auto rows = RunIsolated(o.runs, [&] {
    TempDb db(o);
    auto service = OpenService(db.path(), DurabilityOf(o), false);
    auto r = Request(m, Json{{"n", 1}});
    WarmUp(*service, r, o.states);
    return SequentialRates(*service, r, o.min_seconds, o.states);
  });
  auto [wall, cpu] = WallAndCpu(rows);
  PrintRow(o.id, std::to_string(o.states) + " chained Pass, Service, " + DbLabel(o), wall,
           "transitions/s", cpu);
}

// ---- b. Map ---------------------------------------------------------------------------------

void MapScenario(const Options& o) {
  Machine m = PassMap();
  auto rows = RunIsolated(o.runs, [&] {
    TempDb db(o);
    auto service = OpenService(db.path(), DurabilityOf(o), false);
    auto r = Request(m, MapInput(o.items));
    WarmUp(*service, r, 1 + o.items, o.items);
    return SequentialRates(*service, r, o.min_seconds, o.items);
  });
  auto [wall, cpu] = WallAndCpu(rows);
  PrintRow(o.id, "Map over " + std::to_string(o.items) + " items (each a Pass), " + DbLabel(o),
           wall, "items/s", cpu);
}

// ---- c. concurrent executions ---------------------------------------------------------------

void Concurrent(const Options& o) {
  Machine m = TenStates();
  auto rows = RunIsolated(o.runs, [&] {
    TempDb db(o);
    auto service = OpenService(db.path(), DurabilityOf(o), false);
    auto r = Request(m, Json{{"go", true}});
    r.handlers.functions = std::make_shared<const Json>(TenStateFunctions());
    r.handlers.functions_source = "bench-functions.json";
    WarmUp(*service, r, m.states_per_execution);
    Tally tally;
    Stopwatch watch;
    for (int i = 0; i < o.executions; ++i) Start(*service, r, tally.Callback());
    RunLoop(*service);
    auto rates = Rates(double(o.executions) * m.states_per_execution, watch);
    tally.Expect(o.executions, "concurrent executions");
    return rates;
  });
  auto [wall, cpu] = WallAndCpu(rows);
  PrintRow(o.id,
           std::to_string(o.executions) + " concurrent x 10 states (Pass, Choice, Wait 0, Task), " +
               DbLabel(o),
           wall, "transitions/s", cpu);
}

// ---- d. a whole `sluice run` process --------------------------------------------------------

std::string WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) Die("cannot write " + path);
  return path;
}

// The environment without SLUICE_DB, so that the default database is ./sluice.db.
std::vector<char*> EnvironmentWithoutDb() {
  std::vector<char*> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "SLUICE_DB=", 10) != 0) env.push_back(*e);
  }
  env.push_back(nullptr);
  return env;
}

struct ProcessTime {
  double wall_ms = 0;
  double cpu_ms = 0;  // the child's user + system time
};

// Spawns `argv` in `cwd`, stdin from `stdin_path`, stdout and stderr to /dev/null; returns the
// wall time from the spawn to its exit and the CPU time it used. Dies when it exits non-zero.
ProcessTime TimeProcess(const std::vector<std::string>& argv, const std::string& cwd,
                        const std::string& stdin_path = "/dev/null") {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, stdin_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  auto env = EnvironmentWithoutDb();
  const double t0 = NowSeconds();
  pid_t pid;
  int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) Die("cannot start " + argv[0] + ": " + std::strerror(rc));
  int status = 0;
  rusage usage{};
  while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  const double elapsed = NowSeconds() - t0;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    Die(argv[0] + " exited with status " + std::to_string(status) + " (in " + cwd + ")");
  }
  auto ms = [](const timeval& t) { return double(t.tv_sec) * 1e3 + double(t.tv_usec) * 1e-3; };
  return ProcessTime{elapsed * 1000, ms(usage.ru_utime) + ms(usage.ru_stime)};
}

// Times `argv` `runs` times after two untimed warm-up runs (the binary and its libraries into
// the page cache, a default database created) and prints the row.
void TimeRuns(const Options& o, const std::vector<std::string>& argv, const std::string& cwd,
              const std::string& stdin_path, const std::string& label) {
  for (int i = 0; i < 2; ++i) TimeProcess(argv, cwd, stdin_path);
  std::vector<double> wall, cpu;
  for (int i = 0; i < o.runs; ++i) {
    ProcessTime t = TimeProcess(argv, cwd, stdin_path);
    wall.push_back(t.wall_ms);
    cpu.push_back(t.cpu_ms);
  }
  PrintRow(o.id, label, Summarize(wall), "ms", Summarize(cpu));
}

void ProcessRun(const Options& o) {
  const std::string sluice = std::filesystem::absolute(o.sluice).string();
  const std::string dir = MakeTempDir(o.tmpdir);
  const std::string def = WriteFile(dir + "/hello.asl.json", OneState().text);
  std::vector<std::string> argv = {sluice, "run", def, "--json"};
  if (o.db == ":memory:") {
    argv.push_back("--db");
    argv.push_back(":memory:");
  }
  const std::string label = o.db == ":memory:"
                                ? "--db :memory:"
                                : "default file db ./sluice.db (exists), synchronous=FULL";
  TimeRuns(o, argv, dir, "/dev/null", "`sluice run` one Pass state, whole process, " + label);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

// Times any command (bench/compare-peer times the peer's CLI with it): --program, --args (split
// at spaces), --stdin, --label.
void ProcessTime(const Options& o) {
  std::vector<std::string> argv = {o.program};
  std::istringstream words(o.args);
  for (std::string w; words >> w;) argv.push_back(w);
  const std::string dir = MakeTempDir(o.tmpdir);
  TimeRuns(o, argv, dir, o.stdin_path, o.label);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

// ---- e. resume ------------------------------------------------------------------------------

// {"until": an instant an hour from now}: every execution waits for the same instant, so the
// virtual clock reaches all of them with one jump.
Json WaitInput() {
  engine::RealClock clock;
  return Json{{"until", asl::FormatTimestamp(clock.Now() + 3600LL * 1'000'000'000)}};
}

// Starts `executions` LongWait executions in `path` and kills the process (from the watcher
// thread) once they are committed and parked: what a crash leaves behind.
void CreateParked(const std::string& path, int executions) {
  RunIsolated(1, [&]() -> std::vector<double> {
    auto service = OpenService(path, engine::Durability::kNormal, false);
    auto r = Request(LongWait(), WaitInput());
    for (int i = 0; i < executions; ++i) Start(*service, r, nullptr);
    ExitWhenLoopIdle([] { return std::vector<double>{1}; });
    RunLoop(*service);
    Die("the parked executions ended");
  });
}

void Resume(const Options& o) {
  const std::string dir = MakeTempDir(o.tmpdir);
  const std::string source = dir + "/parked.db";
  const double t0 = NowSeconds();
  CreateParked(source, o.executions);
  std::fprintf(stderr, "resume: %d parked executions created in %.1f s\n", o.executions,
               NowSeconds() - t0);
  auto rows = RunIsolated(o.runs, [&] {
    const std::string copy = dir + "/copy.db";
    RemoveDatabase(copy);
    CopyFile(source, copy);
    CopyFile(source + "-wal", copy + "-wal");
    Tally tally;
    Stopwatch watch;
    auto service = OpenService(copy, engine::Durability::kFull, true);
    auto arns = Check(service->Recover(tally.Callback()), "recover");
    const double recovered_wall = watch.Wall(), recovered_cpu = watch.Cpu();
    RunLoop(*service);
    const double finished_wall = watch.Wall(), finished_cpu = watch.Cpu();
    if (arns.size() != static_cast<size_t>(o.executions)) Die("recovered the wrong count");
    tally.Expect(o.executions, "resumed executions");
    service.reset();
    RemoveDatabase(copy);
    return std::vector<double>{recovered_wall, recovered_cpu, finished_wall, finished_cpu};
  });
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  const std::string n = std::to_string(o.executions);
  PrintRow(o.id, "resume " + n + " parked executions: Service::Open + Recover()",
           Summarize(Column(rows, 0)), "s", Summarize(Column(rows, 1)));
  PrintRow(o.id,
           "resume " + n +
               " parked executions: Open + Recover() + Run() to the end (virtual clock, FULL)",
           Summarize(Column(rows, 2)), "s", Summarize(Column(rows, 3)));
}

// ---- g. peak RSS ----------------------------------------------------------------------------

void Rss(const Options& o) {
  // The child ends by _exit (no destructors), so the parent owns the directory of a file db.
  const std::string dir = o.db == ":memory:" ? "" : MakeTempDir(o.tmpdir);
  const std::string path = dir.empty() ? ":memory:" : dir + "/rss.db";
  auto rows = RunIsolated(o.runs, [&]() -> std::vector<double> {
    if (!dir.empty()) RemoveDatabase(path);
    auto service = OpenService(path, DurabilityOf(o), false);
    auto r = Request(LongWait(), WaitInput());
    const double baseline = ProcStatusBytes("VmRSS");
    for (int i = 0; i < o.executions; ++i) Start(*service, r, nullptr);
    ExitWhenLoopIdle([baseline] {
      return std::vector<double>{ProcStatusBytes("VmHWM"), ProcStatusBytes("VmRSS"), baseline};
    });
    RunLoop(*service);
    Die("the parked executions ended");
  });
  if (!dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  const double n = o.executions;
  std::vector<double> peak_per, idle_per, peak_mib;
  for (const auto& row : rows) {
    if (row.size() < 3) Die("rss: a repetition reported too few figures");
    peak_per.push_back((row[0] - row[2]) / n);
    idle_per.push_back((row[1] - row[2]) / n);
    peak_mib.push_back(row[0] / (1024.0 * 1024.0));
  }
  const std::string label =
      std::to_string(o.executions) + " executions parked in a Wait, " + DbLabel(o) + ": ";
  PrintRow(o.id, label + "peak RSS (VmHWM) per execution", Summarize(peak_per), "bytes");
  PrintRow(o.id, label + "RSS once parked, per execution", Summarize(idle_per), "bytes");
  PrintRow(o.id, label + "peak RSS of the process", Summarize(peak_mib), "MiB");
}

// ---- fsync ----------------------------------------------------------------------------------

void Fsync(const Options& o) {
  const std::string dir = MakeTempDir(o.tmpdir);
  const std::string path = dir + "/fsync.bin";
  int fd = open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
  if (fd < 0) Die("open " + path + ": " + std::strerror(errno));
  std::vector<char> page(4096, 'x');
  std::vector<double> us;
  for (int i = 0; i < o.runs; ++i) {
    const double t0 = NowSeconds();
    if (pwrite(fd, page.data(), page.size(), off_t(i) * 4096) != ssize_t(page.size()) ||
        fdatasync(fd) != 0) {
      Die("write/fdatasync " + path + ": " + std::strerror(errno));
    }
    us.push_back((NowSeconds() - t0) * 1e6);
  }
  close(fd);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  PrintRow(o.id, "4 KiB append + fdatasync in the bench directory", Summarize(us), "µs");
}

// ---- baselines: the machine's own limits --------------------------------------------------

// An interpreter loop with none of an engine's duties: each step copies a small JSON state (a
// state's input becoming its output) and finds the next state by name. What a transition costs
// on this machine before history, validation or storage.
void BaselineLoop(const Options& o) {
  std::vector<std::string> next(static_cast<size_t>(o.states));
  std::unordered_map<std::string, size_t> index;
  for (int i = 0; i < o.states; ++i) {
    index["S" + std::to_string(i)] = static_cast<size_t>(i);
    if (i + 1 < o.states) next[static_cast<size_t>(i)] = "S" + std::to_string(i + 1);
  }
  auto rows = RunIsolated(o.runs, [&] {
    int64_t n = 0, steps = 0;
    Stopwatch watch;
    do {
      Json state = {{"n", 1}};
      for (size_t at = 0;;) {
        Json copy = state;
        state = std::move(copy);
        ++steps;
        if (next[at].empty()) break;
        at = index.find(next[at])->second;
      }
      if (state.size() != 1) Die("the baseline loop lost its state");
      ++n;
    } while (watch.Wall() < o.min_seconds);
    if (steps != n * o.states) Die("the baseline loop miscounted");
    return Rates(static_cast<double>(steps), watch);
  });
  auto [wall, cpu] = WallAndCpu(rows);
  PrintRow(o.id,
           "baseline: bare interpreter loop, " + std::to_string(o.states) +
               " states, copies a small JSON per step",
           wall, "transitions/s", cpu);
}

void Exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    Die(std::string(sql) + ": " + message);
  }
}

// Plain SQLite in WAL mode, in a fresh file: rows of the size of a history event (~150 bytes),
// --rows-per-commit to a transaction, for --min-seconds.
void SqliteCommit(const Options& o) {
  Options file = o;
  file.db = "file";
  auto rows = RunIsolated(o.runs, [&] {
    TempDb db(file);
    sqlite3* h = nullptr;
    if (sqlite3_open(db.path().c_str(), &h) != SQLITE_OK) Die("open " + db.path());
    Exec(h, "PRAGMA journal_mode = WAL");
    Exec(h, o.durability == "normal" ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL");
    Exec(h,
         "CREATE TABLE events (execution INTEGER, id INTEGER, details TEXT,"
         " PRIMARY KEY (execution, id))");
    sqlite3_stmt* insert = nullptr;
    sqlite3_prepare_v2(h, "INSERT INTO events VALUES (?1, ?2, ?3)", -1, &insert, nullptr);
    const std::string details(150, 'x');
    int64_t inserted = 0;
    Stopwatch watch;
    do {
      Exec(h, "BEGIN IMMEDIATE");
      for (int i = 0; i < o.rows_per_commit; ++i, ++inserted) {
        sqlite3_bind_int64(insert, 1, inserted % 1000);
        sqlite3_bind_int64(insert, 2, inserted);
        sqlite3_bind_text(insert, 3, details.data(), static_cast<int>(details.size()),
                          SQLITE_STATIC);
        if (sqlite3_step(insert) != SQLITE_DONE) Die("insert: " + std::string(sqlite3_errmsg(h)));
        sqlite3_reset(insert);
      }
      Exec(h, "COMMIT");
    } while (watch.Wall() < o.min_seconds);
    auto rates = Rates(static_cast<double>(inserted), watch);
    sqlite3_finalize(insert);
    sqlite3_close(h);
    return rates;
  });
  auto [wall, cpu] = WallAndCpu(rows);
  PrintRow(o.id,
           "baseline: SQLite WAL, synchronous=" +
               std::string(o.durability == "normal" ? "NORMAL" : "FULL") + ", " +
               std::to_string(o.rows_per_commit) + " row(s) per commit",
           wall, "rows/s", cpu);
}

void PrintDefinition(const Options& o) {
  std::string text = DefinitionText(o.definition_name);
  if (text.empty()) Die("unknown definition '" + o.definition_name + "'");
  std::cout << text << std::endl;
}

int Dispatch(const Options& o) {
  static const std::map<std::string, void (*)(const Options&)> kScenarios = {
      {"pass-chain-executor", PassChainExecutor},
      {"pass-chain", PassChainService},
      {"map", MapScenario},
      {"concurrent", Concurrent},
      {"process-run", ProcessRun},
      {"process-time", ProcessTime},
      {"resume", Resume},
      {"rss", Rss},
      {"fsync", Fsync},
      {"baseline-loop", BaselineLoop},
      {"sqlite-commit", SqliteCommit},
      {"definition", PrintDefinition},
  };
  auto it = kScenarios.find(o.scenario);
  if (it == kScenarios.end()) {
    Die("unknown scenario '" + o.scenario + "' (see the header of bench/scenarios.cpp)");
  }
  it->second(o);
  return 0;
}

}  // namespace
}  // namespace sluice::bench

int main(int argc, char** argv) {
  sluice::bench::Options o;
  CLI::App app{"sluice_bench: Sluice's end-to-end benchmark scenarios"};
  app.add_option("scenario", o.scenario,
                 "pass-chain-executor, pass-chain, map, concurrent, process-run, process-time, "
                 "resume, rss, fsync, baseline-loop, sqlite-commit, definition")
      ->required();
  app.add_option("name", o.definition_name, "definition: which one");
  app.add_option("--id", o.id, "Row label (the issue's scenario letter)");
  app.add_option("--runs", o.runs, "Repetitions (each in a fresh process); default 5")
      ->check(CLI::Range(1, 1000));
  app.add_option("--db", o.db, ":memory: (default) or file; process-run: :memory: or default")
      ->check(CLI::IsMember({":memory:", "file", "default"}));
  app.add_option("--durability", o.durability, "full (default) or normal")
      ->check(CLI::IsMember({"full", "normal"}));
  app.add_option("--executions", o.executions, "concurrent, resume, rss: executions");
  app.add_option("--states", o.states, "pass-chain: chain length (default 1000)");
  app.add_option("--items", o.items, "map: items (default 10000)");
  app.add_option("--min-seconds", o.min_seconds,
                 "pass-chain, map, baselines: time each repetition runs for (default 0.5)");
  app.add_option("--rows-per-commit", o.rows_per_commit, "sqlite-commit: rows per transaction")
      ->check(CLI::Range(1, 100000));
  app.add_option("--tmpdir", o.tmpdir, "Where durable databases go (default /tmp)");
  app.add_option("--sluice", o.sluice, "process-run: the sluice binary");
  app.add_option("--program", o.program, "process-time: the executable (a path)");
  app.add_option("--args", o.args, "process-time: its arguments, separated by spaces");
  app.add_option("--stdin", o.stdin_path, "process-time: its standard input (default /dev/null)");
  app.add_option("--label", o.label, "process-time: the row's scenario text");
  CLI11_PARSE(app, argc, argv);
  return sluice::bench::Dispatch(o);
}
