// The schema, as an ordered list of migration steps. docs/storage.md explains every column.
//
// Policy: a released step is never edited; a change is a new step appended to kMigrations
// (with kSchemaVersion raised to match). PRAGMA user_version records the last step applied, so
// opening a database runs exactly the steps it lacks, all in one transaction with the new
// version number. A database whose version is higher than kSchemaVersion was written by a newer
// Sluice, and is refused rather than misread.
#include <cstdlib>
#include <iterator>
#include <string>

#include "engine/store/store_internal.h"

namespace sluice::engine::store_internal {

namespace {

// Version 1: definitions, state machines and versions, executions, history, and what recovery
// needs (pending timers, pending tasks, task tokens).
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE definitions (
  hash TEXT PRIMARY KEY CHECK (length(hash) = 64),
  text TEXT NOT NULL
);

CREATE TABLE state_machines (
  arn TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL CHECK (type IN ('STANDARD', 'EXPRESS')),
  definition_hash TEXT NOT NULL REFERENCES definitions (hash),
  role_arn TEXT NOT NULL,
  created INTEGER NOT NULL,
  updated INTEGER NOT NULL
);

CREATE TABLE state_machine_versions (
  state_machine_arn TEXT NOT NULL REFERENCES state_machines (arn) ON DELETE CASCADE,
  version INTEGER NOT NULL CHECK (version >= 1),
  definition_hash TEXT NOT NULL REFERENCES definitions (hash),
  description TEXT NOT NULL,
  created INTEGER NOT NULL,
  PRIMARY KEY (state_machine_arn, version)
) WITHOUT ROWID;

CREATE TABLE executions (
  id INTEGER PRIMARY KEY,
  arn TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  state_machine_arn TEXT NOT NULL,
  definition_hash TEXT NOT NULL REFERENCES definitions (hash),
  input TEXT NOT NULL,
  options TEXT NOT NULL,
  start_date INTEGER NOT NULL,
  status TEXT NOT NULL
    CHECK (status IN ('RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED')),
  output TEXT,
  error TEXT,
  cause TEXT,
  stop_date INTEGER,
  redrive_count INTEGER NOT NULL,
  redrive_date INTEGER
);
CREATE INDEX executions_by_name ON executions (name);
CREATE INDEX executions_by_start ON executions (start_date);
CREATE INDEX executions_by_status ON executions (status, start_date);
CREATE INDEX executions_by_machine ON executions (state_machine_arn, start_date);

CREATE TABLE history_events (
  execution_id INTEGER NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
  id INTEGER NOT NULL CHECK (id >= 1),
  previous_id INTEGER NOT NULL,
  timestamp INTEGER NOT NULL,
  type TEXT NOT NULL,
  details TEXT,
  PRIMARY KEY (execution_id, id)
) WITHOUT ROWID;

CREATE TABLE pending_timers (
  execution_id INTEGER NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
  timer_id INTEGER NOT NULL,
  due INTEGER NOT NULL,
  PRIMARY KEY (execution_id, timer_id)
) WITHOUT ROWID;

CREATE TABLE pending_tasks (
  execution_id INTEGER NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
  scheduled_event_id INTEGER NOT NULL,
  resource TEXT NOT NULL,
  payload TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  PRIMARY KEY (execution_id, scheduled_event_id)
) WITHOUT ROWID;

-- The external events each execution consumed, in order (engine/journal.h): replaying them
-- rebuilds the execution exactly.
CREATE TABLE journal (
  execution_id INTEGER NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL CHECK (seq >= 1),
  entry TEXT NOT NULL,
  PRIMARY KEY (execution_id, seq)
) WITHOUT ROWID;

CREATE TABLE task_tokens (
  token TEXT PRIMARY KEY,
  execution_id INTEGER NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
  event_id INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX task_tokens_by_execution ON task_tokens (execution_id);
)sql";

// Version 2: the pipeline safety controller's data: applied pipeline configs (versioned),
// sensors, pipeline runs (the trigger locks) and pipeline events. No foreign keys to the v1
// tables: a sensor may arrive before its pipeline's config, and events and runs outlive
// executions.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE pipelines (
  id TEXT NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 1),
  source TEXT NOT NULL,
  text TEXT NOT NULL,
  config TEXT NOT NULL CHECK (json_type(config) = 'object'),
  created INTEGER NOT NULL,
  PRIMARY KEY (id, version)
) WITHOUT ROWID;

CREATE TABLE sensors (
  pipeline TEXT NOT NULL,
  key TEXT NOT NULL,
  data TEXT NOT NULL CHECK (json_type(data) = 'object'),
  written INTEGER NOT NULL,
  PRIMARY KEY (pipeline, key)
) WITHOUT ROWID;

CREATE TABLE pipeline_runs (
  pipeline TEXT NOT NULL,
  schedule TEXT NOT NULL,
  date TEXT NOT NULL,
  execution_arn TEXT,
  status TEXT NOT NULL CHECK (status IN ('RUNNING', 'COMPLETED', 'FAILED_FINAL')),
  started INTEGER NOT NULL,
  ended INTEGER,
  lock_expires INTEGER,
  PRIMARY KEY (pipeline, schedule, date)
) WITHOUT ROWID;

-- AUTOINCREMENT: an event id is never reused, even after the newest events are deleted.
CREATE TABLE pipeline_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  type TEXT NOT NULL,
  pipeline TEXT NOT NULL,
  schedule TEXT NOT NULL,
  date TEXT NOT NULL,
  time INTEGER NOT NULL,
  message TEXT NOT NULL,
  detail TEXT NOT NULL CHECK (json_type(detail) = 'object')
);
CREATE INDEX pipeline_events_by_time ON pipeline_events (time);
CREATE INDEX pipeline_events_by_pipeline ON pipeline_events (pipeline, time);
CREATE INDEX pipeline_events_by_type ON pipeline_events (type, time);
)sql";

// Version 3: activities (CreateActivity). Their tasks live in pending_tasks like any other task:
// an activity row only names the activity, and deleting it leaves scheduled tasks alone.
constexpr const char* kSchemaV3 = R"sql(
CREATE TABLE activities (
  arn TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

struct Migration {
  int version;         // user_version once this step is applied
  const char* script;  // run as one unit, inside the migration transaction
};

constexpr Migration kMigrations[] = {
    {1, kSchemaV1},
    {2, kSchemaV2},
    {3, kSchemaV3},
};

static_assert(std::size(kMigrations) == kSchemaVersion,
              "one migration step per schema version, the last one being kSchemaVersion");

Result<int> UserVersion(Db& db) {
  auto text = db.QueryText("read schema version", "PRAGMA user_version");
  if (!text.ok()) return Fail(text.error());
  return std::atoi(text->c_str());
}

Status<> CheckNotNewer(int version, const std::string& path) {
  if (version <= kSchemaVersion) return Ok{};
  return Fail("database " + path + " has schema version " + std::to_string(version) +
              ", newer than this Sluice supports (" + std::to_string(kSchemaVersion) +
              "); open it with a newer Sluice");
}

// Applies the steps after `from` up to `to`, inside the open transaction.
Status<> ApplySteps(Db& db, int from, int to) {
  for (const Migration& step : kMigrations) {
    if (step.version <= from || step.version > to) continue;
    auto applied = db.Exec("migration step", step.script);
    if (!applied.ok()) return applied;
    std::string pragma = "PRAGMA user_version = " + std::to_string(step.version);
    auto recorded = db.Exec("record schema version", pragma);
    if (!recorded.ok()) return recorded;
  }
  return Ok{};
}

// Under the write lock: another process may have migrated since the caller looked.
Status<> MigrateLocked(Db& db, const std::string& path, int target) {
  auto version = UserVersion(db);
  if (!version.ok()) return Fail(version.error());
  auto newer = CheckNotNewer(*version, path);
  if (!newer.ok()) return newer;
  auto applied = ApplySteps(db, *version, target);
  if (!applied.ok()) return applied;
  return db.Exec("commit migration", "COMMIT");
}

}  // namespace

Status<> Migrate(Db& db, const std::string& path, int target) {
  if (target <= 0 || target > kSchemaVersion) target = kSchemaVersion;
  auto version = UserVersion(db);
  if (!version.ok()) return Fail("open " + path + ": " + version.error());
  auto newer = CheckNotNewer(*version, path);
  if (!newer.ok()) return newer;
  if (*version >= target) return Ok{};
  auto migrated = db.Exec("begin migration", "BEGIN IMMEDIATE");
  if (migrated.ok()) migrated = MigrateLocked(db, path, target);
  if (migrated.ok()) return Ok{};
  db.Rollback();
  return Fail("migrate " + path + " from schema version " + std::to_string(*version) + " to " +
              std::to_string(target) + ": " + migrated.error());
}

}  // namespace sluice::engine::store_internal
