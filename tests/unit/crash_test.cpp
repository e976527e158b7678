// The crash test: a mixed workload (tests/crash/workload.asl.json: real-clock Waits, command
// tasks through a functions file, a Map over 100+ items, a Parallel, retries) run through the
// `sluice` binary and killed with SIGKILL at 20+ random moments — `sluice run` while it starts
// each execution, then `sluice resume` again and again — and finally resumed to completion.
// Every execution must end with the output of an uninterrupted run of the same input (a
// separate database, run alongside) and with a consistent history holding exactly the events
// of the uninterrupted run (tests/crash/history_check.h).
//
// The kill schedule comes from a seeded generator; the seed is printed, and SLUICE_CRASH_SEED
// replays the same schedule.
//
// The flaky function fails its first two attempts at each key. It numbers attempts by the
// SLUICE_IDEMPOTENCY_KEY they carry (an atomic symlink per attempt), so a task dispatched again
// after a crash is the same attempt, and the number of retries — hence the output — is the
// uninterrupted run's.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "asl/json.h"
#include "tests/crash/history_check.h"
#include "tests/support/shell.h"

extern char** environ;

namespace {

using sluice::Json;
namespace fs = std::filesystem;

constexpr int kExecutions = 3;
constexpr int kTargetKills = 24;  // the test requires at least 20 to land on a live process
constexpr int kMinKills = 20;

// Both functions append their SLUICE_IDEMPOTENCY_KEY to invocations.log (in the functions
// file's directory) first: the test checks every invocation against the recorded history.
//
// echo prints its event wrapped: {"echo": event}.
constexpr const char* kEchoScript = R"sh(echo "$SLUICE_IDEMPOTENCY_KEY" >> invocations.log
read -r p || true
printf '{"echo":%s}' "$p")sh";

// Fails attempts 1 and 2 of each "key" (errorType Flaky), succeeds at the third with
// {"key", "attempts"}. An attempt is numbered by the first free slot markers/KEY/N, claimed by
// an atomic symlink to the idempotency key; a slot already holding this key is this attempt.
constexpr const char* kFlakyScript = R"sh(echo "$SLUICE_IDEMPOTENCY_KEY" >> invocations.log
p=$(cat)
k=$(printf '%s' "$p" | sed -n 's/.*"key":"\([^"]*\)".*/\1/p')
d="markers/$k"
mkdir -p "$d"
n=1
while ! ln -s "$SLUICE_IDEMPOTENCY_KEY" "$d/$n" 2>/dev/null; do
  [ "$(readlink "$d/$n")" = "$SLUICE_IDEMPOTENCY_KEY" ] && break
  n=$((n+1))
done
if [ "$n" -le 2 ]; then
  printf '{"errorType":"Flaky","errorMessage":"attempt %s"}' "$n"
  exit 1
fi
printf '{"key":"%s","attempts":%s}' "$k" "$n")sh";

using Outcome = sluice::testing::ShellOutcome;

// Runs `sluice args` to completion; stdout and stderr together.
Outcome Sluice(const std::string& args) {
  std::string cmd = std::string(SLUICE_BINARY) + " " + args + " 2>&1";
  return sluice::testing::RunShell(cmd);
}

// Starts `sluice argv…` in the background, its output into `log`; returns its pid.
pid_t Spawn(const std::vector<std::string>& args, const std::string& log) {
  std::vector<std::string> all{SLUICE_BINARY};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  EXPECT_EQ(rc, 0) << "cannot start " << SLUICE_BINARY;
  return rc == 0 ? pid : -1;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Execution k's input: tag ek and 100 + 10k items, every 17th of them (from the 4th) flaky.
Json ExecutionInput(int k) {
  Json items = Json::array();
  const std::string tag = "e" + std::to_string(k);
  for (int i = 1; i <= 100 + 10 * k; ++i) {
    items.push_back(Json{{"key", tag + "-" + std::to_string(i)}, {"flaky", i % 17 == 3}});
  }
  return Json{{"tag", tag}, {"items", items}};
}

// The task invocations a side's functions logged, checked against its final histories (by
// execution ARN): each idempotency key (ARN:event id) must name a LambdaFunctionScheduled event —
// a task starts only once its scheduling is durable — and every scheduled task must have run.
struct Invocations {
  size_t total = 0;      // invocations logged
  size_t scheduled = 0;  // LambdaFunctionScheduled events in the histories
  size_t repeated = 0;   // invocations of a key already invoked (dispatched again after a crash)
};

Invocations CheckInvocations(const fs::path& log, const std::map<std::string, Json>& histories) {
  Invocations out;
  std::map<std::string, int> seen;
  std::ifstream in(log);
  for (std::string key; std::getline(in, key);) {
    ++out.total;
    if (++seen[key] > 1) ++out.repeated;
    const size_t colon = key.rfind(':');
    auto it = histories.find(key.substr(0, colon == std::string::npos ? 0 : colon));
    if (it == histories.end()) {
      ADD_FAILURE() << "invocation of an unknown execution: " << key;
      continue;
    }
    const int64_t id = std::strtoll(key.c_str() + colon + 1, nullptr, 10);
    const Json& events = it->second;
    if (id < 1 || id > static_cast<int64_t>(events.size()) ||
        events[id - 1].value("type", "") != "LambdaFunctionScheduled") {
      ADD_FAILURE() << "invocation " << key << " names no LambdaFunctionScheduled event";
    }
  }
  for (const auto& [arn, events] : histories) {
    for (const auto& e : events) {
      out.scheduled += e.value("type", "") == "LambdaFunctionScheduled" ? 1 : 0;
    }
  }
  EXPECT_EQ(seen.size(), out.scheduled) << "every scheduled task runs, under its own key";
  return out;
}

class CrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("crash-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    definition_ = std::string(SLUICE_SOURCE_DIR) + "/tests/crash/workload.asl.json";
    for (const char* side : {"ref", "crash"}) {
      fs::create_directories(dir_ / side / "logs");
      // cwd "." is the functions file's directory: each side keeps its own markers.
      Json functions{{"functions",
                      {{"echo", {{"command", {"sh", "-c", kEchoScript}}, {"cwd", "."}}},
                       {"flaky", {{"command", {"sh", "-c", kFlakyScript}}, {"cwd", "."}}}}}};
      std::ofstream(dir_ / side / "functions.json") << functions.dump(2);
    }
    for (int k = 0; k < kExecutions; ++k) {
      std::ofstream(dir_ / ("input" + std::to_string(k) + ".json")) << ExecutionInput(k).dump();
    }
  }
  void TearDown() override {
    // A failed assertion may leave processes of ours running.
    for (pid_t pid : live_) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    if (!HasFailure()) fs::remove_all(dir_);
  }

  std::vector<std::string> RunArgs(const std::string& side, int k, const std::string& db) {
    return {"run",
            definition_,
            "--name",
            Name(k),
            "--machine-name",
            "workload",
            "--input-file",
            (dir_ / ("input" + std::to_string(k) + ".json")).string(),
            "--functions",
            (dir_ / side / "functions.json").string(),
            "--db",
            db};
  }
  static std::string Name(int k) { return "e" + std::to_string(k); }
  std::string Log(const std::string& side) {
    return (dir_ / side / "logs" / (std::to_string(++logs_) + ".log")).string();
  }
  std::string RefDb(int k) { return (dir_ / "ref" / (Name(k) + ".db")).string(); }
  std::string CrashDb() { return (dir_ / "crash" / "crash.db").string(); }

  pid_t Start(const std::vector<std::string>& args, const std::string& log) {
    pid_t pid = Spawn(args, log);
    if (pid > 0) live_.push_back(pid);
    return pid;
  }

  // Waits for `pid`; true when it ended by SIGKILL (the kill landed on a live process).
  bool Reap(pid_t pid, int* exit_code) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    live_.erase(std::remove(live_.begin(), live_.end(), pid), live_.end());
    *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  }

  Json Describe(const std::string& name, const std::string& db) {
    auto o = Sluice("describe " + name + " --json --db " + db);
    EXPECT_EQ(o.code, 0) << o.out;
    return Json::parse(o.out, nullptr, false);
  }
  Json History(const std::string& name, const std::string& db) {
    auto o = Sluice("history " + name + " --json --db " + db);
    EXPECT_EQ(o.code, 0) << o.out;
    Json parsed = Json::parse(o.out, nullptr, false);
    return parsed.is_object() ? parsed["events"] : Json();
  }

  fs::path dir_;
  std::string definition_;
  int logs_ = 0;
  std::vector<pid_t> live_;  // started and not yet reaped
};

TEST_F(CrashTest, KilledAtRandomMomentsEveryExecutionEndsAsAnUninterruptedRun) {
  uint64_t seed = std::random_device()();
  if (const char* env = std::getenv("SLUICE_CRASH_SEED")) seed = std::strtoull(env, nullptr, 10);
  std::printf("crash test: seed %llu (SLUICE_CRASH_SEED=%llu replays this kill schedule)\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
  RecordProperty("seed", std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> run_delay_ms(30, 400);
  std::uniform_int_distribution<int> resume_delay_ms(20, 300);

  // The uninterrupted runs, alongside the crashes: one process and database each.
  std::vector<pid_t> reference;
  for (int k = 0; k < kExecutions; ++k)
    reference.push_back(Start(RunArgs("ref", k, RefDb(k)), Log("ref")));

  int kills = 0;  // kills that landed on a live process
  std::string schedule;
  // Kills `pid` after `delay_ms`; returns -1 when the kill landed, else the exit code.
  auto kill_after = [&](pid_t pid, int delay_ms, const char* what) {
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    ::kill(pid, SIGKILL);
    int code = 0;
    bool landed = Reap(pid, &code);
    kills += landed ? 1 : 0;
    schedule += std::string(" ") + what + "@" + std::to_string(delay_ms) + "ms" +
                (landed ? "" : "(exited " + std::to_string(code) + ")");
    return landed ? -1 : code;
  };

  // Each execution's `sluice run` is killed early; a run killed before recording its execution
  // left nothing, so it is run (and killed) again.
  for (int k = 0; k < kExecutions; ++k) {
    for (int attempt = 0;; ++attempt) {
      ASSERT_LT(attempt, 20) << "execution " << Name(k) << " never got recorded";
      const std::string log = Log("crash");
      pid_t pid = Start(RunArgs("crash", k, CrashDb()), log);
      ASSERT_GT(pid, 0);
      int code = kill_after(pid, run_delay_ms(rng), "run");
      ASSERT_LT(code, 0) << "sluice run ended by itself:\n" << ReadFile(log);
      if (Sluice("describe " + Name(k) + " --db " + CrashDb()).code == 0) break;
    }
  }
  // Then `sluice resume`, killed again and again, until the target is reached or a resume
  // finishes everything by itself.
  for (int resumes = 0; kills < kTargetKills; ++resumes) {
    const std::string log = Log("crash");
    // Every other process records in `normal` mode: it too must survive a process crash.
    const bool normal = resumes % 2 == 1;
    pid_t pid =
        Start({"resume", "--db", CrashDb(), "--durability", normal ? "normal" : "full"}, log);
    ASSERT_GT(pid, 0);
    int code = kill_after(pid, resume_delay_ms(rng), normal ? "resume(normal)" : "resume");
    if (code >= 0) {
      ASSERT_EQ(code, 0) << "sluice resume failed:\n" << ReadFile(log);
      break;
    }
  }
  std::printf("crash test: %d kills:%s\n", kills, schedule.c_str());
  auto last = Sluice("resume --db " + CrashDb());
  ASSERT_EQ(last.code, 0) << last.out;
  EXPECT_GE(kills, kMinKills) << "the workload ended before enough kills landed";

  for (pid_t pid : reference) {
    int code = 0;
    EXPECT_FALSE(Reap(pid, &code));
    EXPECT_EQ(code, 0) << "an uninterrupted run failed; logs in " << (dir_ / "ref" / "logs");
  }

  auto list = Sluice("list --json --db " + CrashDb());
  ASSERT_EQ(list.code, 0) << list.out;
  Json executions = Json::parse(list.out)["executions"];
  ASSERT_EQ(executions.size(), size_t{kExecutions}) << list.out;
  size_t events = 0, results = 0;
  std::map<std::string, Json> crash_histories, reference_histories;  // by ARN
  for (int k = 0; k < kExecutions; ++k) {
    SCOPED_TRACE("execution " + Name(k));
    Json crashed = Describe(Name(k), CrashDb());
    Json uninterrupted = Describe(Name(k), RefDb(k));
    ASSERT_EQ(crashed.value("status", ""), "SUCCEEDED") << crashed.dump();
    ASSERT_EQ(uninterrupted.value("status", ""), "SUCCEEDED") << uninterrupted.dump();
    Json output = Json::parse(crashed.value("output", ""), nullptr, false);
    EXPECT_EQ(output, Json::parse(uninterrupted.value("output", ""), nullptr, false));
    EXPECT_EQ(output["mapped"], 100 + 10 * k);
    EXPECT_EQ(output["branch"],
              Json::parse(R"({"key":"e)" + std::to_string(k) + R"(-branch","attempts":3})"));

    Json history = History(Name(k), CrashDb());
    Json reference_history = History(Name(k), RefDb(k));
    for (const auto& p : sluice::testing::HistoryProblems(history, true)) ADD_FAILURE() << p;
    for (const auto& p : sluice::testing::HistoryProblems(reference_history, true)) {
      ADD_FAILURE() << "uninterrupted run: " << p;
    }
    // Event for event what the uninterrupted run recorded: none lost, none repeated.
    EXPECT_EQ(sluice::testing::EventSignatures(history),
              sluice::testing::EventSignatures(reference_history));
    crash_histories[crashed.value("executionArn", "")] = history;
    reference_histories[uninterrupted.value("executionArn", "")] = reference_history;
    events += history.size();
    for (const auto& e : history) {
      results += sluice::testing::IsTaskResult(e.value("type", "")) ? 1 : 0;
    }
  }
  std::printf("crash test: %d executions, %zu history events, %zu task results, all consistent\n",
              kExecutions, events, results);

  Invocations uninterrupted =
      CheckInvocations(dir_ / "ref" / "invocations.log", reference_histories);
  EXPECT_EQ(uninterrupted.repeated, 0u) << "without a crash, each task runs exactly once";
  Invocations crashed = CheckInvocations(dir_ / "crash" / "invocations.log", crash_histories);
  std::printf(
      "crash test: %zu scheduled tasks, %zu invocations (%zu dispatched again after a"
      " kill, under the same idempotency key)\n",
      crashed.scheduled, crashed.total, crashed.repeated);
}

}  // namespace
