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
// needs (pending timers, pending tasks, task tokens). Sensors and pipeline runs come later, as
// steps of their own.
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

struct Migration {
  int version;         // user_version once this step is applied
  const char* script;  // run as one unit, inside the migration transaction
};

constexpr Migration kMigrations[] = {
    {1, kSchemaV1},
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

// Applies the steps after `from`, inside the open transaction.
Status<> ApplySteps(Db& db, int from) {
  for (const Migration& step : kMigrations) {
    if (step.version <= from) continue;
    auto applied = db.Exec("migration step", step.script);
    if (!applied.ok()) return applied;
    std::string pragma = "PRAGMA user_version = " + std::to_string(step.version);
    auto recorded = db.Exec("record schema version", pragma);
    if (!recorded.ok()) return recorded;
  }
  return Ok{};
}

// Under the write lock: another process may have migrated since the caller looked.
Status<> MigrateLocked(Db& db, const std::string& path) {
  auto version = UserVersion(db);
  if (!version.ok()) return Fail(version.error());
  auto newer = CheckNotNewer(*version, path);
  if (!newer.ok()) return newer;
  auto applied = ApplySteps(db, *version);
  if (!applied.ok()) return applied;
  return db.Exec("commit migration", "COMMIT");
}

}  // namespace

Status<> Migrate(Db& db, const std::string& path) {
  auto version = UserVersion(db);
  if (!version.ok()) return Fail("open " + path + ": " + version.error());
  auto newer = CheckNotNewer(*version, path);
  if (!newer.ok()) return newer;
  if (*version == kSchemaVersion) return Ok{};
  auto migrated = db.Exec("begin migration", "BEGIN IMMEDIATE");
  if (migrated.ok()) migrated = MigrateLocked(db, path);
  if (migrated.ok()) return Ok{};
  db.Rollback();
  return Fail("migrate " + path + " from schema version " + std::to_string(*version) + " to " +
              std::to_string(kSchemaVersion) + ": " + migrated.error());
}

}  // namespace sluice::engine::store_internal
