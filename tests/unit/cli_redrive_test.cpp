// `sluice redrive` end to end through the binary: a run fails, a redrive with the same functions
// fails again (exit 1), a redrive with a fixed functions file succeeds (exit 0); describe shows
// the redrive count, date and status, history the ExecutionRedriven events, replay reproduces
// it all, and executions that cannot be redriven are refused with exit 2.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/shell.h"

namespace {

using nlohmann::json;

using Outcome = sluice::testing::ShellOutcome;

Outcome Sluice(const std::string& args) {
  std::string cmd = std::string(SLUICE_BINARY) + " " + args + " 2>&1";
  return sluice::testing::RunShell(cmd);
}

// The JSON object on the last line of `out`.
json LastLine(const std::string& out) {
  std::string text = out;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return json::parse(text.substr(text.rfind('\n') + 1));
}

constexpr const char* kMachine = R"({"StartAt":"Prep","States":{
  "Prep":{"Type":"Pass","Result":"prepared","ResultPath":"$.prep","Next":"Work"},
  "Work":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:work",
          "ResultPath":"$.work","Next":"Done"},
  "Done":{"Type":"Pass","Parameters":{"prep.$":"$.prep","work.$":"$.work",
          "redrives.$":"$$.Execution.RedriveCount"},"End":true}}})";

class CliRedrive : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("cli-redrive-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = " --db " + (dir_ / "t.db").string();
    def_ = Write("m.json", kMachine);
    broken_ = Write("broken.json", R"({"functions":{"work":{"raise":{"errorType":"Boom"}}}})");
    fixed_ = Write("fixed.json", R"({"functions":{"work":{"return":{"ok":true}}}})");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    auto path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }

  json Describe(const std::string& name) {
    auto o = Sluice("describe " + name + " --json" + db_);
    EXPECT_EQ(o.code, 0) << o.out;
    return json::parse(o.out);
  }

  std::filesystem::path dir_;
  std::string db_, def_, broken_, fixed_;
};

TEST_F(CliRedrive, AFailedRunRedrivenWithFixedFunctionsSucceeds) {
  auto run = Sluice("run " + def_ + " --name job --functions " + broken_ + db_);
  ASSERT_EQ(run.code, 1) << run.out;
  json d = Describe("job");
  EXPECT_EQ(d["status"], "FAILED");
  EXPECT_EQ(d["redriveCount"], 0);
  EXPECT_EQ(d["redriveStatus"], "REDRIVABLE");
  EXPECT_FALSE(d.contains("redriveDate"));

  // The same broken function: the redrive fails again.
  auto again = Sluice("redrive job --json" + db_);
  EXPECT_EQ(again.code, 1) << again.out;
  EXPECT_EQ(LastLine(again.out)["status"], "FAILED");
  EXPECT_EQ(LastLine(again.out)["error"], "Boom");
  EXPECT_EQ(Describe("job")["redriveCount"], 1);

  auto fixed = Sluice("redrive job --json --functions " + fixed_ + db_);
  ASSERT_EQ(fixed.code, 0) << fixed.out;
  json summary = LastLine(fixed.out);
  EXPECT_EQ(summary["status"], "SUCCEEDED");
  EXPECT_EQ(summary["output"],
            json::parse(R"({"prep":"prepared","work":{"ok":true},"redrives":2})"));

  d = Describe("job");
  EXPECT_EQ(d["status"], "SUCCEEDED");
  EXPECT_EQ(d["redriveCount"], 2);
  EXPECT_TRUE(d.contains("redriveDate"));
  EXPECT_EQ(d["redriveStatus"], "NOT_REDRIVABLE");
  EXPECT_EQ(d["redriveStatusReason"], "Execution is SUCCEEDED and cannot be redriven.");
  EXPECT_FALSE(d.contains("error"));

  auto history = Sluice("history job --json" + db_);
  ASSERT_EQ(history.code, 0) << history.out;
  json events = json::parse(history.out)["events"];
  int redriven = 0, prep = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i]["id"], i + 1);
    if (events[i]["type"] == "ExecutionRedriven") {
      ++redriven;
      EXPECT_EQ(events[i]["executionRedrivenEventDetails"]["redriveCount"], redriven)
          << events[i].dump();
    }
    if (events[i]["type"] == "PassStateEntered" &&
        events[i]["stateEnteredEventDetails"]["name"] == "Prep") {
      ++prep;
    }
  }
  EXPECT_EQ(redriven, 2);
  EXPECT_EQ(prep, 1);  // the successful state before the failure never ran again
  EXPECT_EQ(events.back()["type"], "ExecutionSucceeded");
  auto table = Sluice("history job" + db_);
  EXPECT_NE(table.out.find("ExecutionRedriven"), std::string::npos) << table.out;

  auto replay = Sluice("replay job" + db_);
  EXPECT_EQ(replay.code, 0) << replay.out;
}

TEST_F(CliRedrive, ExecutionsThatCannotBeRedrivenAreRefused) {
  ASSERT_EQ(Sluice("run " + def_ + " --name ok --functions " + fixed_ + db_).code, 0);
  auto refused = Sluice("redrive ok" + db_);
  EXPECT_EQ(refused.code, 2);
  EXPECT_NE(refused.out.find("ExecutionNotRedrivable"), std::string::npos) << refused.out;
  EXPECT_NE(refused.out.find("SUCCEEDED"), std::string::npos) << refused.out;
  EXPECT_EQ(Describe("ok")["redriveCount"], 0);

  auto unknown = Sluice("redrive nosuch" + db_);
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.out.find("nosuch"), std::string::npos) << unknown.out;

  auto no_db = Sluice("redrive ok --db " + (dir_ / "missing.db").string());
  EXPECT_EQ(no_db.code, 2);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "missing.db"));

  EXPECT_EQ(Sluice("redrive" + db_).code, 2);  // no execution named
}

}  // namespace
