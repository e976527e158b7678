// DurableRecorder: see durable.h.
#include "engine/durable.h"

#include <nlohmann/json.hpp>

namespace sluice::engine {

DurableRecorder::DurableRecorder(Store& store, int checkpoint_every)
    : store_(store), checkpoint_every_(checkpoint_every) {}

void DurableRecorder::Prepare(const std::string& arn, std::string definition_hash,
                              std::string options_blob) {
  Tracked& t = tracked_[arn];
  t.definition_hash = std::move(definition_hash);
  t.options_blob = std::move(options_blob);
}

void DurableRecorder::StageDefinition(std::string definition_text) {
  batch_.PutDefinition(std::move(definition_text));
}

void DurableRecorder::StageStateMachine(StateMachineRecord record) {
  batch_.PutStateMachine(std::move(record));
}

void DurableRecorder::Resumed(const Executor& execution, int64_t journal_length,
                              const PendingWork& pending) {
  Tracked& t = tracked_[execution.options().execution_arn];
  t.journal_length = journal_length;
  for (const auto& c : pending.tasks) t.task_events[c.task_id] = c.scheduled_event_id;
}

void DurableRecorder::Redriven(const Executor& execution, std::string options_blob) {
  ExecutionUpdate update;
  update.status = ExecutionStatus::kRunning;
  update.redrive_count = execution.redrive_count();
  update.redrive_nanos = execution.redrive_time();
  if (!options_blob.empty()) update.options = std::move(options_blob);
  batch_.UpdateExecution(execution.options().execution_arn, std::move(update));
}

void DurableRecorder::OnStart(const Executor& execution, const Json& input) {
  const ExecutionOptions& o = execution.options();
  Tracked& t = tracked_[o.execution_arn];
  ExecutionRecord record =
      NewExecutionRecord(o, t.definition_hash, input.dump(), execution.start_time());
  if (!t.options_blob.empty()) record.options = t.options_blob;
  batch_.InsertExecution(std::move(record));
}

void DurableRecorder::OnEntry(const Executor& execution, const JournalEntry& entry) {
  const std::string& arn = execution.options().execution_arn;
  Tracked& t = tracked_[arn];
  batch_.AppendJournal(arn, ++t.journal_length, EncodeJournalEntry(entry));
  if (entry.kind == JournalEntry::Kind::kTimer) {
    batch_.RemoveTimer(arn, static_cast<int64_t>(entry.id));
  } else if (entry.kind == JournalEntry::Kind::kTaskSucceeded ||
             entry.kind == JournalEntry::Kind::kTaskFailed) {
    auto it = t.task_events.find(entry.id);
    if (it != t.task_events.end()) {
      batch_.RemoveTask(arn, it->second);
      t.task_events.erase(it);
    }
  }
}

void DurableRecorder::OnProgress(const Executor& execution, size_t first_event,
                                 const Commands& commands) {
  const std::string& arn = execution.options().execution_arn;
  const auto& history = execution.history();
  for (size_t i = first_event; i < history.size(); ++i) batch_.AppendEvent(arn, history[i]);
  Tracked& t = tracked_[arn];
  for (const auto& c : commands) {
    switch (c.kind) {
      case Command::Kind::kScheduleTask:
        t.task_events[c.task_id] = c.scheduled_event_id;
        batch_.AddTask(arn, c.scheduled_event_id, c.resource,
                       c.payload ? c.payload->dump() : "null");
        break;
      case Command::Kind::kCancelTask: {
        auto it = t.task_events.find(c.task_id);
        if (it != t.task_events.end()) {
          batch_.RemoveTask(arn, it->second);
          t.task_events.erase(it);
        }
        break;
      }
      case Command::Kind::kStartTimer:
        batch_.AddTimer(arn, static_cast<int64_t>(c.timer_id), c.due_nanos);
        break;
      case Command::Kind::kCancelTimer:
        batch_.RemoveTimer(arn, static_cast<int64_t>(c.timer_id));
        break;
    }
  }
}

void DurableRecorder::OnEnd(const Executor& execution) {
  const ExecutionOptions& o = execution.options();
  ExecutionUpdate update;
  update.status = execution.status();
  if (update.status == ExecutionStatus::kSucceeded) {
    update.output = execution.output().dump();
  } else {
    const asl::AslError& e = execution.error();
    if (!e.error.empty()) update.error = e.error;
    if (e.has_cause) update.cause = e.cause;
  }
  const auto& history = execution.history();
  update.stop_nanos = history.empty() ? execution.start_time() : history.back().timestamp_nanos;
  update.redrive_count = execution.redrive_count();
  if (execution.redrive_time() != 0) update.redrive_nanos = execution.redrive_time();
  batch_.UpdateExecution(o.execution_arn, std::move(update));
  // A task still running when the execution ended (Stop, timeout) is no longer pending.
  Tracked& t = tracked_[o.execution_arn];
  for (const auto& [task, event] : t.task_events) batch_.RemoveTask(o.execution_arn, event);
  tracked_.erase(o.execution_arn);
}

Status<> DurableRecorder::Commit() {
  if (batch_.empty()) return Ok{};
  auto committed = store_.Commit(batch_);
  batch_.Clear();
  if (!committed.ok()) return committed;
  ++commits_;
  if (checkpoint_every_ > 0 && commits_ % checkpoint_every_ == 0) {
    auto checkpoint = store_.Checkpoint();
    if (!checkpoint.ok()) return Fail(checkpoint.error());
  }
  return Ok{};
}

}  // namespace sluice::engine
