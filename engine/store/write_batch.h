// WriteBatch: writes staged for one Store::Commit, the unit of group commit.
//
// The runtime stages the writes of every execution that moved during one turn of the loop (new
// history events, status changes, timers and tasks added or removed, task tokens) and commits
// them together: one transaction, one WAL sync in Durability::kFull. Writes apply in the order
// they were staged, so a batch may insert an execution and then append its first events.
//
// Executions are named by ARN; the store resolves each ARN once per commit. Staging never fails
// and never touches the database: every check (unknown execution, duplicate event id, missing
// definition) happens at Commit, which then applies nothing.
//
// Thread rule: a plain value; use from one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/history.h"
#include "engine/store/records.h"

namespace sluice::engine {

class WriteBatch {
 public:
  WriteBatch();
  ~WriteBatch();
  WriteBatch(WriteBatch&&) noexcept;
  WriteBatch& operator=(WriteBatch&&) noexcept;
  WriteBatch(const WriteBatch&) = delete;
  WriteBatch& operator=(const WriteBatch&) = delete;

  // Stores a definition under its content hash (a no-op if already stored); returns the hash.
  std::string PutDefinition(std::string definition_text);

  // Inserts the state machine, or updates type, definition, role and updated date of the one
  // with the same ARN (created date kept).
  void PutStateMachine(StateMachineRecord record);
  // Deletes the state machine and its versions; its executions stay. No-op when absent.
  void DeleteStateMachine(std::string arn);
  // Inserts a version; committing a (machine, version) that exists fails.
  void PutStateMachineVersion(StateMachineVersionRecord record);

  // Inserts the activity; one with the same ARN is left as it is (CreateActivity is
  // idempotent). Committing a name another ARN has fails.
  void PutActivity(ActivityRecord record);
  // Deletes the activity. No-op when absent.
  void DeleteActivity(std::string arn);

  // Inserts a new execution; committing an ARN that exists fails.
  void InsertExecution(ExecutionRecord record);
  // Overwrites the mutable fields of an existing execution.
  void UpdateExecution(std::string execution_arn, ExecutionUpdate update);

  // Appends a history event; committing an event id the execution already has fails (event ids
  // are never reused). The details are copied as the JSON text the event carries.
  void AppendEvent(const std::string& execution_arn, const HistoryEvent& event);

  void AddTimer(std::string execution_arn, int64_t timer_id, int64_t due_nanos);
  void RemoveTimer(std::string execution_arn, int64_t timer_id);  // no-op when absent

  // Records a scheduled task whose result is not yet in history, keyed by its scheduled event.
  // `payload` is JSON text. The idempotency key is derived (IdempotencyKey).
  void AddTask(std::string execution_arn, int64_t scheduled_event_id, std::string resource,
               std::string payload);
  void RemoveTask(std::string execution_arn, int64_t scheduled_event_id);  // no-op when absent

  // Appends the execution's journal entry number `seq` (from 1, contiguous; engine/journal.h),
  // as text. Committing a seq the execution already has fails.
  void AppendJournal(std::string execution_arn, int64_t seq, std::string entry);

  void PutTaskToken(TaskTokenRecord record);  // committing a token that exists fails
  void RemoveTaskToken(std::string token);    // no-op when absent

  // Stores `record` as the next version of pipeline `record.id` (record.version is ignored: the
  // number is assigned at commit, 1 for a new pipeline) unless the pipeline's latest version
  // has exactly the same text, in which case nothing is written. Deciding at commit makes two
  // processes applying the same file store one version.
  void AddPipelineVersion(PipelineVersionRecord record);

  // Inserts or replaces the sensor (pipeline, key). Committing data that is not a JSON object
  // fails.
  void PutSensor(SensorRecord record);

  // Inserts or replaces the run (pipeline, schedule, date), every field at once.
  void PutPipelineRun(PipelineRunRecord record);
  // Compare-and-set for a run's claim: writes `record` only if the run has no row yet, or its
  // row still names `expected_arn` (the execution the caller read; nullopt: none). Otherwise
  // the whole commit fails with "pipeline run P/S/D was claimed by another process", so two
  // processes racing for one run cannot both win.
  void ClaimPipelineRun(PipelineRunRecord record, std::optional<std::string> expected_arn);

  // Appends a pipeline event (record.id is ignored: ids are assigned at commit, increasing).
  // Committing a detail that is not a JSON object fails.
  void AppendPipelineEvent(PipelineEventRecord record);

  size_t size() const;  // staged writes
  bool empty() const { return size() == 0; }
  void Clear();

  struct Op;  // one staged write; defined in store_internal.h

 private:
  friend class Store;
  std::vector<Op> ops_;
};

}  // namespace sluice::engine
