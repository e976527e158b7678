// The store's pipeline tables (schema version 2 on): the in-place upgrade of a version 1 file,
// versioned pipeline configs, sensors, pipeline runs and pipeline events, and the all-or-nothing
// commit of their writes.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/store/store.h"
#include "tests/support/store_testing.h"

namespace sluice::engine {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kT0 = 1'772'000'000 * kSecond;

using sluice::testing::CommitOrDie;
using sluice::testing::OpenOrDie;
using sluice::testing::RawDb;

struct TempDir : sluice::testing::TempDir {
  TempDir() : sluice::testing::TempDir("sluice_store_pipeline_") {}
};

const std::vector<std::string> kV1Tables = {
    "definitions",   "executions",     "history_events",         "journal",
    "pending_tasks", "pending_timers", "state_machine_versions", "state_machines",
    "task_tokens"};

// A version 1 file holding one finished execution with two history events.
void MakeV1Database(const std::string& path) {
  StoreOptions options;
  options.schema_version = 1;
  auto store = OpenOrDie(path, options);
  ASSERT_TRUE(store);
  WriteBatch batch;
  std::string hash =
      batch.PutDefinition(R"({"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}})");
  ExecutionOptions o;
  o.state_machine_name = "M";
  o.state_machine_arn = "arn:aws:states:local:123456789012:stateMachine:M";
  o.execution_name = "e1";
  o.execution_arn = "arn:aws:states:local:123456789012:execution:M:e1";
  batch.InsertExecution(NewExecutionRecord(o, hash, "{}", kT0));
  for (int64_t id : {1, 2}) {
    HistoryEvent e;
    e.id = id;
    e.previous_event_id = id - 1;
    e.timestamp_nanos = kT0 + id;
    e.type = id == 1 ? "ExecutionStarted" : "ExecutionSucceeded";
    batch.AppendEvent(o.execution_arn, e);
  }
  CommitOrDie(*store, batch);
}

PipelineVersionRecord Version(const std::string& id, const std::string& text, int64_t created) {
  return {id, 0, id + ".yaml", text, R"({"pipeline":{"id":")" + id + R"("}})", created};
}

PipelineEventRecord Event(const std::string& type, const std::string& pipeline, int64_t time) {
  return {0, type, pipeline, "stream", "2026-03-01", time, type + " for " + pipeline, "{}"};
}

// --- migration ---------------------------------------------------------------------------------

TEST(StorePipeline, UpgradesAVersion1DatabaseInPlace) {
  TempDir dir;
  std::string path = dir.Path("v1.db");
  MakeV1Database(path);
  {
    RawDb raw(path);
    ASSERT_EQ(raw.One("PRAGMA user_version"), "1");
    ASSERT_EQ(raw.Tables(), kV1Tables);
  }
  auto store = OpenOrDie(path);
  ASSERT_TRUE(store);
  RawDb raw(path);
  EXPECT_EQ(raw.One("PRAGMA user_version"), std::to_string(kSchemaVersion));
  std::vector<std::string> tables = kV1Tables;
  tables.insert(tables.end(),
                {"activities", "pipeline_events", "pipeline_runs", "pipelines", "sensors"});
  std::sort(tables.begin(), tables.end());
  EXPECT_EQ(raw.Tables(), tables);
  EXPECT_EQ(raw.Rows("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name ="
                     " 'pipeline_events' ORDER BY name"),
            (std::vector<std::string>{"pipeline_events_by_pipeline", "pipeline_events_by_time",
                                      "pipeline_events_by_type"}));
  // The version 1 data is intact, and the new tables work.
  auto history = store->GetHistory("arn:aws:states:local:123456789012:execution:M:e1");
  ASSERT_TRUE(history.ok()) << history.error();
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[1].type, "ExecutionSucceeded");
  WriteBatch batch;
  batch.PutSensor({"p", "k", R"({"a":1})", kT0});
  CommitOrDie(*store, batch);
  EXPECT_EQ(raw.One("SELECT pipeline, key, data, written FROM sensors"),
            "p|k|{\"a\":1}|" + std::to_string(kT0));
}

TEST(StorePipeline, AFailedUpgradeLeavesTheDatabaseAtVersion1) {
  TempDir dir;
  std::string path = dir.Path("v1.db");
  MakeV1Database(path);
  std::string before = RawDb(path).Dump();
  StoreOptions options;
  options.fail_step = [](std::string_view sql) {
    return sql.find("CREATE INDEX pipeline_events_by_type") != std::string_view::npos;
  };
  auto failed = Store::Open(path, options);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error(), "migrate " + path + " from schema version 1 to " +
                                std::to_string(kSchemaVersion) +
                                ": migration step: injected fault");
  EXPECT_EQ(RawDb(path).Dump(), before);  // no half-made version 2
  EXPECT_EQ(RawDb(path).Tables(), kV1Tables);
  EXPECT_TRUE(OpenOrDie(path));
  EXPECT_EQ(RawDb(path).One("PRAGMA user_version"), std::to_string(kSchemaVersion));
}

// --- pipeline configs --------------------------------------------------------------------------

TEST(StorePipeline, AConfigGetsANewVersionOnlyWhenItsTextChanges) {
  auto store = OpenOrDie(":memory:");
  ASSERT_TRUE(store);
  auto commit = [&](PipelineVersionRecord record) {
    WriteBatch batch;
    batch.AddPipelineVersion(std::move(record));
    CommitOrDie(*store, batch);
  };
  auto latest = [&](const std::string& id) {
    auto v = store->GetLatestPipelineVersion(id);
    EXPECT_TRUE(v.ok());
    return v.ok() && *v ? (*v)->version : 0;
  };
  EXPECT_EQ(latest("a"), 0);
  commit(Version("a", "text 1", kT0));
  EXPECT_EQ(latest("a"), 1);
  commit(Version("a", "text 1", kT0 + kSecond));  // unchanged: nothing stored
  EXPECT_EQ(latest("a"), 1);
  commit(Version("a", "text 2", kT0 + 2 * kSecond));
  EXPECT_EQ(latest("a"), 2);
  commit(Version("a", "text 1", kT0 + 3 * kSecond));  // back to an older text: a new version
  EXPECT_EQ(latest("a"), 3);
  commit(Version("b", "text 1", kT0));  // versions count per pipeline
  EXPECT_EQ(latest("b"), 1);

  auto v2 = store->GetPipelineVersion("a", 2);
  ASSERT_TRUE(v2.ok() && *v2);
  EXPECT_EQ((*v2)->text, "text 2");
  EXPECT_EQ((*v2)->source, "a.yaml");
  EXPECT_EQ((*v2)->config, R"({"pipeline":{"id":"a"}})");
  EXPECT_EQ((*v2)->created_nanos, kT0 + 2 * kSecond);
  auto missing = store->GetPipelineVersion("a", 4);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(*missing);

  auto all = store->ListPipelines();
  ASSERT_TRUE(all.ok()) << all.error();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, "a");
  EXPECT_EQ((*all)[0].version, 3);
  EXPECT_EQ((*all)[0].created_nanos, kT0 + 3 * kSecond);
  EXPECT_EQ((*all)[1].id, "b");
  EXPECT_EQ((*all)[1].version, 1);
}

TEST(StorePipeline, VersionsInOneBatchAreNumberedInOrder) {
  auto store = OpenOrDie(":memory:");
  ASSERT_TRUE(store);
  WriteBatch batch;
  batch.AddPipelineVersion(Version("a", "one", kT0));
  batch.AddPipelineVersion(Version("a", "one", kT0));  // same as the latest by now
  batch.AddPipelineVersion(Version("a", "two", kT0));
  CommitOrDie(*store, batch);
  auto v1 = store->GetPipelineVersion("a", 1);
  auto v2 = store->GetPipelineVersion("a", 2);
  auto v3 = store->GetPipelineVersion("a", 3);
  ASSERT_TRUE(v1.ok() && v2.ok() && v3.ok());
  ASSERT_TRUE(*v1 && *v2);
  EXPECT_EQ((*v1)->text, "one");
  EXPECT_EQ((*v2)->text, "two");
  EXPECT_FALSE(*v3);
}

TEST(StorePipeline, AConfigThatIsNotAJsonObjectIsRefused) {
  auto store = OpenOrDie(":memory:");
  ASSERT_TRUE(store);
  WriteBatch batch;
  PipelineVersionRecord record = Version("a", "text", kT0);
  record.config = "[]";
  batch.AddPipelineVersion(record);
  auto committed = store->Commit(batch);
  ASSERT_FALSE(committed.ok());
  EXPECT_NE(committed.error().find("CHECK constraint failed"), std::string::npos)
      << committed.error();
  EXPECT_NE(committed.error().find("(pipeline a)"), std::string::npos) << committed.error();
}

// --- sensors -----------------------------------------------------------------------------------

TEST(StorePipeline, SensorsAreReplacedAsAWholeAndListedByKey) {
  auto store = OpenOrDie(":memory:");
  ASSERT_TRUE(store);
  WriteBatch batch;
  batch.PutSensor({"p", "upstream", R"({"status":"PENDING","count":1})", kT0});
  batch.PutSensor({"p", "reference", R"({})", kT0 + 1});
  batch.PutSensor({"q", "upstream", R"({"status":"READY"})", kT0 + 2});
  CommitOrDie(*store, batch);
  batch.Clear();
  batch.PutSensor({"p", "upstream", R"({"status":"READY"})", kT0 + kSecond});
  CommitOrDie(*store, batch);

  auto upstream = store->GetSensor("p", "upstream");
  ASSERT_TRUE(upstream.ok() && *upstream);
  EXPECT_EQ((*upstream)->data, R"({"status":"READY"})");  // no "count" left over
  EXPECT_EQ((*upstream)->written_nanos, kT0 + kSecond);
  auto missing = store->GetSensor("p", "nothing");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(*missing);

  auto of_p = store->ListSensors("p");
  ASSERT_TRUE(of_p.ok());
  ASSERT_EQ(of_p->size(), 2u);
  EXPECT_EQ((*of_p)[0].key, "reference");
  EXPECT_EQ((*of_p)[1].key, "upstream");
  auto all = store->ListSensors("");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[2].pipeline, "q");
}

TEST(StorePipeline, SensorDataThatIsNotAnObjectFailsTheWholeBatch) {
  auto store = OpenOrDie(":memory:");
  ASSERT_TRUE(store);
  for (const char* bad : {"[1,2]", "3", "\"x\"", "{oops"}) {
    WriteBatch batch;
    batch.PutSensor({"p", "good", "{}", kT0});
    batch.PutSensor({"p", "bad", bad, kT0});
    auto committed = store->Commit(batch);
    ASSERT_FALSE(committed.ok()) << bad;
    EXPECT_NE(committed.error().find("(sensor bad of pipeline p)"), std::string::npos)
        << committed.error();
    auto sensors = store->ListSensors("p");
    ASSERT_TRUE(sensors.ok());
    EXPECT_TRUE(sensors->empty()) << bad;
  }
}

// --- pipeline runs -----------------------------------------------------------------------------

TEST(StorePipeline, ARunIsOnePerPipelineScheduleAndDate) {
  auto store = OpenOrDie(":memory:");
  ASSERT_TRUE(store);
  WriteBatch batch;
  PipelineRunRecord run{
      "p", "stream",     "2026-03-01",         std::nullopt, PipelineRunStatus::kRunning,
      kT0, std::nullopt, kT0 + 16200 * kSecond};
  batch.PutPipelineRun(run);
  batch.PutPipelineRun({"p", "stream", "2026-03-01T07", "arn:x", PipelineRunStatus::kRunning, kT0,
                        std::nullopt, std::nullopt});
  CommitOrDie(*store, batch);
  auto got = store->GetPipelineRun("p", "stream", "2026-03-01");
  ASSERT_TRUE(got.ok() && *got);
  EXPECT_EQ((*got)->status, PipelineRunStatus::kRunning);
  EXPECT_FALSE((*got)->execution_arn);
  EXPECT_EQ((*got)->lock_expires_nanos, kT0 + 16200 * kSecond);
  EXPECT_FALSE((*got)->ended_nanos);

  run.execution_arn = "arn:aws:states:local:123456789012:execution:lifecycle:p-stream-2026-03-01";
  run.status = PipelineRunStatus::kFailedFinal;
  run.ended_nanos = kT0 + kSecond;
  run.lock_expires_nanos.reset();
  batch.Clear();
  batch.PutPipelineRun(run);
  CommitOrDie(*store, batch);
  got = store->GetPipelineRun("p", "stream", "2026-03-01");
  ASSERT_TRUE(got.ok() && *got);
  EXPECT_EQ((*got)->status, PipelineRunStatus::kFailedFinal);
  EXPECT_EQ((*got)->execution_arn, run.execution_arn);
  EXPECT_EQ((*got)->ended_nanos, kT0 + kSecond);
  EXPECT_FALSE((*got)->lock_expires_nanos);

  auto hourly = store->GetPipelineRun("p", "stream", "2026-03-01T07");
  ASSERT_TRUE(hourly.ok() && *hourly);
  EXPECT_EQ((*hourly)->execution_arn, "arn:x");
  auto other = store->GetPipelineRun("p", "cron", "2026-03-01");
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(*other);
}

TEST(StorePipeline, AClaimWinsOnlyIfTheRunIsAsTheClaimerReadIt) {
  TempDir dir;
  const std::string path = dir.Path("claims.db");
  auto mine = OpenOrDie(path);
  auto theirs = OpenOrDie(path);  // another process on the same file
  ASSERT_TRUE(mine && theirs);
  auto claim = [](const std::string& arn) {
    return PipelineRunRecord{"p", "stream",     "2026-03-01", arn, PipelineRunStatus::kRunning,
                             kT0, std::nullopt, std::nullopt};
  };
  // Both read "no run"; the first claim wins, the second fails and changes nothing.
  WriteBatch first;
  first.ClaimPipelineRun(claim("arn:first"), std::nullopt);
  CommitOrDie(*theirs, first);
  WriteBatch second;
  second.ClaimPipelineRun(claim("arn:second"), std::nullopt);
  second.PutSensor({"p", "k", R"({"a":1})", kT0});
  auto lost = mine->Commit(second);
  ASSERT_FALSE(lost.ok());
  EXPECT_NE(lost.error().find("pipeline run p/stream/2026-03-01 was claimed by another process"),
            std::string::npos)
      << lost.error();
  EXPECT_FALSE(*mine->GetSensor("p", "k"));  // the whole batch was rolled back
  EXPECT_EQ((*mine->GetPipelineRun("p", "stream", "2026-03-01"))->execution_arn, "arn:first");
  // Having read the winner's row, a claim (a rerun) replaces it.
  WriteBatch rerun;
  rerun.ClaimPipelineRun(claim("arn:rerun"), std::string("arn:first"));
  CommitOrDie(*mine, rerun);
  EXPECT_EQ((*theirs->GetPipelineRun("p", "stream", "2026-03-01"))->execution_arn, "arn:rerun");
}

TEST(StorePipeline, RunStatusesHaveFixedNames) {
  for (auto status : {PipelineRunStatus::kRunning, PipelineRunStatus::kCompleted,
                      PipelineRunStatus::kFailedFinal}) {
    auto parsed = ParsePipelineRunStatus(PipelineRunStatusName(status));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, status);
  }
  EXPECT_STREQ(PipelineRunStatusName(PipelineRunStatus::kFailedFinal), "FAILED_FINAL");
  auto bad = ParsePipelineRunStatus("DONE");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), "unknown pipeline run status 'DONE'");
}

// --- pipeline events ---------------------------------------------------------------------------

class StorePipelineEvents : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenOrDie(":memory:");
    ASSERT_TRUE(store_);
    WriteBatch batch;
    batch.AppendPipelineEvent(Event("JOB_TRIGGERED", "a", kT0));
    batch.AppendPipelineEvent(Event("JOB_TRIGGERED", "b", kT0 + kSecond));
    batch.AppendPipelineEvent(Event("SLA_MET", "a", kT0 + 3 * kSecond));
    batch.AppendPipelineEvent(Event("JOB_COMPLETED", "a", kT0 + 2 * kSecond));  // out of order
    PipelineEventRecord degraded = Event("WATCHDOG_DEGRADED", "", kT0 + 4 * kSecond);
    degraded.schedule = degraded.date = "";
    degraded.detail = R"({"failedChecks":["sla"]})";
    batch.AppendPipelineEvent(degraded);
    CommitOrDie(*store_, batch);
  }

  // "id:type:pipeline" of each matching event, in the order listed.
  std::vector<std::string> List(PipelineEventFilter filter) {
    auto events = store_->ListPipelineEvents(filter);
    EXPECT_TRUE(events.ok()) << (events.ok() ? "" : events.error());
    std::vector<std::string> out;
    if (!events.ok()) return out;
    for (const auto& e : *events) {
      out.push_back(std::to_string(e.id) + ":" + e.type + ":" + e.pipeline);
    }
    return out;
  }

  std::unique_ptr<Store> store_;
};

TEST_F(StorePipelineEvents, ListsOldestFirstWithEveryField) {
  EXPECT_EQ(List({}),
            (std::vector<std::string>{"1:JOB_TRIGGERED:a", "2:JOB_TRIGGERED:b", "4:JOB_COMPLETED:a",
                                      "3:SLA_MET:a", "5:WATCHDOG_DEGRADED:"}));
  auto events = store_->ListPipelineEvents({});
  ASSERT_TRUE(events.ok());
  const PipelineEventRecord& first = events->front();
  EXPECT_EQ(first.schedule, "stream");
  EXPECT_EQ(first.date, "2026-03-01");
  EXPECT_EQ(first.time_nanos, kT0);
  EXPECT_EQ(first.message, "JOB_TRIGGERED for a");
  EXPECT_EQ(first.detail, "{}");
  EXPECT_EQ(events->back().detail, R"({"failedChecks":["sla"]})");
}

TEST_F(StorePipelineEvents, FiltersByPipelineTypeAndTimeTogether) {
  EXPECT_EQ(List({"a", "", std::nullopt, 0}),
            (std::vector<std::string>{"1:JOB_TRIGGERED:a", "4:JOB_COMPLETED:a", "3:SLA_MET:a"}));
  EXPECT_EQ(List({"", "JOB_TRIGGERED", std::nullopt, 0}),
            (std::vector<std::string>{"1:JOB_TRIGGERED:a", "2:JOB_TRIGGERED:b"}));
  EXPECT_EQ(List({"", "", kT0 + 2 * kSecond, 0}),  // at or after
            (std::vector<std::string>{"4:JOB_COMPLETED:a", "3:SLA_MET:a", "5:WATCHDOG_DEGRADED:"}));
  EXPECT_EQ(List({"a", "JOB_TRIGGERED", kT0 + kSecond, 0}), std::vector<std::string>{});
  EXPECT_EQ(List({"b", "JOB_TRIGGERED", kT0, 0}), (std::vector<std::string>{"2:JOB_TRIGGERED:b"}));
  EXPECT_EQ(List({"nobody", "", std::nullopt, 0}), std::vector<std::string>{});
}

TEST_F(StorePipelineEvents, ALimitKeepsTheNewestEvents) {
  EXPECT_EQ(List({"", "", std::nullopt, 2}),
            (std::vector<std::string>{"3:SLA_MET:a", "5:WATCHDOG_DEGRADED:"}));
  EXPECT_EQ(List({"a", "", std::nullopt, 1}), (std::vector<std::string>{"3:SLA_MET:a"}));
  auto negative = store_->ListPipelineEvents({"", "", std::nullopt, -1});
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.error(), "list pipeline events: limit -1 is negative");
}

TEST(StorePipeline, EventIdsAreNeverReused) {
  TempDir dir;
  std::string path = dir.Path("events.db");
  auto store = OpenOrDie(path);
  ASSERT_TRUE(store);
  WriteBatch batch;
  batch.AppendPipelineEvent(Event("A", "p", kT0));
  batch.AppendPipelineEvent(Event("B", "p", kT0));
  CommitOrDie(*store, batch);
  RawDb(path).Rows("DELETE FROM pipeline_events WHERE id = 2");
  batch.Clear();
  batch.AppendPipelineEvent(Event("C", "p", kT0));
  CommitOrDie(*store, batch);
  auto events = store->ListPipelineEvents({});
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ(events->back().type, "C");
  EXPECT_EQ(events->back().id, 3);
}

// --- all or nothing ----------------------------------------------------------------------------

// Fails step 1, 2, … of a commit holding every pipeline write until one gets through; after
// each failure the file is exactly as before.
TEST(StorePipeline, AFailedCommitAtAnyStepChangesNothing) {
  TempDir dir;
  std::string path = dir.Path("faults.db");
  int countdown = 0;
  StoreOptions options;
  options.fail_step = [&](std::string_view) { return countdown > 0 && --countdown == 0; };
  auto store = OpenOrDie(path, options);
  ASSERT_TRUE(store);
  {
    WriteBatch seed;
    seed.AddPipelineVersion(Version("p", "v1", kT0));
    seed.PutSensor({"p", "k", R"({"n":1})", kT0});
    CommitOrDie(*store, seed);
  }
  WriteBatch batch;
  batch.AddPipelineVersion(Version("p", "v2", kT0 + kSecond));
  batch.PutSensor({"p", "k", R"({"n":2})", kT0 + kSecond});
  batch.PutPipelineRun({"p", "stream", "2026-03-01", std::nullopt, PipelineRunStatus::kRunning, kT0,
                        std::nullopt, kT0 + kSecond});
  batch.AppendPipelineEvent(Event("JOB_TRIGGERED", "p", kT0 + kSecond));
  const std::string before = RawDb(path).Dump();
  int failures = 0;
  for (int n = 1;; ++n) {
    countdown = n;
    auto committed = store->Commit(batch);
    if (committed.ok()) break;
    ++failures;
    EXPECT_NE(committed.error().find("injected fault"), std::string::npos) << committed.error();
    EXPECT_EQ(RawDb(path).Dump(), before) << "after failing step " << n;
    ASSERT_LT(n, 50);
  }
  countdown = 0;
  EXPECT_GE(failures, 6);  // BEGIN, four writes, COMMIT
  auto latest = store->GetLatestPipelineVersion("p");
  ASSERT_TRUE(latest.ok() && *latest);
  EXPECT_EQ((*latest)->version, 2);
  EXPECT_EQ(RawDb(path).One("SELECT count(*) FROM pipeline_events"), "1");
}

}  // namespace
}  // namespace sluice::engine
