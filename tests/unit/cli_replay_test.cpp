// `sluice replay` end to end through the binary: an execution recorded by `sluice run --db` is
// replayed (exit 0), replayed under a changed definition (exit 1, naming the first differing
// event), stopped before a state (--until), reported as JSON, and bad references are usage
// errors (exit 2).
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

Outcome Sluice(const std::string& args, const std::string& env = "") {
  std::string cmd = env + (env.empty() ? "" : " ") + SLUICE_BINARY + " " + args + " 2>&1";
  return sluice::testing::RunShell(cmd);
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Route chooses by $.n after a task and a 30-second wait (run on the virtual clock).
std::string Definition(int threshold) {
  return R"({"StartAt":"Fetch","States":{
    "Fetch":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:fetch",
             "ResultPath":"$.fetched","Next":"Nap"},
    "Nap":{"Type":"Wait","Seconds":30,"Next":"Route"},
    "Route":{"Type":"Choice","Choices":[
        {"Variable":"$.n","NumericGreaterThan":)" +
         std::to_string(threshold) + R"(,"Next":"Big"}],"Default":"Small"},
    "Big":{"Type":"Pass","Result":"big","ResultPath":"$.size","End":true},
    "Small":{"Type":"Pass","Result":"small","ResultPath":"$.size","End":true}}})";
}

class CliReplay : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("cli-replay-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = (dir_ / "t.db").string();
    def_ = Write("m.json", Definition(3));
    auto fns = Write("fns.yaml", "functions:\n  fetch:\n    return: {rows: 3}\n");
    auto run = Sluice("run " + def_ + " --name r1 --clock virtual --functions " + fns +
                      " --input '{\"n\":5}' --db " + db_);
    ASSERT_EQ(run.code, 0) << run.out;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    auto path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }

  std::filesystem::path dir_;
  std::string db_;
  std::string def_;
};

TEST_F(CliReplay, ARecordedRunReplaysIdentically) {
  auto o = Sluice("replay r1 --db " + db_);
  ASSERT_EQ(o.code, 0) << o.out;
  EXPECT_TRUE(Contains(o.out, "Replaying arn:aws:states:local:123456789012:execution:m:r1"))
      << o.out;
  EXPECT_TRUE(Contains(o.out, "Fetch (Task)  {\"n\":5} → {\"n\":5,\"fetched\":{\"rows\":3}}"))
      << o.out;
  EXPECT_TRUE(Contains(o.out, "Route (Choice)")) << o.out;
  EXPECT_TRUE(Contains(o.out, "rule #0: $.n NumericGreaterThan 3 → Big")) << o.out;
  EXPECT_TRUE(Contains(o.out, "replay matches the recorded history (")) << o.out;
  // The number of events it names is the recorded history's.
  json events = json::parse(Sluice("history r1 --json --db " + db_).out)["events"];
  EXPECT_TRUE(Contains(o.out, "(" + std::to_string(events.size()) + " events)")) << o.out;
}

TEST_F(CliReplay, TheDatabaseComesFromSluiceDbToo) {
  auto o = Sluice("replay r1", "SLUICE_DB=" + db_);
  EXPECT_EQ(o.code, 0) << o.out;
}

TEST_F(CliReplay, AChangedDefinitionNamesTheFirstDifferingEvent) {
  auto changed = Write("changed.json", Definition(10));
  auto o = Sluice("replay r1 --definition " + changed + " --db " + db_);
  ASSERT_EQ(o.code, 1) << o.out;
  EXPECT_TRUE(Contains(o.out, "under the changed definition")) << o.out;
  EXPECT_TRUE(Contains(o.out, "Default → Small")) << o.out;
  json events = json::parse(Sluice("history r1 --json --db " + db_).out)["events"];
  int64_t big = 0;
  for (const auto& e : events) {
    if (e["type"] == "PassStateEntered" && e["stateEnteredEventDetails"]["name"] == "Big") {
      big = e["id"].get<int64_t>();
    }
  }
  ASSERT_GT(big, 0);
  EXPECT_TRUE(Contains(o.out, "first difference at event #" + std::to_string(big) +
                                  ": recorded PassStateEntered {\"name\":\"Big\""))
      << o.out;
  EXPECT_TRUE(Contains(o.out, "replayed PassStateEntered {\"name\":\"Small\"")) << o.out;

  // The recorded definition given as a file is no change.
  EXPECT_EQ(Sluice("replay r1 --definition " + def_ + " --db " + db_).code, 0);
}

TEST_F(CliReplay, UntilStopsBeforeTheStateAndShowsItsInput) {
  auto o = Sluice("replay r1 --until Route --db " + db_);
  ASSERT_EQ(o.code, 0) << o.out;
  EXPECT_TRUE(Contains(o.out, "stopped before Route (event #")) << o.out;
  EXPECT_TRUE(Contains(o.out, "input {\"n\":5,\"fetched\":{\"rows\":3}}")) << o.out;
  EXPECT_FALSE(Contains(o.out, "Route (Choice)")) << o.out;
}

TEST_F(CliReplay, JsonPrintsTheReport) {
  auto o = Sluice("replay r1 --json --db " + db_);
  ASSERT_EQ(o.code, 0) << o.out;
  json r = json::parse(o.out);
  EXPECT_EQ(r["matches"], true);
  EXPECT_EQ(r["recordedStatus"], "SUCCEEDED");
  EXPECT_EQ(r["comparedEvents"], r["recordedEvents"]);
  ASSERT_EQ(r["steps"].size(), 4u);
  EXPECT_EQ(r["steps"][2]["choice"]["rule"], "$.n NumericGreaterThan 3");

  auto changed = Write("changed.json", Definition(10));
  auto d = Sluice("replay r1 --json --definition " + changed + " --db " + db_);
  ASSERT_EQ(d.code, 1) << d.out;
  json diff = json::parse(d.out)["difference"];
  EXPECT_EQ(diff["recorded"]["stateEnteredEventDetails"]["name"], "Big");
  EXPECT_EQ(diff["replayed"]["stateEnteredEventDetails"]["name"], "Small");
}

TEST_F(CliReplay, BadReferencesAreUsageErrors) {
  auto unknown = Sluice("replay nosuch --db " + db_);
  EXPECT_EQ(unknown.code, 2);
  EXPECT_TRUE(Contains(unknown.out, "nosuch")) << unknown.out;

  const std::string missing = (dir_ / "missing.db").string();
  auto no_db = Sluice("replay r1 --db " + missing);
  EXPECT_EQ(no_db.code, 2);
  EXPECT_TRUE(Contains(no_db.out, "no database")) << no_db.out;
  EXPECT_FALSE(std::filesystem::exists(missing));

  auto no_state = Sluice("replay r1 --until Nowhere --db " + db_);
  EXPECT_EQ(no_state.code, 2);
  EXPECT_TRUE(Contains(no_state.out, "no state named 'Nowhere'")) << no_state.out;

  auto no_file = Sluice("replay r1 --definition " + (dir_ / "none.json").string() + " --db " + db_);
  EXPECT_EQ(no_file.code, 2);
  EXPECT_TRUE(Contains(no_file.out, "--definition")) << no_file.out;

  EXPECT_EQ(Sluice("replay --db " + db_).code, 2);  // the execution is required
}

}  // namespace
