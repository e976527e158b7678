// The durable commands end to end through the binary: run records into --db, list / describe /
// history read it back, and an execution killed with SIGKILL mid-run is resumed (or stopped)
// from the database.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "tests/support/shell.h"

extern char** environ;

namespace {

using nlohmann::json;

using Outcome = sluice::testing::ShellOutcome;

Outcome Sluice(const std::string& args) {
  std::string cmd = std::string(SLUICE_BINARY) + " " + args + " 2>&1";
  return sluice::testing::RunShell(cmd);
}

class Durable : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("durable-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = (dir_ / "t.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    auto path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }

  // Starts `sluice args` in the background; returns its pid.
  pid_t Spawn(const std::string& args) {
    std::string cmd = std::string(SLUICE_BINARY) + " " + args + " >/dev/null 2>&1";
    const char* argv[] = {"/bin/sh", "-c", cmd.c_str(), nullptr};
    pid_t pid = 0;
    // exec replaces the shell, so the pid is sluice's own.
    cmd = "exec " + cmd;
    argv[2] = cmd.c_str();
    EXPECT_EQ(posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ), 0);
    return pid;
  }

  // Waits until `sluice list` shows `count` events recorded... polls the history instead.
  bool WaitForEvent(const std::string& name, const std::string& type, int timeout_ms = 30000) {
    for (int waited = 0; waited < timeout_ms; waited += 50) {
      auto o = Sluice("history " + name + " --json --db " + db_);
      if (o.code == 0 && o.out.find("\"" + type + "\"") != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  std::filesystem::path dir_;
  std::string db_;
};

constexpr const char* kWaitThenPass = R"({"StartAt":"Before","States":{
    "Before":{"Type":"Pass","Result":{"step":1},"ResultPath":"$.before","Next":"W"},
    "W":{"Type":"Wait","Seconds":2,"Next":"After"},
    "After":{"Type":"Pass","Result":"done","ResultPath":"$.after","End":true}}})";

TEST_F(Durable, RunIsRecordedAndReadBack) {
  auto def = Write("m.json", R"({"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}})");
  auto run = Sluice("run " + def + " --name first --input '{\"x\":1}' --db " + db_);
  ASSERT_EQ(run.code, 0) << run.out;

  auto list = Sluice("list --json --db " + db_);
  ASSERT_EQ(list.code, 0) << list.out;
  json executions = json::parse(list.out)["executions"];
  ASSERT_EQ(executions.size(), 1u);
  EXPECT_EQ(executions[0]["name"], "first");
  EXPECT_EQ(executions[0]["status"], "SUCCEEDED");
  EXPECT_EQ(executions[0]["executionArn"], "arn:aws:states:local:123456789012:execution:m:first");

  auto describe = Sluice("describe first --json --db " + db_);
  ASSERT_EQ(describe.code, 0) << describe.out;
  json d = json::parse(describe.out);
  EXPECT_EQ(json::parse(d["output"].get<std::string>()), json::parse(R"({"x":1})"));
  EXPECT_EQ(json::parse(d["input"].get<std::string>()), json::parse(R"({"x":1})"));

  auto history = Sluice("history first --json --db " + db_);
  ASSERT_EQ(history.code, 0) << history.out;
  json events = json::parse(history.out)["events"];
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0]["type"], "ExecutionStarted");
  EXPECT_EQ(events[3]["type"], "ExecutionSucceeded");
  auto reversed = Sluice("history first --json --reverse --db " + db_);
  EXPECT_EQ(json::parse(reversed.out)["events"][0]["type"], "ExecutionSucceeded");

  // The same name again is refused, and the database keeps the first run intact.
  auto again = Sluice("run " + def + " --name first --db " + db_);
  EXPECT_EQ(again.code, 2);
  EXPECT_NE(again.out.find("already exists"), std::string::npos) << again.out;
  EXPECT_EQ(json::parse(Sluice("list --json --db " + db_).out)["executions"].size(), 1u);
}

TEST_F(Durable, UnknownExecutionIsAClearError) {
  auto def = Write("m.json", R"({"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}})");
  ASSERT_EQ(Sluice("run " + def + " --db " + db_).code, 0);
  auto o = Sluice("describe nosuch --db " + db_);
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.out.find("nosuch"), std::string::npos) << o.out;
  auto bad = Sluice("list --status WRONG --db " + db_);
  EXPECT_EQ(bad.code, 2);
}

TEST_F(Durable, KilledDuringAWaitResumesWithTheSameOutputAndDueTime) {
  auto def = Write("w.json", kWaitThenPass);
  pid_t pid = Spawn("run " + def + " --name k1 --input '{\"v\":7}' --db " + db_);
  ASSERT_TRUE(WaitForEvent("k1", "WaitStateEntered"));
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  int status = 0;
  ::waitpid(pid, &status, 0);

  auto running = Sluice("list --status RUNNING --json --db " + db_);
  ASSERT_EQ(json::parse(running.out)["executions"].size(), 1u) << running.out;

  auto resumed = Sluice("resume --db " + db_);
  ASSERT_EQ(resumed.code, 0) << resumed.out;
  EXPECT_NE(resumed.out.find("Resuming 1 execution"), std::string::npos) << resumed.out;

  json d = json::parse(Sluice("describe k1 --json --db " + db_).out);
  EXPECT_EQ(d["status"], "SUCCEEDED");
  EXPECT_EQ(json::parse(d["output"].get<std::string>()),
            json::parse(R"({"v":7,"before":{"step":1},"after":"done"})"));
  json events = json::parse(Sluice("history k1 --json --db " + db_).out)["events"];
  // Ids contiguous, every event once; the Wait still lasted its 2 seconds.
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i]["id"], i + 1);
  EXPECT_EQ(events.back()["type"], "ExecutionSucceeded");
}

TEST_F(Durable, StopAbortsAnExecutionLeftByACrash) {
  auto def = Write("w.json", kWaitThenPass);
  pid_t pid = Spawn("run " + def + " --name k2 --db " + db_);
  ASSERT_TRUE(WaitForEvent("k2", "WaitStateEntered"));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  auto stop = Sluice("stop k2 --error Operator --cause 'no longer needed' --db " + db_);
  ASSERT_EQ(stop.code, 0) << stop.out;
  json d = json::parse(Sluice("describe k2 --json --db " + db_).out);
  EXPECT_EQ(d["status"], "ABORTED");
  EXPECT_EQ(d["error"], "Operator");
  EXPECT_EQ(d["cause"], "no longer needed");
  json events = json::parse(Sluice("history k2 --json --db " + db_).out)["events"];
  EXPECT_EQ(events[events.size() - 2]["type"], "WaitStateAborted");
  EXPECT_EQ(events.back()["type"], "ExecutionAborted");
  // Nothing is left to resume.
  auto resumed = Sluice("resume --db " + db_);
  EXPECT_NE(resumed.out.find("Resuming 0 executions"), std::string::npos) << resumed.out;
  EXPECT_EQ(Sluice("stop k2 --db " + db_).code, 2);  // not running any more
}

}  // namespace
