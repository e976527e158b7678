// engine::Pipelines: loading config files and directories with located problems, applying them
// as versions, sensors with their JSON checks, events, and the PipelineData view handlers get.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "asl/timestamp.h"
#include "engine/pipelines.h"

namespace sluice::engine {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kSecond = 1'000'000'000;
// 2026-03-01T00:00:00Z
constexpr int64_t kT0 = 1'772'323'200 * kSecond;

constexpr char kSilver[] = R"(pipeline:
  id: silver
schedule:
  trigger: {key: upstream, check: equals, field: status, value: ready}
job:
  type: command
  config: {command: ./run.sh}
)";

constexpr char kGold[] = R"({"pipeline": {"id": "gold"}, "dryRun": false})";

constexpr char kBad[] = R"(pipeline:
  id: bad
job:
  type: foo
  maxRetries: 11
)";

class PipelinesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sluice_pipelines_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
            std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto store = Store::Open(":memory:");
    ASSERT_TRUE(store.ok()) << store.error();
    store_ = std::move(*store);
    pipelines_ = std::make_unique<Pipelines>(*store_, clock_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    fs::create_directories((dir_ / name).parent_path());
    std::ofstream((dir_ / name).string(), std::ios::binary) << text;
    return (dir_ / name).string();
  }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  std::vector<PipelineFile> Load(const std::vector<std::string>& paths) {
    auto files = LoadPipelineFiles(paths);
    EXPECT_TRUE(files.ok()) << (files.ok() ? "" : FormatPipelineFileErrors(files.error()));
    return files.ok() ? std::move(*files) : std::vector<PipelineFile>{};
  }

  // The formatted problems of loading `paths` ("" when they load).
  std::string Problems(const std::vector<std::string>& paths) {
    auto files = LoadPipelineFiles(paths);
    return files.ok() ? "" : FormatPipelineFileErrors(files.error());
  }

  fs::path dir_;
  VirtualClock clock_{kT0};
  std::unique_ptr<Store> store_;
  std::unique_ptr<Pipelines> pipelines_;
};

// --- loading -----------------------------------------------------------------------------------

TEST_F(PipelinesTest, LoadsAFileOrTheYamlFilesOfADirectoryByName) {
  Write("dir/b.yml", kSilver);
  Write("dir/a.yaml", R"(pipeline: {id: alpha})");
  Write("dir/notes.txt", "not a config");
  Write("dir/sub/c.yaml", kBad);  // not recursive
  std::string gold = Write("gold.json", kGold);
  auto files = Load({Path("dir"), gold});
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].path, Path("dir/a.yaml"));
  EXPECT_EQ(files[0].config.pipeline.id, "alpha");
  EXPECT_EQ(files[1].path, Path("dir/b.yml"));
  EXPECT_EQ(files[1].text, kSilver);
  EXPECT_EQ(files[1].config.schedule_id(), "stream");
  EXPECT_EQ(files[2].config.pipeline.id, "gold");
}

TEST_F(PipelinesTest, ReportsEveryProblemOfEveryFileWithItsLocation) {
  std::string bad = Write("bad.yaml", kBad);
  std::string good = Write("good.yaml", kSilver);
  std::string typo = Write("typo.yaml", "pipeline:\n  id: typo\n  ownr: me\n");
  EXPECT_EQ(Problems({bad, good, typo}),
            bad +
                ":4:9: /job/type: unknown job type 'foo' (expected one of: command, http, "
                "airflow, step-function, databricks)\n" +
                bad + ":5:15: /job/maxRetries: 11 is out of range 0-10\n" + typo +
                ":3:3: /pipeline/ownr: unknown key 'ownr' (expected one of: id, owner, "
                "description)\n");
}

TEST_F(PipelinesTest, ReportsPathsThatNameNoConfig) {
  fs::create_directories(Path("empty"));
  Write("empty/readme.md", "# nothing");
  EXPECT_EQ(Problems({Path("missing.yaml"), Path("empty")}),
            Path("missing.yaml") + ": (root): no such file or directory\n" + Path("empty") +
                ": (root): the directory holds no *.yaml or *.yml file\n");
  std::string blank = Write("blank.yaml", "");
  EXPECT_EQ(Problems({blank}), blank + ": (root): the config is empty\n");
}

TEST_F(PipelinesTest, TwoFilesMayNotDefineTheSamePipeline) {
  std::string first = Write("dir/a.yaml", kSilver);
  std::string second = Write("dir/b.yaml", kSilver);
  EXPECT_EQ(Problems({Path("dir")}),
            second + ": /pipeline/id: pipeline \"silver\" is already defined by " + first + "\n");
}

// --- applying ----------------------------------------------------------------------------------

TEST_F(PipelinesTest, ApplyStoresANewVersionOnlyWhenTheTextChanged) {
  std::string silver = Write("silver.yaml", kSilver);
  std::string gold = Write("gold.json", kGold);
  auto first = pipelines_->Apply(Load({silver, gold}));
  ASSERT_TRUE(first.ok()) << first.error();
  ASSERT_EQ(first->size(), 2u);
  EXPECT_TRUE((*first)[0].changed);
  EXPECT_EQ((*first)[0].latest.id, "silver");
  EXPECT_EQ((*first)[0].latest.version, 1);
  EXPECT_EQ((*first)[0].latest.source, silver);
  EXPECT_EQ((*first)[0].latest.created_nanos, kT0);
  EXPECT_EQ((*first)[0].latest.config,
            R"({"pipeline":{"id":"silver"},"schedule":{"trigger":{"key":"upstream","check":)"
            R"("equals","field":"status","value":"ready"}},"job":{"type":"command","config":)"
            R"({"command":"./run.sh"}}})");

  clock_.AdvanceTo(kT0 + kSecond);
  auto again = pipelines_->Apply(Load({silver, gold}));
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_FALSE((*again)[0].changed);
  EXPECT_FALSE((*again)[1].changed);
  EXPECT_EQ((*again)[0].latest.version, 1);
  EXPECT_EQ((*again)[0].latest.created_nanos, kT0);

  Write("silver.yaml", std::string(kSilver) + "dryRun: false\n");
  auto changed = pipelines_->Apply(Load({silver, gold}));
  ASSERT_TRUE(changed.ok()) << changed.error();
  EXPECT_TRUE((*changed)[0].changed);
  EXPECT_EQ((*changed)[0].latest.version, 2);
  EXPECT_EQ((*changed)[0].latest.created_nanos, kT0 + kSecond);
  EXPECT_FALSE((*changed)[1].changed);

  auto v1 = pipelines_->Show("silver", 1);
  ASSERT_TRUE(v1.ok()) << v1.error();
  EXPECT_EQ(v1->text, kSilver);
  auto latest = pipelines_->Show("silver");
  ASSERT_TRUE(latest.ok()) << latest.error();
  EXPECT_EQ(latest->version, 2);
  auto list = pipelines_->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, "gold");
  EXPECT_EQ((*list)[1].version, 2);
}

TEST_F(PipelinesTest, ShowNamesWhatIsMissing) {
  auto none = pipelines_->Show("nope");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error(), "no pipeline \"nope\" has been applied");
  ASSERT_TRUE(pipelines_->Apply(Load({Write("s.yaml", kSilver)})).ok());
  auto v7 = pipelines_->Show("silver", 7);
  ASSERT_FALSE(v7.ok());
  EXPECT_EQ(v7.error(), "pipeline \"silver\" has no version 7 (its versions are 1-1)");
}

// --- sensors -----------------------------------------------------------------------------------

TEST_F(PipelinesTest, SensorsRoundTripWithTheTimeTheyWereWritten) {
  auto put = pipelines_->PutSensor("silver", "upstream", R"({"status": "ready", "count": 3})");
  ASSERT_TRUE(put.ok()) << put.error();
  EXPECT_EQ(put->data, R"({"status":"ready","count":3})");  // key order kept
  EXPECT_EQ(put->written_nanos, kT0);
  clock_.AdvanceTo(kT0 + kSecond);
  ASSERT_TRUE(pipelines_->PutSensor("silver", "reference", "{}").ok());

  auto got = pipelines_->GetSensor("silver", "upstream");
  ASSERT_TRUE(got.ok()) << got.error();
  auto json = SensorToJson(*got);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(json->dump(),
            R"({"pipeline":"silver","key":"upstream","data":{"status":"ready","count":3},)"
            R"("writtenAt":"2026-03-01T00:00:00.000Z"})");
  auto list = pipelines_->ListSensors("silver");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].key, "reference");

  auto missing = pipelines_->GetSensor("silver", "nothing");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error(), "no sensor \"nothing\" of pipeline \"silver\"");
}

TEST_F(PipelinesTest, SensorDataMustBeAJsonObject) {
  auto error = [&](const std::string& pipeline, const std::string& key, const std::string& text) {
    auto put = pipelines_->PutSensor(pipeline, key, text);
    return put.ok() ? std::string("stored") : put.error();
  };
  EXPECT_EQ(error("p", "k", "[1, 2]"), "sensor data must be a JSON object, got an array");
  EXPECT_EQ(error("p", "k", "42"), "sensor data must be a JSON object, got a number");
  EXPECT_EQ(error("p", "k", "\"ready\""), "sensor data must be a JSON object, got a string");
  EXPECT_EQ(error("p", "k", "null"), "sensor data must be a JSON object, got null");
  EXPECT_EQ(error("p", "k", "{status: ready}"),
            "sensor data is not valid JSON: parse error at line 1, column 2: syntax error while "
            "parsing object key - invalid literal; last read: '{s'; expected string literal");
  EXPECT_EQ(error("", "k", "{}"), "the sensor's pipeline must not be empty");
  EXPECT_EQ(error("p", "", "{}"), "the sensor key must not be empty");
  EXPECT_EQ(error("p", "SENSOR#k", "{}"),
            "sensor key \"SENSOR#k\": sensor keys are written without the 'SENSOR#' prefix "
            "(rules never match it)");
  auto all = pipelines_->ListSensors("");
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty());
}

// --- the handlers' view ------------------------------------------------------------------------

TEST_F(PipelinesTest, HandlersSeeSensorsByKey) {
  pipeline::PipelineData& data = *pipelines_;
  auto none = data.Sensors("silver");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->dump(), "{}");
  ASSERT_TRUE(pipelines_->PutSensor("silver", "upstream", R"({"status":"ready"})").ok());
  ASSERT_TRUE(pipelines_->PutSensor("other", "upstream", R"({"status":"late"})").ok());
  auto sensors = data.Sensors("silver");
  ASSERT_TRUE(sensors.ok()) << sensors.error();
  EXPECT_EQ(sensors->dump(),
            R"({"upstream":{"data":{"status":"ready"},"writtenAt":"2026-03-01T00:00:00.000Z"}})");
}

TEST_F(PipelinesTest, HandlersSeeTheLatestConfigParsedOncePerVersion) {
  pipeline::PipelineData& data = *pipelines_;
  auto none = data.Config("silver");
  ASSERT_TRUE(none.ok()) << none.error();
  EXPECT_EQ(*none, nullptr);

  std::string silver = Write("silver.yaml", kSilver);
  ASSERT_TRUE(pipelines_->Apply(Load({silver})).ok());
  auto first = data.Config("silver");
  ASSERT_TRUE(first.ok()) << first.error();
  ASSERT_NE(*first, nullptr);
  EXPECT_EQ((*first)->pipeline.id, "silver");
  EXPECT_FALSE((*first)->dry_run);
  auto cached = data.Config("silver");
  ASSERT_TRUE(cached.ok());
  EXPECT_EQ(cached->get(), first->get());

  Write("silver.yaml", std::string(kSilver) + "dryRun: true\n");
  ASSERT_TRUE(pipelines_->Apply(Load({silver})).ok());
  auto second = data.Config("silver");
  ASSERT_TRUE(second.ok()) << second.error();
  EXPECT_TRUE((*second)->dry_run);
}

TEST_F(PipelinesTest, HandlersAppendEventsStampedWithTheClock) {
  pipeline::PipelineData& data = *pipelines_;
  pipeline::PipelineEvent triggered{
      "JOB_TRIGGERED", "silver", "stream", "2026-03-01", "stream trigger fired for silver",
      nullptr};
  ASSERT_TRUE(data.AppendEvent(triggered).ok());
  clock_.AdvanceTo(kT0 + 90 * kSecond);
  pipeline::PipelineEvent breach{"SLA_BREACH", "silver",
                                 "stream",     "2026-03-01",
                                 "",           Json{{"breachAt", "2026-03-01T08:00:00Z"}}};
  ASSERT_TRUE(data.AppendEvent(breach).ok());

  auto all = pipelines_->Events({});
  ASSERT_TRUE(all.ok()) << all.error();
  ASSERT_EQ(all->size(), 2u);
  auto json = PipelineEventToJson((*all)[1]);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(json->dump(),
            R"({"id":2,"type":"SLA_BREACH","pipelineId":"silver","scheduleId":"stream",)"
            R"("date":"2026-03-01","message":"","timestamp":"2026-03-01T00:01:30.000Z",)"
            R"("detail":{"breachAt":"2026-03-01T08:00:00Z"}})");
  EXPECT_EQ((*all)[0].detail, "{}");

  auto since = pipelines_->Events({"", "", kT0 + kSecond, 0});
  ASSERT_TRUE(since.ok());
  ASSERT_EQ(since->size(), 1u);
  EXPECT_EQ((*since)[0].type, "SLA_BREACH");

  auto bad = data.AppendEvent({"SLA_BREACH", "silver", "", "", "", Json::array()});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), "SLA_BREACH event: the detail must be a JSON object, got an array");
  auto untyped = data.AppendEvent({});
  ASSERT_FALSE(untyped.ok());
  EXPECT_EQ(untyped.error(), "a pipeline event needs a type");
}

// --- --since -----------------------------------------------------------------------------------

TEST(ParseSince, ReadsATimeADateOrADurationAgo) {
  const int64_t now = kT0 + 3600 * kSecond;
  auto at = ParseSince("2026-03-01T00:30:00Z", now);
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(*at, kT0 + 1800 * kSecond);
  auto day = ParseSince("2026-03-01", now);
  ASSERT_TRUE(day.ok());
  EXPECT_EQ(*day, kT0);
  auto ago = ParseSince("90m", now);
  ASSERT_TRUE(ago.ok());
  EXPECT_EQ(*ago, kT0 - 1800 * kSecond);
  auto days = ParseSince("1d", now);
  ASSERT_TRUE(days.ok());
  EXPECT_EQ(*days, now - 86400 * kSecond);
  auto bad = ParseSince("yesterday", now);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(),
            "\"yesterday\" is not a time: expected an RFC 3339 time (2026-03-01T12:00:00Z), a "
            "date (2026-03-01) or a duration before now (90m, 2d)");
}

}  // namespace
}  // namespace sluice::engine
