// Store::Commit: a WriteBatch applied in one transaction, each staged write by one cached
// statement. Invariants:
//   1. Every write of a batch runs between one BEGIN IMMEDIATE and one COMMIT.
//   2. When any step fails (including BEGIN and COMMIT), the transaction is rolled back, so the
//      database holds exactly what it held before Commit was called.
//   3. No statement is ever prepared twice: the hot path binds and steps cached statements.
#include <string>
#include <unordered_map>
#include <utility>

#include "engine/store/store.h"
#include "engine/store/store_internal.h"

namespace sluice::engine {

namespace store_internal {

namespace {

// ARN → executions.id, resolved at most once per ARN per commit. Lives for one transaction
// only, so a rolled-back insert can never leave a stale id behind.
class ExecutionIds {
 public:
  explicit ExecutionIds(Db& db) : db_(db) {}

  Result<int64_t> Get(const std::string& arn) {
    auto it = ids_.find(arn);
    if (it != ids_.end()) return it->second;
    auto stmt = db_.Prepare("find execution", "SELECT id FROM executions WHERE arn = ?1");
    if (!stmt.ok()) return Fail(stmt.error());
    auto row = stmt->Bind(1, arn).Step();
    if (!row.ok()) return Fail(row.error());
    if (!*row) return Fail(std::string("no such execution"));
    ids_.emplace(arn, stmt->Int(0));
    return stmt->Int(0);
  }

  void Add(const std::string& arn, int64_t id) { ids_[arn] = id; }

 private:
  Db& db_;
  std::unordered_map<std::string, int64_t> ids_;
};

// Binds the mutable execution columns (ExecutionRecord or ExecutionUpdate) from `first` on:
// status, output, error, cause, stop_date, redrive_count, redrive_date.
template <typename T>
void BindProgress(Stmt& stmt, int first, const T& r) {
  stmt.Bind(first, ExecutionStatusName(r.status))
      .Bind(first + 1, r.output)
      .Bind(first + 2, r.error)
      .Bind(first + 3, r.cause)
      .Bind(first + 4, r.stop_nanos)
      .Bind(first + 5, r.redrive_count)
      .Bind(first + 6, r.redrive_nanos);
}

// Prepares `sql`, lets `bind` fill it in, and runs it.
template <typename BindFn>
Status<> Write(Db& db, const char* what, const char* sql, BindFn bind) {
  auto stmt = db.Prepare(what, sql);
  if (!stmt.ok()) return Fail(stmt.error());
  bind(*stmt);
  return stmt->Run();
}

// Like Write, for a statement about one execution: `bind` also receives its id.
template <typename BindFn>
Status<> WriteFor(Db& db, ExecutionIds& ids, const std::string& arn, const char* what,
                  const char* sql, BindFn bind) {
  auto id = ids.Get(arn);
  if (!id.ok()) return Fail(std::string(what) + ": " + id.error());
  return Write(db, what, sql, [&](Stmt& stmt) { bind(stmt, *id); });
}

Status<> Apply(Db& db, ExecutionIds&, const PutDefinitionOp& op) {
  return Write(db, "store definition",
               "INSERT INTO definitions (hash, text) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
               [&](Stmt& s) { s.Bind(1, op.hash).Bind(2, op.text); });
}

Status<> Apply(Db& db, ExecutionIds&, const PutStateMachineOp& op) {
  const StateMachineRecord& r = op.record;
  return Write(db, "store state machine",
               "INSERT INTO state_machines"
               " (arn, name, type, definition_hash, role_arn, created, updated)"
               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (arn) DO UPDATE SET"
               " type = excluded.type, definition_hash = excluded.definition_hash,"
               " role_arn = excluded.role_arn, updated = excluded.updated",
               [&](Stmt& s) {
                 s.Bind(1, r.arn).Bind(2, r.name).Bind(3, StateMachineTypeName(r.type));
                 s.Bind(4, r.definition_hash).Bind(5, r.role_arn);
                 s.Bind(6, r.created_nanos).Bind(7, r.updated_nanos);
               });
}

Status<> Apply(Db& db, ExecutionIds&, const DeleteStateMachineOp& op) {
  return Write(db, "delete state machine", "DELETE FROM state_machines WHERE arn = ?1",
               [&](Stmt& s) { s.Bind(1, op.arn); });
}

Status<> Apply(Db& db, ExecutionIds&, const PutStateMachineVersionOp& op) {
  const StateMachineVersionRecord& r = op.record;
  return Write(db, "store state machine version",
               "INSERT INTO state_machine_versions"
               " (state_machine_arn, version, definition_hash, description, created)"
               " VALUES (?1, ?2, ?3, ?4, ?5)",
               [&](Stmt& s) {
                 s.Bind(1, r.state_machine_arn).Bind(2, r.version).Bind(3, r.definition_hash);
                 s.Bind(4, r.description).Bind(5, r.created_nanos);
               });
}

Status<> Apply(Db& db, ExecutionIds& ids, const InsertExecutionOp& op) {
  const ExecutionRecord& r = op.record;
  auto inserted = Write(db, "insert execution",
                        "INSERT INTO executions (arn, name, state_machine_arn, definition_hash,"
                        " input, options, start_date, status, output, error, cause, stop_date,"
                        " redrive_count, redrive_date)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                        [&](Stmt& s) {
                          s.Bind(1, r.arn).Bind(2, r.name).Bind(3, r.state_machine_arn);
                          s.Bind(4, r.definition_hash).Bind(5, r.input).Bind(6, r.options);
                          s.Bind(7, r.start_nanos);
                          BindProgress(s, 8, r);
                        });
  if (inserted.ok()) ids.Add(r.arn, sqlite3_last_insert_rowid(db.handle()));
  return inserted;
}

Status<> Apply(Db& db, ExecutionIds& ids, const UpdateExecutionOp& op) {
  return WriteFor(db, ids, op.arn, "update execution",
                  "UPDATE executions SET status = ?2, output = ?3, error = ?4, cause = ?5,"
                  " stop_date = ?6, redrive_count = ?7, redrive_date = ?8,"
                  " options = COALESCE(?9, options) WHERE id = ?1",
                  [&](Stmt& s, int64_t id) {
                    s.Bind(1, id);
                    BindProgress(s, 2, op.update);
                    s.Bind(9, op.update.options);
                  });
}

Status<> Apply(Db& db, ExecutionIds& ids, const AppendEventOp& op) {
  return WriteFor(db, ids, op.arn, "append event",
                  "INSERT INTO history_events"
                  " (execution_id, id, previous_id, timestamp, type, details)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                  [&](Stmt& s, int64_t id) {
                    s.Bind(1, id).Bind(2, op.id).Bind(3, op.previous_id);
                    s.Bind(4, op.timestamp_nanos).Bind(5, op.type).Bind(6, op.details);
                  });
}

Status<> Apply(Db& db, ExecutionIds& ids, const AddTimerOp& op) {
  return WriteFor(db, ids, op.arn, "add timer",
                  "INSERT INTO pending_timers (execution_id, timer_id, due) VALUES (?1, ?2, ?3)",
                  [&](Stmt& s, int64_t id) {
                    s.Bind(1, id).Bind(2, op.timer.timer_id).Bind(3, op.timer.due_nanos);
                  });
}

Status<> Apply(Db& db, ExecutionIds& ids, const RemoveTimerOp& op) {
  return WriteFor(db, ids, op.arn, "remove timer",
                  "DELETE FROM pending_timers WHERE execution_id = ?1 AND timer_id = ?2",
                  [&](Stmt& s, int64_t id) { s.Bind(1, id).Bind(2, op.timer_id); });
}

Status<> Apply(Db& db, ExecutionIds& ids, const AddTaskOp& op) {
  const TaskRecord& t = op.task;
  return WriteFor(db, ids, op.arn, "add task",
                  "INSERT INTO pending_tasks"
                  " (execution_id, scheduled_event_id, resource, payload, idempotency_key)"
                  " VALUES (?1, ?2, ?3, ?4, ?5)",
                  [&](Stmt& s, int64_t id) {
                    s.Bind(1, id).Bind(2, t.scheduled_event_id).Bind(3, t.resource);
                    s.Bind(4, t.payload).Bind(5, t.idempotency_key);
                  });
}

Status<> Apply(Db& db, ExecutionIds& ids, const RemoveTaskOp& op) {
  return WriteFor(db, ids, op.arn, "remove task",
                  "DELETE FROM pending_tasks WHERE execution_id = ?1 AND scheduled_event_id = ?2",
                  [&](Stmt& s, int64_t id) { s.Bind(1, id).Bind(2, op.scheduled_event_id); });
}

Status<> Apply(Db& db, ExecutionIds& ids, const AppendJournalOp& op) {
  return WriteFor(db, ids, op.arn, "append journal entry",
                  "INSERT INTO journal (execution_id, seq, entry) VALUES (?1, ?2, ?3)",
                  [&](Stmt& s, int64_t id) { s.Bind(1, id).Bind(2, op.seq).Bind(3, op.entry); });
}

Status<> Apply(Db& db, ExecutionIds& ids, const PutTaskTokenOp& op) {
  const TaskTokenRecord& r = op.record;
  return WriteFor(db, ids, r.execution_arn, "store task token",
                  "INSERT INTO task_tokens (token, execution_id, event_id) VALUES (?1, ?2, ?3)",
                  [&](Stmt& s, int64_t id) { s.Bind(1, r.token).Bind(2, id).Bind(3, r.event_id); });
}

Status<> Apply(Db& db, ExecutionIds&, const RemoveTaskTokenOp& op) {
  return Write(db, "remove task token", "DELETE FROM task_tokens WHERE token = ?1",
               [&](Stmt& s) { s.Bind(1, op.token); });
}

// The SELECT yields no row, so nothing is inserted, when the latest version has the same text
// (IS NOT: true when there is no version yet); the new version is the latest + 1.
Status<> Apply(Db& db, ExecutionIds&, const AddPipelineVersionOp& op) {
  const PipelineVersionRecord& r = op.record;
  return Write(db, "store pipeline version",
               "INSERT INTO pipelines (id, version, source, text, config, created)"
               " SELECT ?1, (SELECT coalesce(max(version), 0) + 1 FROM pipelines WHERE id = ?1),"
               " ?2, ?3, ?4, ?5"
               " WHERE (SELECT text FROM pipelines WHERE id = ?1 ORDER BY version DESC LIMIT 1)"
               " IS NOT ?3",
               [&](Stmt& s) {
                 s.Bind(1, r.id).Bind(2, r.source).Bind(3, r.text).Bind(4, r.config);
                 s.Bind(5, r.created_nanos);
               });
}

Status<> Apply(Db& db, ExecutionIds&, const PutSensorOp& op) {
  const SensorRecord& r = op.record;
  return Write(db, "store sensor",
               "INSERT OR REPLACE INTO sensors (pipeline, key, data, written)"
               " VALUES (?1, ?2, ?3, ?4)",
               [&](Stmt& s) {
                 s.Bind(1, r.pipeline).Bind(2, r.key).Bind(3, r.data).Bind(4, r.written_nanos);
               });
}

Status<> Apply(Db& db, ExecutionIds&, const PutPipelineRunOp& op) {
  const PipelineRunRecord& r = op.record;
  // An upsert of every field; a claim updates only a row that still names the expected run.
  static const std::string kUpsert =
      "INSERT INTO pipeline_runs (pipeline, schedule, date, execution_arn, status, started,"
      " ended, lock_expires) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
      " ON CONFLICT (pipeline, schedule, date) DO UPDATE SET"
      " execution_arn = excluded.execution_arn, status = excluded.status,"
      " started = excluded.started, ended = excluded.ended, lock_expires = excluded.lock_expires";
  static const std::string kClaim = kUpsert + " WHERE pipeline_runs.execution_arn IS ?9";
  auto written = Write(db, op.claim ? "claim pipeline run" : "store pipeline run",
                       (op.claim ? kClaim : kUpsert).c_str(), [&](Stmt& s) {
                         s.Bind(1, r.pipeline).Bind(2, r.schedule).Bind(3, r.date);
                         s.Bind(4, r.execution_arn).Bind(5, PipelineRunStatusName(r.status));
                         s.Bind(6, r.started_nanos).Bind(7, r.ended_nanos);
                         s.Bind(8, r.lock_expires_nanos);
                         if (op.claim) s.Bind(9, op.expected_arn);
                       });
  if (!written.ok()) return written;
  if (op.claim && sqlite3_changes(db.handle()) == 0) {
    return Fail("pipeline run " + r.pipeline + "/" + r.schedule + "/" + r.date +
                " was claimed by another process");
  }
  return Ok{};
}

Status<> Apply(Db& db, ExecutionIds&, const AppendPipelineEventOp& op) {
  const PipelineEventRecord& r = op.record;
  return Write(db, "append pipeline event",
               "INSERT INTO pipeline_events (type, pipeline, schedule, date, time, message, detail)"
               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
               [&](Stmt& s) {
                 s.Bind(1, r.type).Bind(2, r.pipeline).Bind(3, r.schedule).Bind(4, r.date);
                 s.Bind(5, r.time_nanos).Bind(6, r.message).Bind(7, r.detail);
               });
}

Status<> Apply(Db& db, ExecutionIds&, const PutActivityOp& op) {
  const ActivityRecord& r = op.record;
  return Write(db, "store activity",
               "INSERT INTO activities (arn, name, created) VALUES (?1, ?2, ?3)"
               " ON CONFLICT (arn) DO NOTHING",
               [&](Stmt& s) { s.Bind(1, r.arn).Bind(2, r.name).Bind(3, r.created_nanos); });
}

Status<> Apply(Db& db, ExecutionIds&, const DeleteActivityOp& op) {
  return Write(db, "delete activity", "DELETE FROM activities WHERE arn = ?1",
               [&](Stmt& s) { s.Bind(1, op.arn); });
}

// What a failed write was about, for the error message.
std::string Describe(const PutDefinitionOp& op) { return "definition " + op.hash; }
std::string Describe(const PutStateMachineOp& op) { return "state machine " + op.record.arn; }
std::string Describe(const DeleteStateMachineOp& op) { return "state machine " + op.arn; }
std::string Describe(const PutStateMachineVersionOp& op) {
  return "version " + std::to_string(op.record.version) + " of " + op.record.state_machine_arn;
}
std::string Describe(const InsertExecutionOp& op) { return "execution " + op.record.arn; }
std::string Describe(const UpdateExecutionOp& op) { return "execution " + op.arn; }
std::string Describe(const AppendEventOp& op) {
  return "event " + std::to_string(op.id) + " of " + op.arn;
}
std::string Describe(const AddTimerOp& op) {
  return "timer " + std::to_string(op.timer.timer_id) + " of " + op.arn;
}
std::string Describe(const RemoveTimerOp& op) {
  return "timer " + std::to_string(op.timer_id) + " of " + op.arn;
}
std::string Describe(const AddTaskOp& op) {
  return "task " + std::to_string(op.task.scheduled_event_id) + " of " + op.arn;
}
std::string Describe(const RemoveTaskOp& op) {
  return "task " + std::to_string(op.scheduled_event_id) + " of " + op.arn;
}
std::string Describe(const AppendJournalOp& op) {
  return "journal entry " + std::to_string(op.seq) + " of " + op.arn;
}
std::string Describe(const PutTaskTokenOp& op) {
  return "task token of " + op.record.execution_arn;
}
std::string Describe(const RemoveTaskTokenOp&) { return "task token"; }
std::string Describe(const AddPipelineVersionOp& op) { return "pipeline " + op.record.id; }
std::string Describe(const PutSensorOp& op) {
  return "sensor " + op.record.key + " of pipeline " + op.record.pipeline;
}
std::string Describe(const PutPipelineRunOp& op) {
  const PipelineRunRecord& r = op.record;
  return "run " + r.schedule + " " + r.date + " of pipeline " + r.pipeline;
}
std::string Describe(const AppendPipelineEventOp& op) {
  return op.record.type + " event of pipeline " + op.record.pipeline;
}

std::string Describe(const PutActivityOp& op) { return "activity " + op.record.arn; }
std::string Describe(const DeleteActivityOp& op) { return "activity " + op.arn; }

Status<> ApplyOp(Db& db, ExecutionIds& ids, const AnyOp& any) {
  return std::visit(
      [&](const auto& op) -> Status<> {
        auto applied = Apply(db, ids, op);
        if (applied.ok()) return applied;
        return Fail(applied.error() + " (" + Describe(op) + ")");
      },
      any);
}

Status<> RunCached(Db& db, const char* what, const char* sql) {
  auto stmt = db.Prepare(what, sql);
  if (!stmt.ok()) return Fail(stmt.error());
  return stmt->Run();
}

// Invariant 1: the whole batch between BEGIN IMMEDIATE and COMMIT.
Status<> ApplyBatch(Db& db, const std::vector<WriteBatch::Op>& ops) {
  auto begun = RunCached(db, "begin", "BEGIN IMMEDIATE");
  if (!begun.ok()) return begun;
  ExecutionIds ids(db);
  for (const auto& op : ops) {
    auto applied = ApplyOp(db, ids, op.op);
    if (!applied.ok()) return applied;
  }
  return RunCached(db, "commit", "COMMIT");
}

}  // namespace

}  // namespace store_internal

Status<> Store::Commit(const WriteBatch& batch) {
  if (batch.empty()) return Ok{};
  store_internal::Db& db = *impl_->db;
  auto committed = store_internal::ApplyBatch(db, batch.ops_);
  if (committed.ok()) return committed;
  db.Rollback();  // invariant 2
  return Fail("commit: " + committed.error());
}

}  // namespace sluice::engine
