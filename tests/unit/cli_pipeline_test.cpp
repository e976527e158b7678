// `sluice pipeline|sensor|events` end to end through the binary, against a temporary --db:
// validating configs (located problems, exit 2), applying them as versions, listing and showing
// them, sensor round trips, and event filters.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/store/store.h"
#include "tests/support/shell.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using Outcome = sluice::testing::ShellOutcome;

constexpr char kSilver[] = R"(pipeline:
  id: silver
schedule:
  trigger: {key: upstream, check: equals, field: status, value: ready}
job:
  type: command
  config: {command: ./run.sh}
)";

constexpr char kBad[] = R"(pipeline:
  id: bad
schedule:
  cron: "0 25 * * *"
job:
  maxRetries: 11
)";

class CliPipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("cli-pipeline-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "t.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    fs::create_directories((dir_ / name).parent_path());
    std::ofstream((dir_ / name).string(), std::ios::binary) << text;
    return (dir_ / name).string();
  }

  // Runs `sluice ARGS --db DB` (in `dir_`); stderr is kept apart unless `merge`.
  Outcome Sluice(const std::string& args, bool merge = false, const std::string& stdin_text = "") {
    std::string cmd = "cd '" + dir_.string() + "' && ";
    if (!stdin_text.empty()) cmd += "printf '%s' '" + stdin_text + "' | ";
    cmd += std::string(SLUICE_BINARY) + " " + args + " --db '" + db_ + "'" +
           (merge ? " 2>&1" : " 2>'" + (dir_ / "stderr").string() + "'");
    return sluice::testing::RunShell(cmd);
  }

  std::string Stderr() const {
    std::ifstream in((dir_ / "stderr").string());
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  json Json(const std::string& args) {
    Outcome o = Sluice(args + " --json");
    EXPECT_EQ(o.code, 0) << o.out << Stderr();
    return json::parse(o.out, nullptr, false);
  }

  fs::path dir_;
  std::string db_;
};

TEST_F(CliPipeline, ValidateAcceptsAGoodConfig) {
  Write("silver.yaml", kSilver);
  Outcome o = Sluice("pipeline validate silver.yaml");
  EXPECT_EQ(o.code, 0) << Stderr();
  EXPECT_EQ(o.out, "silver.yaml: valid (pipeline silver)\n");
  json j = Json("pipeline validate silver.yaml");
  EXPECT_EQ(j,
            json::parse(R"({"valid":true,"files":[{"path":"silver.yaml","pipeline":"silver"}]})"));
}

TEST_F(CliPipeline, ValidateListsEveryProblemWithItsLocationAndExits2) {
  Write("bad.yaml", kBad);
  Write("silver.yaml", kSilver);
  Outcome o = Sluice("pipeline validate silver.yaml bad.yaml");
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(o.out,
            "bad.yaml:4:9: /schedule/cron: invalid cron expression \"0 25 * * *\": hour 25 is out "
            "of range 0-23\n"
            "bad.yaml:6:3: /job: missing required key 'type'\n"
            "bad.yaml:6:15: /job/maxRetries: 11 is out of range 0-10\n");
  EXPECT_EQ(Stderr(), "sluice: 3 problems in 1 file\n");

  o = Sluice("pipeline validate bad.yaml --json");
  EXPECT_EQ(o.code, 2);
  json j = json::parse(o.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << o.out;
  EXPECT_EQ(j["valid"], false);
  ASSERT_EQ(j["problems"].size(), 3u);
  EXPECT_EQ(j["problems"][2], json::parse(R"({"path":"bad.yaml","line":6,"column":15,)"
                                          R"("pointer":"/job/maxRetries",)"
                                          R"("message":"11 is out of range 0-10"})"));
}

TEST_F(CliPipeline, ApplyStoresVersionsOnlyWhenAConfigChanges) {
  Write("pipelines/silver.yaml", kSilver);
  Write("pipelines/gold.yml", "pipeline: {id: gold}\n");
  Outcome o = Sluice("pipeline apply pipelines");
  EXPECT_EQ(o.code, 0) << Stderr();
  EXPECT_EQ(o.out,
            "gold: version 1 applied from pipelines/gold.yml\n"
            "silver: version 1 applied from pipelines/silver.yaml\n");
  o = Sluice("pipeline apply pipelines");
  EXPECT_EQ(o.code, 0) << Stderr();
  EXPECT_EQ(o.out, "gold: unchanged (version 1)\nsilver: unchanged (version 1)\n");

  Write("pipelines/silver.yaml", std::string(kSilver) + "dryRun: true\n");
  json applied = Json("pipeline apply pipelines");
  EXPECT_EQ(applied, json::parse(R"({"pipelines":[
      {"id":"gold","version":1,"changed":false,"source":"pipelines/gold.yml"},
      {"id":"silver","version":2,"changed":true,"source":"pipelines/silver.yaml"}]})"));

  json list = Json("pipeline list");
  ASSERT_EQ(list["pipelines"].size(), 2u);
  EXPECT_EQ(list["pipelines"][1]["id"], "silver");
  EXPECT_EQ(list["pipelines"][1]["version"], 2);

  o = Sluice("pipeline show silver --version 1");
  EXPECT_EQ(o.code, 0) << Stderr();
  EXPECT_EQ(o.out.substr(0, 37), "Pipeline: silver\nVersion:  1\nApplied:");
  EXPECT_NE(o.out.find("\nSource:   pipelines/silver.yaml\n\n" + std::string(kSilver)),
            std::string::npos)
      << o.out;
  json shown = Json("pipeline show silver");
  EXPECT_EQ(shown["version"], 2);
  EXPECT_EQ(shown["config"]["dryRun"], true);
  EXPECT_EQ(shown["config"]["job"]["config"]["command"], "./run.sh");
}

TEST_F(CliPipeline, ApplyStoresNothingWhenAnyConfigIsInvalid) {
  Write("pipelines/silver.yaml", kSilver);
  Write("pipelines/bad.yaml", kBad);
  Outcome o = Sluice("pipeline apply pipelines", /*merge=*/true);
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.out.find("pipelines/bad.yaml:6:15: /job/maxRetries: 11 is out of range 0-10\n"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("sluice: nothing applied\n"), std::string::npos) << o.out;
  o = Sluice("pipeline list");
  EXPECT_EQ(o.out, "no pipelines in " + db_ + "\n");
}

TEST_F(CliPipeline, ShowAndApplyNameWhatIsMissing) {
  Outcome o = Sluice("pipeline show nope");
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(Stderr(), "sluice: no pipeline \"nope\" has been applied\n");
  o = Sluice("pipeline apply missing.yaml");
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(Stderr(),
            "missing.yaml: (root): no such file or directory\nsluice: 1 problem in 1 file\n"
            "sluice: nothing applied\n");
}

TEST_F(CliPipeline, SensorsRoundTrip) {
  Outcome o = Sluice("sensor put silver upstream '{\"status\":\"ready\",\"count\":3}'");
  EXPECT_EQ(o.code, 0) << Stderr();
  EXPECT_EQ(o.out.rfind("sensor upstream of pipeline silver written at 20", 0), 0u) << o.out;
  o = Sluice("sensor put silver reference -", false, "{\"version\": 7}");
  EXPECT_EQ(o.code, 0) << Stderr();

  json got = Json("sensor get silver upstream");
  EXPECT_EQ(got["pipeline"], "silver");
  EXPECT_EQ(got["key"], "upstream");
  EXPECT_EQ(got["data"], json::parse(R"({"status":"ready","count":3})"));
  EXPECT_TRUE(got["writtenAt"].is_string());
  o = Sluice("sensor get silver upstream");
  EXPECT_EQ(o.code, 0);
  EXPECT_NE(o.out.find("{\n  \"status\": \"ready\",\n  \"count\": 3\n}\n"), std::string::npos)
      << o.out;

  Sluice("sensor put gold upstream '{}'");
  json listed = Json("sensor list silver");
  ASSERT_EQ(listed["sensors"].size(), 2u);
  EXPECT_EQ(listed["sensors"][0]["key"], "reference");
  EXPECT_EQ(listed["sensors"][0]["data"]["version"], 7);
  EXPECT_EQ(Json("sensor list")["sensors"].size(), 3u);

  o = Sluice("sensor get silver nothing");
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(Stderr(), "sluice: no sensor \"nothing\" of pipeline \"silver\"\n");
}

TEST_F(CliPipeline, SensorDataThatIsNotAnObjectIsRejected) {
  Outcome o = Sluice("sensor put silver upstream '[1,2]'");
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(Stderr(), "sluice: sensor data must be a JSON object, got an array\n");
  o = Sluice("sensor put silver upstream 'status=ready'");
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(Stderr().rfind("sluice: sensor data is not valid JSON: parse error at line 1", 0), 0u)
      << Stderr();
  EXPECT_EQ(Json("sensor list")["sensors"].size(), 0u);
}

TEST_F(CliPipeline, TheDatabaseComesFromSluiceDbToo) {
  std::string env_db = (dir_ / "env.db").string();
  std::string cmd =
      "SLUICE_DB='" + env_db + "' " + SLUICE_BINARY + " sensor put p k '{\"a\":1}' >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  auto store = sluice::engine::Store::Open(env_db);
  ASSERT_TRUE(store.ok()) << store.error();
  auto sensor = (*store)->GetSensor("p", "k");
  ASSERT_TRUE(sensor.ok() && *sensor);
  EXPECT_EQ((*sensor)->data, R"({"a":1})");
}

TEST_F(CliPipeline, EventsAreFilteredByPipelineTypeAndTime) {
  {
    auto store = sluice::engine::Store::Open(db_);
    ASSERT_TRUE(store.ok()) << store.error();
    constexpr int64_t kT0 = 1'772'323'200'000'000'000;  // 2026-03-01T00:00:00Z
    constexpr int64_t kHour = 3'600'000'000'000;
    sluice::engine::WriteBatch batch;
    batch.AppendPipelineEvent({0, "JOB_TRIGGERED", "silver", "stream", "2026-03-01", kT0,
                               "stream trigger fired for silver", "{}"});
    batch.AppendPipelineEvent(
        {0, "JOB_TRIGGERED", "gold", "cron", "2026-03-01", kT0 + kHour, "", "{}"});
    batch.AppendPipelineEvent({0, "SLA_BREACH", "silver", "stream", "2026-03-01", kT0 + 2 * kHour,
                               "", R"({"breachAt":"2026-03-01T02:00:00Z"})"});
    ASSERT_TRUE((*store)->Commit(batch).ok());
  }
  Outcome o = Sluice("events");
  EXPECT_EQ(o.code, 0) << Stderr();
  EXPECT_EQ(o.out,
            "2026-03-01T00:00:00.000Z  JOB_TRIGGERED  silver  stream 2026-03-01  stream trigger "
            "fired for silver\n"
            "2026-03-01T01:00:00.000Z  JOB_TRIGGERED  gold  cron 2026-03-01\n"
            "2026-03-01T02:00:00.000Z  SLA_BREACH  silver  stream 2026-03-01  "
            "{\"breachAt\":\"2026-03-01T02:00:00Z\"}\n");

  auto types = [&](const std::string& args) {
    std::string out;
    json listed = Json("events " + args);
    for (const auto& e : listed["events"]) {
      out += e["type"].get<std::string>() + "/" + e["pipelineId"].get<std::string>() + " ";
    }
    return out;
  };
  EXPECT_EQ(types("--pipeline silver"), "JOB_TRIGGERED/silver SLA_BREACH/silver ");
  EXPECT_EQ(types("--type JOB_TRIGGERED"), "JOB_TRIGGERED/silver JOB_TRIGGERED/gold ");
  EXPECT_EQ(types("--since 2026-03-01T01:00:00Z"), "JOB_TRIGGERED/gold SLA_BREACH/silver ");
  EXPECT_EQ(types("--since 2026-03-02"), "");
  EXPECT_EQ(types("--pipeline silver --type JOB_TRIGGERED --since 2026-03-01"),
            "JOB_TRIGGERED/silver ");
  EXPECT_EQ(types("--limit 1"), "SLA_BREACH/silver ");
  json last = Json("events --type SLA_BREACH")["events"][0];
  EXPECT_EQ(last, json::parse(R"({"id":3,"type":"SLA_BREACH","pipelineId":"silver",
      "scheduleId":"stream","date":"2026-03-01","message":"",
      "timestamp":"2026-03-01T02:00:00.000Z","detail":{"breachAt":"2026-03-01T02:00:00Z"}})"));

  o = Sluice("events --since tomorrow");
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(Stderr(),
            "sluice: --since: \"tomorrow\" is not a time: expected an RFC 3339 time "
            "(2026-03-01T12:00:00Z), a date (2026-03-01) or a duration before now (90m, 2d)\n");

  // A misspelt type is an error, not an empty answer.
  o = Sluice("events --type SLA_BREECH");
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(Stderr().rfind("sluice: --type: unknown event type 'SLA_BREECH' (expected one of: "
                           "VALIDATION_PASSED, ",
                           0),
            0u)
      << Stderr();
}

}  // namespace
