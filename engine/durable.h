// DurableRecorder: records every execution of a runtime in a Store, with group commit.
//
// As a RuntimeListener it sees each new execution, each external event delivered (journal
// entries), each batch of history events with the commands that came with them, and each end.
// It stages the matching writes in one WriteBatch (the execution row, history events, journal
// entries, pending timers and tasks, the final status) and Commit() applies the batch in one
// transaction. The runtime acts on commands only after that commit, so:
//   - a task's TaskScheduled event and pending-task row are durable before the task starts;
//   - a timer's due time is durable before the wait begins;
//   - a result or timer firing is durable (journal) together with everything it caused.
// After a crash, Recover (service.h) rebuilds each RUNNING execution from its journal.
//
// Thread rule: the runtime's loop thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "engine/runtime.h"
#include "engine/store/store.h"

namespace sluice::engine {

class DurableRecorder : public RuntimeListener {
 public:
  // Checkpoints the WAL every `checkpoint_every` commits (0: never; the caller checkpoints).
  explicit DurableRecorder(Store& store, int checkpoint_every = 256);

  // What OnStart writes for the execution `arn` besides what the executor knows: the definition
  // hash (the definition must be in the store or staged in the same batch) and the options blob
  // (EncodeExecutionOptions, possibly extended by the caller).
  void Prepare(const std::string& arn, std::string definition_hash, std::string options_blob);
  // Stages a definition in the next commit.
  void StageDefinition(std::string definition_text);
  void StageStateMachine(StateMachineRecord record);

  // Continues recording an execution rebuilt from `journal_length` entries whose pending work
  // is `pending` (recovery): no new row, the journal goes on from there.
  void Resumed(const Executor& execution, int64_t journal_length, const PendingWork& pending);

  // Stages the row of an execution just redriven (Executor::Redrive, delivered and reported
  // like any journal entry): RUNNING again, with its redrive count and date, and `options_blob`
  // as its options when not empty (a redrive with other task handlers).
  void Redriven(const Executor& execution, std::string options_blob);

  void OnStart(const Executor& execution, const Json& input) override;
  void OnEntry(const Executor& execution, const JournalEntry& entry) override;
  void OnProgress(const Executor& execution, size_t first_event, const Commands& commands) override;
  void OnEnd(const Executor& execution) override;
  Status<> Commit() override;

  int64_t commits() const { return commits_; }

 private:
  struct Tracked {
    int64_t journal_length = 0;
    std::map<uint64_t, int64_t> task_events;  // task id -> scheduled event id
    std::string definition_hash;
    std::string options_blob;
  };

  Store& store_;
  int checkpoint_every_;
  int64_t commits_ = 0;
  WriteBatch batch_;
  std::map<std::string, Tracked> tracked_;  // by execution ARN
};

}  // namespace sluice::engine
