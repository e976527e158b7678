// Internals shared by the store's .cpp files: the staged write kinds, the schema migrations and
// the Store's private state. Not for use outside engine/store.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "asl/result.h"
#include "engine/store/records.h"
#include "engine/store/sqlite_internal.h"
#include "engine/store/store.h"
#include "engine/store/write_batch.h"

namespace sluice::engine {

namespace store_internal {

// One struct per kind of staged write; see WriteBatch for what each does.
struct PutDefinitionOp {
  std::string hash;
  std::string text;
};
struct PutStateMachineOp {
  StateMachineRecord record;
};
struct DeleteStateMachineOp {
  std::string arn;
};
struct PutStateMachineVersionOp {
  StateMachineVersionRecord record;
};
struct InsertExecutionOp {
  ExecutionRecord record;
};
struct UpdateExecutionOp {
  std::string arn;
  ExecutionUpdate update;
};
struct AppendEventOp {
  std::string arn;
  int64_t id = 0;
  int64_t previous_id = 0;
  int64_t timestamp_nanos = 0;
  std::string type;
  std::optional<std::string> details;  // JSON text; none when the event has no details
};
struct AddTimerOp {
  std::string arn;
  TimerRecord timer;
};
struct RemoveTimerOp {
  std::string arn;
  int64_t timer_id = 0;
};
struct AddTaskOp {
  std::string arn;
  TaskRecord task;
};
struct RemoveTaskOp {
  std::string arn;
  int64_t scheduled_event_id = 0;
};
struct AppendJournalOp {
  std::string arn;
  int64_t seq = 0;
  std::string entry;
};
struct PutTaskTokenOp {
  TaskTokenRecord record;
};
struct RemoveTaskTokenOp {
  std::string token;
};
struct AddPipelineVersionOp {
  PipelineVersionRecord record;
};
struct PutSensorOp {
  SensorRecord record;
};
struct PutPipelineRunOp {
  PipelineRunRecord record;
  // ClaimPipelineRun: write only if the row is absent or still names this execution (nullopt:
  // none); otherwise fail the commit.
  bool claim = false;
  std::optional<std::string> expected_arn;
};
struct AppendPipelineEventOp {
  PipelineEventRecord record;
};
struct PutActivityOp {
  ActivityRecord record;
};
struct DeleteActivityOp {
  std::string arn;
};

using AnyOp =
    std::variant<PutDefinitionOp, PutStateMachineOp, DeleteStateMachineOp, PutStateMachineVersionOp,
                 InsertExecutionOp, UpdateExecutionOp, AppendEventOp, AddTimerOp, RemoveTimerOp,
                 AddTaskOp, RemoveTaskOp, AppendJournalOp, PutTaskTokenOp, RemoveTaskTokenOp,
                 AddPipelineVersionOp, PutSensorOp, PutPipelineRunOp, AppendPipelineEventOp,
                 PutActivityOp, DeleteActivityOp>;

// Brings the schema of the database at `path` (already configured) up to `target` (0:
// kSchemaVersion): every missing migration step, and the new user_version, in one transaction.
// Fails, changing nothing, when the database is newer than kSchemaVersion or a step fails.
Status<> Migrate(Db& db, const std::string& path, int target);

}  // namespace store_internal

struct WriteBatch::Op {
  store_internal::AnyOp op;
};

struct Store::Impl {
  std::unique_ptr<store_internal::Db> db;
};

}  // namespace sluice::engine
