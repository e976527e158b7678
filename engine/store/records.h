// Records: the rows of Sluice's SQLite store, as plain values.
//
// Every id and timestamp is an int64 (timestamps in nanoseconds since the Unix epoch). JSON
// values (definitions, inputs, outputs, task payloads, execution options) travel as JSON text,
// exactly as stored: callers dump before writing and parse after reading. History events are
// read and written as engine::HistoryEvent, whose details are JSON text too: the store writes
// them as they are and checks, when reading, that they are valid JSON. docs/storage.md
// describes every table and column.
//
// Thread rule: plain values; no shared state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "asl/result.h"
#include "engine/executor.h"

namespace sluice::engine {

enum class StateMachineType {
  kStandard,  // "STANDARD": durable, exactly-once steps, may be redriven
  kExpress,   // "EXPRESS": at-least-once, not redrivable
};

const char* StateMachineTypeName(StateMachineType type);  // "STANDARD" or "EXPRESS"
Result<StateMachineType> ParseStateMachineType(std::string_view name);
Result<ExecutionStatus> ParseExecutionStatus(std::string_view name);  // "RUNNING", …

// The content address of a definition: lowercase hex SHA-256 of its exact text (64 characters).
std::string DefinitionHash(std::string_view definition_text);

// The idempotency key of the task scheduled by event `scheduled_event_id`: "<arn>:<id>". Stable
// across restarts, so a handler can recognise a task dispatched again after recovery.
std::string IdempotencyKey(std::string_view execution_arn, int64_t scheduled_event_id);

// A row of state_machines: the current definition of a named machine.
struct StateMachineRecord {
  std::string arn;
  std::string name;
  StateMachineType type = StateMachineType::kStandard;
  std::string definition_hash;  // a row of definitions
  std::string role_arn;
  int64_t created_nanos = 0;
  int64_t updated_nanos = 0;  // equals created_nanos until the first update
};

// A row of state_machine_versions: an immutable published version (AWS
// PublishStateMachineVersion). Versions count from 1 per machine and are never reused.
struct StateMachineVersionRecord {
  std::string state_machine_arn;
  int64_t version = 0;
  std::string definition_hash;
  std::string description;
  int64_t created_nanos = 0;
};

// A row of activities (schema version 3): an activity created by CreateActivity. Its workers
// take the tasks of Task states whose Resource is its ARN (GetActivityTask).
struct ActivityRecord {
  std::string arn;  // arn:aws:states:local:123456789012:activity:NAME
  std::string name;
  int64_t created_nanos = 0;
};

// A row of executions. Identity fields are fixed at insertion; the rest is ExecutionUpdate.
struct ExecutionRecord {
  std::string arn;
  std::string name;
  std::string state_machine_arn;
  std::string definition_hash;  // the exact definition it runs (a row of definitions)
  std::string input;            // JSON text
  std::string options;          // JSON text; see EncodeExecutionOptions
  int64_t start_nanos = 0;
  ExecutionStatus status = ExecutionStatus::kRunning;
  std::optional<std::string> output;  // JSON text; when SUCCEEDED
  std::optional<std::string> error;   // when FAILED, TIMED_OUT or ABORTED, if the run set one
  std::optional<std::string> cause;
  std::optional<int64_t> stop_nanos;  // once the execution has ended
  int64_t redrive_count = 0;
  std::optional<int64_t> redrive_nanos;  // the last redrive
};

// The mutable part of an execution: what UpdateExecution overwrites, every field at once.
struct ExecutionUpdate {
  ExecutionStatus status = ExecutionStatus::kRunning;
  std::optional<std::string> output;
  std::optional<std::string> error;
  std::optional<std::string> cause;
  std::optional<int64_t> stop_nanos;
  int64_t redrive_count = 0;
  std::optional<int64_t> redrive_nanos;
  // When set, replaces the options blob (a redrive with other task handlers); else it is kept.
  std::optional<std::string> options;
};

// A row of pending_timers: the executor's timer `timer_id` is due at `due_nanos`.
struct TimerRecord {
  int64_t timer_id = 0;
  int64_t due_nanos = 0;
};

// A row of pending_tasks: a task whose result is not yet recorded in history.
struct TaskRecord {
  int64_t scheduled_event_id = 0;  // the TaskScheduled (or LambdaFunctionScheduled) event
  std::string resource;
  std::string payload;          // JSON text
  std::string idempotency_key;  // IdempotencyKey(execution arn, scheduled_event_id)
};

// A row of task_tokens: a callback token handed out for `.waitForTaskToken`.
struct TaskTokenRecord {
  std::string token;
  std::string execution_arn;
  int64_t event_id = 0;  // the event that scheduled the waiting task
};

// An execution still RUNNING, with everything recovery needs besides its history.
struct UnfinishedExecution {
  ExecutionRecord execution;
  std::vector<TimerRecord> timers;  // ordered by timer_id
  std::vector<TaskRecord> tasks;    // ordered by scheduled_event_id
};

// A row of pipelines: one applied version of a pipeline config. Versions count from 1 per
// pipeline and are never reused; a row is never changed.
struct PipelineVersionRecord {
  std::string id;       // pipeline.id
  int64_t version = 0;  // assigned at commit (WriteBatch::AddPipelineVersion)
  std::string source;   // the file it was applied from, as named then
  std::string text;     // that file's text, byte for byte (YAML or JSON)
  std::string config;   // the parsed document, JSON text
  int64_t created_nanos = 0;
};

// A row of sensors: the latest data written under (pipeline, key).
struct SensorRecord {
  std::string pipeline;
  std::string key;
  std::string data;  // JSON text of an object
  int64_t written_nanos = 0;
};

// The state of one pipeline run, i.e. of its trigger lock (Interlock's TRIGGER# row).
enum class PipelineRunStatus {
  kRunning,      // "RUNNING": triggered and not finished; holds the lock until lock_expires
  kCompleted,    // "COMPLETED": the job succeeded
  kFailedFinal,  // "FAILED_FINAL": failed with no retries left, or its trigger window closed
};

const char* PipelineRunStatusName(PipelineRunStatus status);
Result<PipelineRunStatus> ParsePipelineRunStatus(std::string_view name);

// A row of pipeline_runs: one run per (pipeline, schedule, execution date).
struct PipelineRunRecord {
  std::string pipeline;
  std::string schedule;  // the schedule id: "cron" or "stream"
  std::string date;      // the execution date, "YYYY-MM-DD" or hourly "YYYY-MM-DDTHH"
  std::optional<std::string> execution_arn;  // once an execution is started
  PipelineRunStatus status = PipelineRunStatus::kRunning;
  int64_t started_nanos = 0;
  std::optional<int64_t> ended_nanos;         // once COMPLETED or FAILED_FINAL
  std::optional<int64_t> lock_expires_nanos;  // while RUNNING: when the lock may be taken over
};

// A row of pipeline_events: one lifecycle fact (docs/pipelines.md lists the types).
struct PipelineEventRecord {
  int64_t id = 0;        // assigned at commit, increasing, never reused
  std::string type;      // e.g. "JOB_TRIGGERED"
  std::string pipeline;  // "" for events about no pipeline (WATCHDOG_DEGRADED)
  std::string schedule;  // "" when not about a schedule
  std::string date;      // "" when not about an execution date
  int64_t time_nanos = 0;
  std::string message;  // one human-readable sentence; may be ""
  std::string detail;   // JSON text of an object (event-specific fields; "{}" for none)
};

// A new RUNNING execution row for `options` (arn, name, state machine arn and redrive count
// come from it; the rest of it is encoded into `options`).
ExecutionRecord NewExecutionRecord(const ExecutionOptions& options, std::string definition_hash,
                                   std::string input, int64_t start_nanos);

// The executions.options blob: {"stateMachineName", "roleArn", "seed", "maxPayloadBytes",
// "express"}. Names, ARNs and the redrive count are columns of their own and not repeated.
std::string EncodeExecutionOptions(const ExecutionOptions& options);

// The ExecutionOptions of a stored execution: the columns plus the decoded blob. A key missing
// from the blob keeps ExecutionOptions' default (blobs written before the key existed); a key
// of the wrong type, or a blob that is not a JSON object, is an error.
Result<ExecutionOptions> DecodeExecutionOptions(const ExecutionRecord& record);

}  // namespace sluice::engine
