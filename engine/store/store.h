// Store: Sluice's durable state in one embedded SQLite database.
//
// The database holds definitions (by content hash), state machines and their versions,
// executions, their history events, and what recovery needs to resume a run: pending timers,
// pending tasks and task tokens. For the pipeline safety controller it also holds pipeline
// configs (versioned), sensors, pipeline runs and pipeline events. docs/storage.md documents the
// schema, the migration policy and the durability modes.
//
// Writes go through group commit: stage them in a WriteBatch, then Commit() applies the whole
// batch in one transaction (BEGIN IMMEDIATE … COMMIT). Either every write of the batch is
// durable (per the Durability mode) or, on failure, none is and the database is exactly as
// before. Reads see committed data only.
//
// Lifecycle:
//
//   Open ──► (schema migrated to kSchemaVersion) ──► Commit / queries / Checkpoint … ──► ~Store
//
// The WAL is never checkpointed on the commit path (wal_autocheckpoint is off): the runtime calls
// Checkpoint() when idle or every N commits, so commits never pay for copying pages back.
//
// Errors are values: every SQLite failure comes back as a message naming the operation and
// SQLite's own message, e.g. "commit: append event 3 of arn:…: UNIQUE constraint failed: …".
//
// Thread rule: one thread at a time per Store (the runtime's loop thread). Other processes may
// open the same file: WAL lets them read while this one writes, and busy_timeout makes writers
// wait for each other.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "asl/result.h"
#include "engine/history.h"
#include "engine/store/records.h"
#include "engine/store/write_batch.h"

namespace sluice::engine {

// The schema version this build creates and understands (PRAGMA user_version).
inline constexpr int kSchemaVersion = 3;

enum class Durability {
  // synchronous=FULL: the WAL is synced at every commit; a committed transaction survives a
  // power loss or an OS crash.
  kFull,
  // synchronous=NORMAL: the WAL is synced only at checkpoints; a committed transaction survives a
  // crash of the process, but the last commits may be lost on power loss or an OS crash. The
  // database is never corrupted either way.
  kNormal,
};

struct StoreOptions {
  Durability durability = Durability::kFull;
  // How long a writer waits for another connection's write lock before failing with "database
  // is locked". Default: 5 s.
  int busy_timeout_ms = 5000;
  // The SQLite VFS to open the file with, by registered name; empty: SQLite's default. Tests
  // pass a VFS that fails the Nth write or sync.
  std::string vfs;
  // Testing hook, null in production: called before every statement step (including BEGIN,
  // COMMIT, pragmas and migration steps; excluding ROLLBACK) with the statement's SQL. Returning
  // true fails that step as if SQLite had reported an I/O error. Tests use it to fail the Nth
  // step of a commit, then the (N+1)th, … until one commit sees no fault.
  std::function<bool(std::string_view sql)> fail_step;
  // Testing hook, 0 in production (migrate to kSchemaVersion): the version Open migrates a
  // database to. Tests pass an older version to build a file as an older Sluice left it; such a
  // Store must not be used for the tables of later versions.
  int schema_version = 0;
};

struct CheckpointStats {
  int64_t wal_frames = 0;           // frames in the WAL after the checkpoint
  int64_t checkpointed_frames = 0;  // of those, copied back into the database
};

struct ExecutionFilter {
  std::optional<ExecutionStatus> status;  // all statuses when empty
  std::string state_machine_arn;          // all machines when empty
  int limit = 100;                        // 1 … 1000
  std::string page_token;                 // from a previous page; empty for the first page
};

struct ExecutionPage {
  std::vector<ExecutionRecord> executions;  // newest start first (ties: newest insert first)
  std::string next_page_token;              // empty on the last page
};

struct HistoryQuery {
  // Forward: events with id >= start_event_id. Reverse: events with id <= start_event_id, or
  // from the last event when 0.
  int64_t start_event_id = 0;
  bool reverse = false;
  int64_t limit = 0;  // 0: all
};

struct PipelineEventFilter {
  std::string pipeline;                // every pipeline when empty
  std::string type;                    // every type when empty
  std::optional<int64_t> since_nanos;  // only events at or after this time
  int64_t limit = 0;                   // only the newest `limit` events; 0: no limit
};

class Store {
 public:
  // Opens (creating if needed) the database at `path`, or a private in-memory one for
  // ":memory:", and migrates its schema to kSchemaVersion in one transaction. Fails if the file
  // is not a SQLite database, or has a schema newer than kSchemaVersion.
  static Result<std::unique_ptr<Store>> Open(const std::string& path, StoreOptions options = {});

  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Applies every write of `batch` in one transaction. On failure nothing is applied; the
  // batch itself is left untouched either way (Clear() it to reuse). An empty batch is a no-op.
  Status<> Commit(const WriteBatch& batch);

  // A PASSIVE checkpoint: copies what it can from the WAL into the database without waiting
  // for readers or blocking writers. Under kNormal this is also when the WAL gets synced.
  Result<CheckpointStats> Checkpoint();

  // Definitions and state machines. A missing row is an empty optional, not an error.
  Result<std::optional<std::string>> GetDefinition(const std::string& hash);
  Result<std::optional<StateMachineRecord>> GetStateMachine(const std::string& arn);
  Result<std::vector<StateMachineRecord>> ListStateMachines();  // by name
  Result<std::vector<StateMachineVersionRecord>> ListStateMachineVersions(
      const std::string& state_machine_arn);  // by version

  // Activities (schema version 3). ListActivities orders by name.
  Result<std::optional<ActivityRecord>> GetActivity(const std::string& arn);
  Result<std::vector<ActivityRecord>> ListActivities();

  // Executions.
  Result<std::optional<ExecutionRecord>> GetExecution(const std::string& arn);
  // Finds the one execution `reference` designates: its full ARN; else its name; else a prefix
  // of exactly one execution's ARN or name. Fails naming the reference when nothing matches,
  // and listing the candidates when several do.
  Result<ExecutionRecord> ResolveExecution(std::string_view reference);
  Result<ExecutionPage> ListExecutions(const ExecutionFilter& filter);
  // Fails when the execution does not exist.
  Result<std::vector<HistoryEvent>> GetHistory(const std::string& execution_arn,
                                               const HistoryQuery& query = {});
  // Every RUNNING execution (in insertion order) with its pending timers and tasks, read in one
  // snapshot: what recovery resumes.
  Result<std::vector<UnfinishedExecution>> ListUnfinishedExecutions();

  Result<std::optional<TaskTokenRecord>> GetTaskToken(const std::string& token);

  // The execution's journal entries in order (engine/journal.h). Fails when the execution does
  // not exist.
  Result<std::vector<std::string>> GetJournal(const std::string& execution_arn);

  // Pipeline configs. A missing pipeline or version is an empty optional.
  Result<std::optional<PipelineVersionRecord>> GetLatestPipelineVersion(const std::string& id);
  Result<std::optional<PipelineVersionRecord>> GetPipelineVersion(const std::string& id,
                                                                  int64_t version);
  Result<std::vector<PipelineVersionRecord>> ListPipelines();  // the latest versions, by id

  // Sensors. ListSensors orders by key (by pipeline, then key, for every pipeline).
  Result<std::optional<SensorRecord>> GetSensor(const std::string& pipeline,
                                                const std::string& key);
  Result<std::vector<SensorRecord>> ListSensors(const std::string& pipeline);  // "": every one

  // Pipeline runs.
  Result<std::optional<PipelineRunRecord>> GetPipelineRun(const std::string& pipeline,
                                                          const std::string& schedule,
                                                          const std::string& date);

  // Pipeline events matching `filter`, oldest first (by time, then id).
  Result<std::vector<PipelineEventRecord>> ListPipelineEvents(const PipelineEventFilter& filter);

  struct Impl;

 private:
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::engine
