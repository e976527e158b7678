// The SQLite store: schema and migrations, group commit and its all-or-nothing rollback (shown
// by failing every step of a commit in turn), round trips of every record, reference
// resolution, and listing with filters and pages.
#include "engine/store/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/store_testing.h"

namespace sluice::engine {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kT0 = 1'700'000'000 * kSecond;
constexpr char kDefinition[] = R"({"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}})";

std::string MachineArn(const std::string& machine) {
  return "arn:aws:states:local:123456789012:stateMachine:" + machine;
}

std::string ExecArn(const std::string& machine, const std::string& name) {
  return "arn:aws:states:local:123456789012:execution:" + machine + ":" + name;
}

ExecutionRecord NewExecution(const std::string& machine, const std::string& name, int64_t start,
                             const std::string& hash) {
  ExecutionOptions o;
  o.state_machine_name = machine;
  o.state_machine_arn = MachineArn(machine);
  o.execution_name = name;
  o.execution_arn = ExecArn(machine, name);
  o.seed = 7;
  return NewExecutionRecord(o, hash, R"({"in":1})", start);
}

HistoryEvent Event(int64_t id, const std::string& type, const char* details = nullptr) {
  HistoryEvent e;
  e.id = id;
  e.previous_event_id = id - 1;
  e.timestamp_nanos = kT0 + id;
  e.type = type;
  if (details) e.details = details;
  return e;
}

using sluice::testing::CommitOrDie;
using sluice::testing::OpenOrDie;
using sluice::testing::RawDb;

struct TempDir : sluice::testing::TempDir {
  TempDir() : sluice::testing::TempDir("sluice_store_") {}
};

// A SQLite VFS that behaves like the default one, except that the Nth write, sync or truncate
// (counted down by FaultyVfs::countdown) fails with an I/O error: a disk failing mid-commit.
class FaultyVfs {
 public:
  static constexpr const char* kName = "sluice-test-faulty";
  static inline int countdown = 0;  // 0: no fault armed

  static void Register() {
    static bool registered = [] {
      real_ = sqlite3_vfs_find(nullptr);
      vfs_ = *real_;  // the default VFS's methods all work on a copy that keeps its pAppData
      vfs_.zName = kName;
      vfs_.szOsFile = static_cast<int>(sizeof(File)) + real_->szOsFile;
      vfs_.xOpen = Open;
      vfs_.pNext = nullptr;
      return sqlite3_vfs_register(&vfs_, /*makeDflt=*/0) == SQLITE_OK;
    }();
    ASSERT_TRUE(registered);
  }

 private:
  struct File {
    sqlite3_file base;
    sqlite3_file* real;  // the default VFS's file, in the same allocation, after this struct
  };

  static sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<File*>(f)->real; }
  static bool Fault() { return countdown > 0 && --countdown == 0; }

  static int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out) {
    auto* file = reinterpret_cast<File*>(f);
    file->real = reinterpret_cast<sqlite3_file*>(file + 1);
    file->base.pMethods = nullptr;
    int rc = real_->xOpen(real_, name, file->real, flags, out);
    // SQLite calls xClose whenever pMethods is set, even after a failed open.
    if (file->real->pMethods) file->base.pMethods = &kMethods;
    return rc;
  }
  static int Close(sqlite3_file* f) { return Real(f)->pMethods->xClose(Real(f)); }
  static int Read(sqlite3_file* f, void* buf, int n, sqlite3_int64 offset) {
    return Real(f)->pMethods->xRead(Real(f), buf, n, offset);
  }
  static int Write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 offset) {
    if (Fault()) return SQLITE_IOERR_WRITE;
    return Real(f)->pMethods->xWrite(Real(f), buf, n, offset);
  }
  static int Truncate(sqlite3_file* f, sqlite3_int64 size) {
    if (Fault()) return SQLITE_IOERR_TRUNCATE;
    return Real(f)->pMethods->xTruncate(Real(f), size);
  }
  static int Sync(sqlite3_file* f, int flags) {
    if (Fault()) return SQLITE_IOERR_FSYNC;
    return Real(f)->pMethods->xSync(Real(f), flags);
  }
  static int FileSize(sqlite3_file* f, sqlite3_int64* size) {
    return Real(f)->pMethods->xFileSize(Real(f), size);
  }
  static int Lock(sqlite3_file* f, int level) { return Real(f)->pMethods->xLock(Real(f), level); }
  static int Unlock(sqlite3_file* f, int level) {
    return Real(f)->pMethods->xUnlock(Real(f), level);
  }
  static int CheckReservedLock(sqlite3_file* f, int* out) {
    return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
  }
  static int FileControl(sqlite3_file* f, int op, void* arg) {
    return Real(f)->pMethods->xFileControl(Real(f), op, arg);
  }
  static int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
  static int DeviceCharacteristics(sqlite3_file* f) {
    return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
  }
  static int ShmMap(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
    return Real(f)->pMethods->xShmMap(Real(f), page, size, extend, out);
  }
  static int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
    return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
  }
  static void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
  static int ShmUnmap(sqlite3_file* f, int remove) {
    return Real(f)->pMethods->xShmUnmap(Real(f), remove);
  }
  // Memory-mapped I/O is off (SQLite's default); answer "not mapped" should SQLite ask.
  static int Fetch(sqlite3_file*, sqlite3_int64, int, void** out) {
    *out = nullptr;
    return SQLITE_OK;
  }
  static int Unfetch(sqlite3_file*, sqlite3_int64, void*) { return SQLITE_OK; }

  static constexpr sqlite3_io_methods kMethods = {3,
                                                  Close,
                                                  Read,
                                                  Write,
                                                  Truncate,
                                                  Sync,
                                                  FileSize,
                                                  Lock,
                                                  Unlock,
                                                  CheckReservedLock,
                                                  FileControl,
                                                  SectorSize,
                                                  DeviceCharacteristics,
                                                  ShmMap,
                                                  ShmLock,
                                                  ShmBarrier,
                                                  ShmUnmap,
                                                  Fetch,
                                                  Unfetch};
  static inline sqlite3_vfs* real_ = nullptr;
  static inline sqlite3_vfs vfs_{};
};

// A batch touching every kind of write, for the execution `name` of machine "M".
WriteBatch EveryKindOfWrite(const std::string& name, int64_t start) {
  WriteBatch batch;
  std::string hash = batch.PutDefinition(kDefinition + name);
  batch.PutStateMachine({MachineArn("M" + name), "M" + name, StateMachineType::kStandard, hash,
                         "arn:aws:iam::123456789012:role/r", start, start});
  batch.PutStateMachineVersion({MachineArn("M" + name), 1, hash, "first", start});
  batch.InsertExecution(NewExecution("M", name, start, hash));
  std::string arn = ExecArn("M", name);
  batch.AppendEvent(arn, Event(1, "ExecutionStarted", R"({"input":"{}"})"));
  batch.AppendEvent(arn, Event(2, "WaitStateEntered", R"({"name":"W"})"));
  batch.AddTimer(arn, 1, start + kSecond);
  batch.AddTimer(arn, 2, start + 2 * kSecond);
  batch.RemoveTimer(arn, 2);
  batch.AppendEvent(arn, Event(3, "TaskScheduled", R"({"resource":"r"})"));
  batch.AddTask(arn, 3, "arn:aws:states:::lambda:invoke", R"({"p":1})");
  batch.AddTask(arn, 4, "arn:aws:states:::lambda:invoke", R"({"p":2})");
  batch.RemoveTask(arn, 4);
  batch.PutTaskToken({"token-" + name, arn, 3});
  batch.PutTaskToken({"gone-" + name, arn, 3});
  batch.RemoveTaskToken("gone-" + name);
  ExecutionUpdate update;
  update.redrive_count = 0;
  batch.UpdateExecution(arn, update);
  batch.DeleteStateMachine(MachineArn("nothing-here"));
  return batch;
}

// --- schema and migrations ------------------------------------------------------------------

TEST(Store, CreatesTheSchemaInWalModeAndReopens) {
  TempDir dir;
  std::string path = dir.Path("sluice.db");
  {
    auto store = OpenOrDie(path);
    ASSERT_TRUE(store);
    CommitOrDie(*store, EveryKindOfWrite("e1", kT0));
  }
  RawDb raw(path);
  EXPECT_EQ(raw.One("PRAGMA user_version"), std::to_string(kSchemaVersion));
  EXPECT_EQ(raw.One("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(
      raw.Rows("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"),
      (std::vector<std::string>{"activities", "definitions", "executions", "history_events",
                                "journal", "pending_tasks", "pending_timers", "pipeline_events",
                                "pipeline_runs", "pipelines", "sensors", "sqlite_sequence",
                                "state_machine_versions", "state_machines", "task_tokens"}));
  std::string before = raw.Dump();
  auto reopened = OpenOrDie(path);
  ASSERT_TRUE(reopened);
  auto history = reopened->GetHistory(ExecArn("M", "e1"));
  ASSERT_TRUE(history.ok()) << history.error();
  EXPECT_EQ(history->size(), 3u);
  EXPECT_EQ(raw.Dump(), before);  // reopening migrates nothing
}

TEST(Store, RefusesADatabaseFromANewerSluice) {
  TempDir dir;
  std::string path = dir.Path("future.db");
  {
    RawDb raw(path);
    raw.Rows("PRAGMA user_version = " + std::to_string(kSchemaVersion + 1));
  }
  auto store = Store::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error(), "database " + path + " has schema version " +
                               std::to_string(kSchemaVersion + 1) +
                               ", newer than this Sluice supports (" +
                               std::to_string(kSchemaVersion) + "); open it with a newer Sluice");
  EXPECT_EQ(RawDb(path).One("SELECT count(*) FROM sqlite_master"), "0");  // left alone
}

TEST(Store, RefusesAFileThatIsNotADatabase) {
  TempDir dir;
  std::string path = dir.Path("notes.txt");
  {
    FILE* f = fopen(path.c_str(), "w");
    fputs("these are not the pages you are looking for; ", f);
    for (int i = 0; i < 200; ++i) fputs("padding padding padding ", f);
    fclose(f);
  }
  auto store = Store::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error(), "open " + path + ": enable WAL: file is not a database");
}

TEST(Store, AFailedMigrationLeavesTheDatabaseAtItsOldVersion) {
  TempDir dir;
  std::string path = dir.Path("sluice.db");
  StoreOptions options;
  options.fail_step = [](std::string_view sql) {
    return sql.find("CREATE TABLE pending_tasks") != std::string_view::npos;
  };
  auto store = Store::Open(path, options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error(), "migrate " + path + " from schema version 0 to " +
                               std::to_string(kSchemaVersion) + ": migration step: injected fault");
  {
    RawDb raw(path);
    EXPECT_EQ(raw.One("PRAGMA user_version"), "0");
    EXPECT_EQ(raw.One("SELECT count(*) FROM sqlite_master"), "0");  // no half-made schema
  }
  EXPECT_TRUE(OpenOrDie(path));
}

TEST(Store, AppliesTheChosenDurabilityAndLeavesCheckpointsToTheCaller) {
  for (auto [durability, pragma] :
       {std::pair{Durability::kFull, "PRAGMA synchronous = FULL"},
        std::pair{Durability::kNormal, "PRAGMA synchronous = NORMAL"}}) {
    std::vector<std::string> seen;
    StoreOptions options;
    options.durability = durability;
    options.fail_step = [&seen](std::string_view sql) {
      seen.emplace_back(sql);
      return false;
    };
    ASSERT_TRUE(OpenOrDie(":memory:", options));
    for (const char* expected :
         {pragma, "PRAGMA wal_autocheckpoint = 0", "PRAGMA foreign_keys = ON"}) {
      EXPECT_NE(std::find(seen.begin(), seen.end(), expected), seen.end()) << expected;
    }
  }
}

// --- group commit and rollback --------------------------------------------------------------

// Commits a batch of every kind of write to the file at `path` (which holds one committed
// execution, "before") with a fault armed at step 1, then 2, … until a commit gets through.
// After each failed commit, the failed connection and then the file itself must hold exactly
// what they held before, intact. Returns how many commits failed.
int CommitThroughFaults(const std::string& path, const StoreOptions& options,
                        const std::function<void(int)>& arm) {
  std::string committed = RawDb(path).Dump();
  WriteBatch batch = EveryKindOfWrite("after", kT0 + kSecond);
  int failures = 0;
  for (int n = 1; n < 1000; ++n) {
    SCOPED_TRACE("fault at step " + std::to_string(n));
    auto store = OpenOrDie(path, options);
    if (!store) return -1;
    arm(n);
    auto status = store->Commit(batch);
    arm(0);
    if (status.ok()) break;
    ++failures;
    // The same connection is back to the committed state, with no transaction left open.
    auto after = store->GetExecution(ExecArn("M", "after"));
    EXPECT_TRUE(after.ok() && !after->has_value());
    auto unfinished = store->ListUnfinishedExecutions();
    EXPECT_TRUE(unfinished.ok() && unfinished->size() == 1u)
        << (unfinished.ok() ? "" : unfinished.error());
    store.reset();
    RawDb raw(path);
    EXPECT_EQ(raw.One("PRAGMA integrity_check"), "ok");
    EXPECT_EQ(raw.Dump(), committed);
    if (::testing::Test::HasFailure()) return -1;
  }
  RawDb raw(path);
  EXPECT_EQ(raw.One("SELECT count(*) FROM executions"), "2");
  EXPECT_EQ(raw.One("SELECT count(*) FROM history_events"), "6");
  return failures;
}

void CommitBefore(const std::string& path, const StoreOptions& options) {
  auto store = OpenOrDie(path, options);
  ASSERT_TRUE(store);
  CommitOrDie(*store, EveryKindOfWrite("before", kT0));
}

TEST(Store, AFailedCommitAtAnyStepLeavesTheDatabaseExactlyAsBefore) {
  TempDir dir;
  std::string path = dir.Path("sluice.db");
  auto countdown = std::make_shared<int>(0);  // the step that fails, counted down; 0: none
  StoreOptions options;
  options.durability = Durability::kNormal;
  options.fail_step = [countdown](std::string_view sql) {
    EXPECT_NE(sql, "ROLLBACK");
    return *countdown > 0 && --*countdown == 0;
  };
  CommitBefore(path, options);
  int failures = CommitThroughFaults(path, options, [&](int n) { *countdown = n; });
  // BEGIN, a step per write, the execution lookups and COMMIT: each failed once.
  EXPECT_GT(failures, static_cast<int>(EveryKindOfWrite("x", kT0).size()));
}

TEST(Store, AFailedWriteOrSyncOfTheFileLeavesTheDatabaseExactlyAsBefore) {
  FaultyVfs::Register();
  TempDir dir;
  std::string path = dir.Path("sluice.db");
  StoreOptions options;
  options.vfs = FaultyVfs::kName;  // Durability::kFull: the WAL is written and synced at COMMIT
  CommitBefore(path, options);
  int failures = CommitThroughFaults(path, options, [](int n) { FaultyVfs::countdown = n; });
  EXPECT_GE(failures, 2);  // at least the WAL write and the WAL sync
}

TEST(Store, AConstraintViolationRollsBackTheWholeBatch) {
  auto store = OpenOrDie(":memory:");
  ASSERT_TRUE(store);
  CommitOrDie(*store, EveryKindOfWrite("e1", kT0));
  std::string arn = ExecArn("M", "e1");
  WriteBatch batch;
  batch.AppendEvent(arn, Event(4, "TaskSucceeded"));
  batch.RemoveTask(arn, 3);
  batch.AppendEvent(arn, Event(2, "PassStateEntered"));  // event ids are never reused
  auto status = store->Commit(batch);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error(),
            "commit: append event: UNIQUE constraint failed: history_events.execution_id, "
            "history_events.id (event 2 of " +
                arn + ")");
  auto history = store->GetHistory(arn);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 3u);
  auto unfinished = store->ListUnfinishedExecutions();
  ASSERT_TRUE(unfinished.ok());
  ASSERT_EQ(unfinished->size(), 1u);
  EXPECT_EQ(unfinished->front().tasks.size(), 1u);  // RemoveTask rolled back too
}

TEST(Store, WritesForAnUnknownExecutionFailNamingIt) {
  auto store = OpenOrDie(":memory:");
  ASSERT_TRUE(store);
  WriteBatch batch;
  batch.AddTimer(ExecArn("M", "ghost"), 1, kT0);
  auto status = store->Commit(batch);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error(),
            "commit: add timer: no such execution (timer 1 of " + ExecArn("M", "ghost") + ")");
}

TEST(Store, ForeignKeysAreEnforced) {
  auto store = OpenOrDie(":memory:");
  ASSERT_TRUE(store);
  WriteBatch batch;
  batch.InsertExecution(NewExecution("M", "e1", kT0, DefinitionHash("never stored")));
  auto status = store->Commit(batch);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error(), "commit: insert execution: FOREIGN KEY constraint failed (execution " +
                                ExecArn("M", "e1") + ")");
}

TEST(Store, OneBatchCarriesWritesOfManyExecutions) {
  auto store = OpenOrDie(":memory:");
  ASSERT_TRUE(store);
  WriteBatch batch;
  std::string hash = batch.PutDefinition(kDefinition);
  for (const char* name : {"a", "b", "c"}) {
    batch.InsertExecution(NewExecution("M", name, kT0, hash));
  }
  for (int id = 1; id <= 4; ++id) {
    for (const char* name : {"a", "b", "c"}) batch.AppendEvent(ExecArn("M", name), Event(id, "T"));
  }
  EXPECT_EQ(batch.size(), 16u);
  CommitOrDie(*store, batch);
  for (const char* name : {"a", "b", "c"}) {
    auto history = store->GetHistory(ExecArn("M", name));
    ASSERT_TRUE(history.ok());
    EXPECT_EQ(history->size(), 4u);
  }
  EXPECT_FALSE(batch.empty());  // Commit leaves the batch alone
  batch.Clear();
  EXPECT_TRUE(batch.empty());
  EXPECT_TRUE(store->Commit(batch).ok());  // an empty batch is a no-op
}

// --- round trips ------------------------------------------------------------------------------

TEST(Store, DefinitionsAreStoredOnceByContentHash) {
  EXPECT_EQ(DefinitionHash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  auto store = OpenOrDie(":memory:");
  ASSERT_TRUE(store);
  WriteBatch batch;
  std::string hash = batch.PutDefinition(kDefinition);
  EXPECT_EQ(batch.PutDefinition(kDefinition), hash);
  CommitOrDie(*store, batch);
  CommitOrDie(*store, batch);  // again: still no error, still one row
  auto text = store->GetDefinition(hash);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->value_or(""), kDefinition);
  auto missing = store->GetDefinition(DefinitionHash("other"));
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST(Store, StateMachinesAndVersionsRoundTrip) {
  auto store = OpenOrDie(":memory:");
  ASSERT_TRUE(store);
  WriteBatch batch;
  std::string v1 = batch.PutDefinition(kDefinition);
  StateMachineRecord b{MachineArn("b"), "b", StateMachineType::kExpress, v1, "role", kT0, kT0};
  StateMachineRecord a{MachineArn("a"), "a", StateMachineType::kStandard, v1, "role", kT0, kT0};
  batch.PutStateMachine(b);
  batch.PutStateMachine(a);
  batch.PutStateMachineVersion({a.arn, 1, v1, "first", kT0});
  CommitOrDie(*store, batch);

  batch.Clear();
  std::string v2 = batch.PutDefinition(std::string(kDefinition) + " ");
  StateMachineRecord updated = a;
  updated.definition_hash = v2;
  updated.role_arn = "role2";
  updated.created_nanos = kT0 + 5 * kSecond;  // ignored: the created date is kept
  updated.updated_nanos = kT0 + 5 * kSecond;
  batch.PutStateMachine(updated);
  batch.PutStateMachineVersion({a.arn, 2, v2, "", kT0 + 5 * kSecond});
  CommitOrDie(*store, batch);

  auto got = store->GetStateMachine(a.arn);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->definition_hash, v2);
  EXPECT_EQ((*got)->role_arn, "role2");
  EXPECT_EQ((*got)->created_nanos, kT0);
  EXPECT_EQ((*got)->updated_nanos, kT0 + 5 * kSecond);
  auto all = store->ListStateMachines();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "a");
  EXPECT_EQ((*all)[1].type, StateMachineType::kExpress);
  auto versions = store->ListStateMachineVersions(a.arn);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ((*versions)[0].description, "first");
  EXPECT_EQ((*versions)[1].definition_hash, v2);

  batch.Clear();
  batch.PutStateMachineVersion({a.arn, 2, v1, "again", kT0});
  EXPECT_FALSE(store->Commit(batch).ok());  // versions are never reused
  batch.Clear();
  batch.DeleteStateMachine(a.arn);
  CommitOrDie(*store, batch);
  got = store->GetStateMachine(a.arn);
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
  versions = store->ListStateMachineVersions(a.arn);
  ASSERT_TRUE(versions.ok());
  EXPECT_TRUE(versions->empty());
}

TEST(Store, ExecutionsRoundTripEveryField) {
  auto store = OpenOrDie(":memory:");
  ASSERT_TRUE(store);
  WriteBatch batch;
  std::string hash = batch.PutDefinition(kDefinition);
  ExecutionRecord record = NewExecution("M", "e1", kT0, hash);
  batch.InsertExecution(record);
  CommitOrDie(*store, batch);
  auto got = store->GetExecution(record.arn);
  ASSERT_TRUE(got.ok() && got->has_value());
  const ExecutionRecord& r = **got;
  EXPECT_EQ(r.name, "e1");
  EXPECT_EQ(r.state_machine_arn, MachineArn("M"));
  EXPECT_EQ(r.definition_hash, hash);
  EXPECT_EQ(r.input, R"({"in":1})");
  EXPECT_EQ(r.start_nanos, kT0);
  EXPECT_EQ(r.status, ExecutionStatus::kRunning);
  EXPECT_FALSE(r.output || r.error || r.cause || r.stop_nanos || r.redrive_nanos);

  batch.Clear();
  ExecutionUpdate failed;
  failed.status = ExecutionStatus::kFailed;
  failed.error = "States.TaskFailed";
  failed.cause = "";  // present but empty is not absent
  failed.stop_nanos = kT0 + kSecond;
  batch.UpdateExecution(record.arn, failed);
  CommitOrDie(*store, batch);
  got = store->GetExecution(record.arn);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->status, ExecutionStatus::kFailed);
  EXPECT_EQ((*got)->error, "States.TaskFailed");
  EXPECT_EQ((*got)->cause, "");
  EXPECT_EQ((*got)->stop_nanos, kT0 + kSecond);

  batch.Clear();
  ExecutionUpdate redriven;
  redriven.redrive_count = 1;
  redriven.redrive_nanos = kT0 + 2 * kSecond;
  batch.UpdateExecution(record.arn, redriven);
  CommitOrDie(*store, batch);
  got = store->GetExecution(record.arn);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->status, ExecutionStatus::kRunning);
  EXPECT_FALSE((*got)->error || (*got)->stop_nanos);
  EXPECT_EQ((*got)->redrive_count, 1);
  EXPECT_EQ((*got)->redrive_nanos, kT0 + 2 * kSecond);

  auto missing = store->GetExecution(ExecArn("M", "nope"));
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  batch.Clear();
  batch.InsertExecution(record);
  EXPECT_FALSE(store->Commit(batch).ok());  // the ARN exists
}

TEST(Store, ExecutionOptionsSurviveTheOptionsBlob) {
  ExecutionOptions o;
  o.state_machine_name = "M";
  o.state_machine_arn = MachineArn("M");
  o.execution_name = "e1";
  o.execution_arn = ExecArn("M", "e1");
  o.role_arn = "arn:aws:iam::1:role/x";
  o.seed = 18'446'744'073'709'551'615u;  // the largest seed
  o.max_payload_bytes = 1024;
  o.redrive_count = 2;
  o.express = true;
  ExecutionRecord record = NewExecutionRecord(o, DefinitionHash("d"), "{}", kT0);
  EXPECT_EQ(record.redrive_count, 2);
  auto back = DecodeExecutionOptions(record);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(back->state_machine_name, "M");
  EXPECT_EQ(back->state_machine_arn, o.state_machine_arn);
  EXPECT_EQ(back->execution_name, "e1");
  EXPECT_EQ(back->execution_arn, o.execution_arn);
  EXPECT_EQ(back->role_arn, o.role_arn);
  EXPECT_EQ(back->seed, o.seed);
  EXPECT_EQ(back->max_payload_bytes, 1024u);
  EXPECT_EQ(back->redrive_count, 2);
  EXPECT_TRUE(back->express);

  record.options = R"({"seed":"7"})";
  auto bad = DecodeExecutionOptions(record);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(),
            "options of execution " + o.execution_arn + ": \"seed\" is not an unsigned integer");
  record.options = R"({})";  // an older blob: defaults
  auto old = DecodeExecutionOptions(record);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->max_payload_bytes, ExecutionOptions().max_payload_bytes);
}

TEST(Store, HistoryRoundTripsAndReadsFromAnEventEitherWay) {
  auto store = OpenOrDie(":memory:");
  ASSERT_TRUE(store);
  WriteBatch batch;
  std::string hash = batch.PutDefinition(kDefinition);
  batch.InsertExecution(NewExecution("M", "e1", kT0, hash));
  std::string arn = ExecArn("M", "e1");
  // Key order matters (ordered_json): "z" before "a" must come back that way.
  batch.AppendEvent(arn, Event(1, "ExecutionStarted", R"({"z":1,"a":{"y":[1,2],"b":null}})"));
  for (int id = 2; id <= 5; ++id) batch.AppendEvent(arn, Event(id, "PassStateEntered"));
  CommitOrDie(*store, batch);

  auto all = store->GetHistory(arn);
  ASSERT_TRUE(all.ok()) << all.error();
  ASSERT_EQ(all->size(), 5u);
  const HistoryEvent& first = all->front();
  EXPECT_EQ(first.type, "ExecutionStarted");
  EXPECT_EQ(first.previous_event_id, 0);
  EXPECT_EQ(first.timestamp_nanos, kT0 + 1);
  EXPECT_EQ(first.details, R"({"z":1,"a":{"y":[1,2],"b":null}})");
  EXPECT_EQ(DetailsJson(first), Json::parse(first.details));
  EXPECT_TRUE((*all)[1].details.empty());

  auto ids = [](const std::vector<HistoryEvent>& events) {
    std::vector<int64_t> out;
    for (const auto& e : events) out.push_back(e.id);
    return out;
  };
  auto from3 = store->GetHistory(arn, {3, false, 0});
  ASSERT_TRUE(from3.ok());
  EXPECT_EQ(ids(*from3), (std::vector<int64_t>{3, 4, 5}));
  auto reverse = store->GetHistory(arn, {0, true, 2});
  ASSERT_TRUE(reverse.ok());
  EXPECT_EQ(ids(*reverse), (std::vector<int64_t>{5, 4}));
  auto reverse_from3 = store->GetHistory(arn, {3, true, 0});
  ASSERT_TRUE(reverse_from3.ok());
  EXPECT_EQ(ids(*reverse_from3), (std::vector<int64_t>{3, 2, 1}));

  auto missing = store->GetHistory(ExecArn("M", "nope"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error(), "get history: no execution " + ExecArn("M", "nope"));
}

// Details are written as the executor built them and read back as text; a row whose details
// are not JSON is an error naming the event, never a silent default.
TEST(Store, HistoryDetailsAreStoredAsTextAndCheckedWhenRead) {
  TempDir dir;
  const std::string path = dir.Path("sluice.db");
  const std::string arn = ExecArn("M", "e1");
  const char* details = R"({"name":"A\"\u0001é","input":"{\"k\":[1,2]}"})";
  {
    auto store = OpenOrDie(path);
    ASSERT_TRUE(store);
    WriteBatch batch;
    std::string hash = batch.PutDefinition(kDefinition);
    batch.InsertExecution(NewExecution("M", "e1", kT0, hash));
    batch.AppendEvent(arn, Event(1, "PassStateEntered", details));
    batch.AppendEvent(arn, Event(2, "PassStateExited", "{}"));
    CommitOrDie(*store, batch);
    auto history = store->GetHistory(arn);
    ASSERT_TRUE(history.ok()) << history.error();
    EXPECT_EQ(history->at(0).details, details);
  }
  RawDb raw(path);
  EXPECT_EQ(raw.One("SELECT details FROM history_events WHERE id = 1"), details);
  raw.Rows("UPDATE history_events SET details = '{\"name\":' WHERE id = 2");
  auto store = OpenOrDie(path);
  ASSERT_TRUE(store);
  auto history = store->GetHistory(arn);
  ASSERT_FALSE(history.ok());
  EXPECT_NE(history.error().find("event 2: details are not valid JSON"), std::string::npos)
      << history.error();
}

TEST(Store, UnfinishedExecutionsComeWithTheirTimersAndTasks) {
  auto store = OpenOrDie(":memory:");
  ASSERT_TRUE(store);
  CommitOrDie(*store, EveryKindOfWrite("running", kT0));
  CommitOrDie(*store, EveryKindOfWrite("done", kT0));
  WriteBatch batch;
  ExecutionUpdate done;
  done.status = ExecutionStatus::kSucceeded;
  done.output = "{}";
  done.stop_nanos = kT0 + kSecond;
  batch.UpdateExecution(ExecArn("M", "done"), done);
  CommitOrDie(*store, batch);

  auto unfinished = store->ListUnfinishedExecutions();
  ASSERT_TRUE(unfinished.ok()) << unfinished.error();
  ASSERT_EQ(unfinished->size(), 1u);
  const UnfinishedExecution& u = unfinished->front();
  std::string arn = ExecArn("M", "running");
  EXPECT_EQ(u.execution.arn, arn);
  ASSERT_EQ(u.timers.size(), 1u);  // timer 2 was removed
  EXPECT_EQ(u.timers[0].timer_id, 1);
  EXPECT_EQ(u.timers[0].due_nanos, kT0 + kSecond);
  ASSERT_EQ(u.tasks.size(), 1u);  // task 4 was removed
  EXPECT_EQ(u.tasks[0].scheduled_event_id, 3);
  EXPECT_EQ(u.tasks[0].resource, "arn:aws:states:::lambda:invoke");
  EXPECT_EQ(u.tasks[0].payload, R"({"p":1})");
  EXPECT_EQ(u.tasks[0].idempotency_key, arn + ":3");
}

TEST(Store, TaskTokensMapToTheirExecutionAndEvent) {
  auto store = OpenOrDie(":memory:");
  ASSERT_TRUE(store);
  CommitOrDie(*store, EveryKindOfWrite("e1", kT0));
  auto token = store->GetTaskToken("token-e1");
  ASSERT_TRUE(token.ok() && token->has_value());
  EXPECT_EQ((*token)->execution_arn, ExecArn("M", "e1"));
  EXPECT_EQ((*token)->event_id, 3);
  auto gone = store->GetTaskToken("gone-e1");
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
  WriteBatch batch;
  batch.PutTaskToken({"token-e1", ExecArn("M", "e1"), 9});
  EXPECT_FALSE(store->Commit(batch).ok());  // a token is handed out once
}

TEST(Store, AFileDatabaseIsSharedWithAnotherConnection) {
  TempDir dir;
  std::string path = dir.Path("shared.db");
  auto writer = OpenOrDie(path);
  auto reader = OpenOrDie(path);
  ASSERT_TRUE(writer && reader);
  CommitOrDie(*writer, EveryKindOfWrite("e1", kT0));
  auto seen = reader->GetExecution(ExecArn("M", "e1"));
  ASSERT_TRUE(seen.ok());
  EXPECT_TRUE(seen->has_value());
}

TEST(Store, CheckpointCopiesTheWalIntoTheDatabase) {
  TempDir dir;
  std::string path = dir.Path("sluice.db");
  auto store = OpenOrDie(path);
  ASSERT_TRUE(store);
  CommitOrDie(*store, EveryKindOfWrite("e1", kT0));
  auto stats = store->Checkpoint();
  ASSERT_TRUE(stats.ok()) << stats.error();
  EXPECT_GT(stats->wal_frames, 0);
  EXPECT_EQ(stats->checkpointed_frames, stats->wal_frames);  // no reader held it back
  auto memory = OpenOrDie(":memory:");
  ASSERT_TRUE(memory);
  auto none = memory->Checkpoint();
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->wal_frames, 0);
}

// --- references and listings ------------------------------------------------------------------

class StoreWithExecutions : public ::testing::Test {
 protected:
  // (machine, name, start second, status)
  void SetUp() override {
    store_ = OpenOrDie(":memory:");
    ASSERT_TRUE(store_);
    WriteBatch batch;
    std::string hash = batch.PutDefinition(kDefinition);
    struct Row {
      const char* machine;
      const char* name;
      int start;
      ExecutionStatus status;
    };
    for (const Row& row : {Row{"Orders", "alpha", 1, ExecutionStatus::kSucceeded},
                           Row{"Orders", "alps", 2, ExecutionStatus::kRunning},
                           Row{"Orders", "beta", 3, ExecutionStatus::kFailed},
                           Row{"Billing", "beta", 4, ExecutionStatus::kRunning},
                           Row{"Billing", "gamma", 5, ExecutionStatus::kSucceeded},
                           Row{"Billing", "delta", 5, ExecutionStatus::kSucceeded},
                           Row{"Orders", "epsilon", 7, ExecutionStatus::kSucceeded}}) {
      ExecutionRecord record = NewExecution(row.machine, row.name, kT0 + row.start * kSecond, hash);
      record.status = row.status;
      batch.InsertExecution(record);
    }
    CommitOrDie(*store_, batch);
  }

  std::string Resolve(std::string_view reference) {
    auto found = store_->ResolveExecution(reference);
    return found.ok() ? found->arn : "error: " + found.error();
  }

  // Names of every execution `filter` lists, page by page ("|" between pages).
  std::string ListAll(ExecutionFilter filter) {
    std::string out;
    for (int page = 0; page < 10; ++page) {
      auto listed = store_->ListExecutions(filter);
      if (!listed.ok()) return "error: " + listed.error();
      for (const auto& e : listed->executions) out += e.name + " ";
      if (listed->next_page_token.empty()) return out;
      out += "| ";
      filter.page_token = listed->next_page_token;
    }
    return out + "<too many pages>";
  }

  std::unique_ptr<Store> store_;
};

TEST_F(StoreWithExecutions, ResolvesAnArnANameOrAUniquePrefix) {
  EXPECT_EQ(Resolve(ExecArn("Orders", "alpha")), ExecArn("Orders", "alpha"));
  EXPECT_EQ(Resolve("gamma"), ExecArn("Billing", "gamma"));
  EXPECT_EQ(Resolve("eps"), ExecArn("Orders", "epsilon"));  // a name prefix
  EXPECT_EQ(Resolve("arn:aws:states:local:123456789012:execution:Orders:be"),
            ExecArn("Orders", "beta"));  // an ARN prefix
  EXPECT_EQ(Resolve("alp"), "error: execution reference 'alp' is ambiguous; it matches " +
                                ExecArn("Orders", "alpha") + ", " + ExecArn("Orders", "alps"));
  // The same name in two machines.
  EXPECT_EQ(Resolve("beta"), "error: execution reference 'beta' is ambiguous; it matches " +
                                 ExecArn("Billing", "beta") + ", " + ExecArn("Orders", "beta"));
  EXPECT_EQ(Resolve("arn:aws:states:local:123456789012:execution:"),
            "error: execution reference 'arn:aws:states:local:123456789012:execution:' is "
            "ambiguous; it matches " +
                ExecArn("Billing", "beta") + ", " + ExecArn("Billing", "delta") + ", " +
                ExecArn("Billing", "gamma") + ", " + ExecArn("Orders", "alpha") + ", " +
                ExecArn("Orders", "alps") + " and more");
  EXPECT_EQ(Resolve("zeta"),
            "error: no execution matches 'zeta' (as an ARN, a name or a prefix of either)");
  EXPECT_EQ(Resolve(""), "error: empty execution reference");
}

TEST_F(StoreWithExecutions, ListsNewestFirstWithFilters) {
  EXPECT_EQ(ListAll({}), "epsilon delta gamma beta beta alps alpha ");
  EXPECT_EQ(ListAll({ExecutionStatus::kRunning, "", 100, ""}), "beta alps ");
  EXPECT_EQ(ListAll({std::nullopt, MachineArn("Billing"), 100, ""}), "delta gamma beta ");
  EXPECT_EQ(ListAll({ExecutionStatus::kSucceeded, MachineArn("Orders"), 100, ""}),
            "epsilon alpha ");
  EXPECT_EQ(ListAll({ExecutionStatus::kAborted, "", 100, ""}), "");
}

TEST_F(StoreWithExecutions, PagesCoverEveryExecutionOnce) {
  // gamma and delta start at the same instant: the later insert comes first, on any page split.
  EXPECT_EQ(ListAll({std::nullopt, "", 3, ""}), "epsilon delta gamma | beta beta alps | alpha ");
  EXPECT_EQ(ListAll({std::nullopt, "", 2, ""}), "epsilon delta | gamma beta | beta alps | alpha ");
  EXPECT_EQ(ListAll({std::nullopt, "", 7, ""}), "epsilon delta gamma beta beta alps alpha ");
  EXPECT_EQ(ListAll({ExecutionStatus::kSucceeded, "", 1, ""}), "epsilon | delta | gamma | alpha ");
}

TEST_F(StoreWithExecutions, RejectsABadLimitOrPageToken) {
  EXPECT_EQ(ListAll({std::nullopt, "", 0, ""}),
            "error: list executions: limit 0 is not in 1..1000");
  EXPECT_EQ(ListAll({std::nullopt, "", 1001, ""}),
            "error: list executions: limit 1001 is not in 1..1000");
  EXPECT_EQ(ListAll({std::nullopt, "", 10, "12x"}),
            "error: list executions: invalid page token '12x'");
  EXPECT_EQ(ListAll({std::nullopt, "", 10, "1:2:3"}),
            "error: list executions: invalid page token '1:2:3'");
}

}  // namespace
}  // namespace sluice::engine
