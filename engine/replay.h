// Replay: re-executes a recorded execution from its journal and checks that it reproduces the
// recorded history — the engine of `sluice replay` (docs/replay.md).
//
// The executor is a deterministic step function, and the journal holds every external event the
// execution consumed (task results, timer firings, stops), each with the time it was delivered
// (engine/journal.h). Replay feeds them back to a fresh executor — Start(input, start time), then
// every entry through Deliver — so no task runs, no timer waits, and clock reads and random
// values come out as recorded. After each step it compares the events the executor appended
// with the recorded ones (HistoryEventToJson equality) and stops at the first difference.
//
// Under a changed definition (ReplayRequest::definition_text) the same journal is fed to the new
// machine, so the first difference is the first event where the new definition diverges from
// the recorded run.
//
// Replay only reads the database. OpenStoreForReplay opens one so that any write would fail.
//
// Thread rule: plain values and functions; a Store is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "asl/result.h"
#include "engine/executor.h"
#include "engine/history.h"
#include "engine/journal.h"
#include "engine/runtime.h"
#include "engine/store/store.h"

namespace sluice::engine {

struct ReplayRequest {
  std::string reference;  // the execution: ARN, name or unique prefix (Store::ResolveExecution)
  // Replays under this definition text (JSON or YAML) instead of the recorded one; empty: the
  // recorded definition.
  std::optional<std::string> definition_text;
  // Non-empty: stops at the first entry into the state of this name (at any depth: Parallel
  // branches and Map iterations included) and reports the input it receives.
  std::string until_state;
};

// The rule a Choice state matched.
struct ChoiceMatch {
  int64_t index = -1;  // the entry of Choices; -1: Default
  std::string rule;    // e.g. "$.n NumericGreaterThan 3", a JSONata Condition, or "Default"
  std::string next;    // the state it transitions to
};

// One state the replayed execution went through, from its StateEntered / StateExited events.
struct ReplayStep {
  int64_t entered_event_id = 0;
  int64_t time = 0;                   // of StateEntered, nanoseconds since the Unix epoch
  std::string state;                  // the state's name
  std::string type;                   // "Pass", "Task", "Choice", …
  std::string input;                  // compact JSON text, as in the history
  std::optional<std::string> output;  // absent when the state did not exit (failed, running)
  std::optional<ChoiceMatch> choice;  // Choice states that chose a transition
};

// The first event where the replayed history differs from the recorded one.
struct HistoryDifference {
  int64_t event_id = 0;                  // 1-based position in the history
  std::optional<HistoryEvent> recorded;  // absent: the replay produced more events
  std::optional<HistoryEvent> replayed;  // absent: the replay ended before this event
};

// Where ReplayRequest::until_state stopped the replay.
struct ReplayUntil {
  std::string state;
  bool reached = false;  // false: the replay never entered the state
  int64_t event_id = 0;  // when reached: the StateEntered event
  int64_t time = 0;
  std::string input;  // when reached: the input the state receives (compact JSON text)
};

struct ReplayReport {
  std::string execution_arn;
  ExecutionStatus recorded_status = ExecutionStatus::kRunning;
  ExecutionStatus replayed_status = ExecutionStatus::kRunning;  // where the whole replay ended
  // Replayed under a ReplayRequest::definition_text that differs from the recorded definition.
  bool definition_changed = false;
  int64_t recorded_events = 0;  // in the database
  // Replayed events equal to the recorded ones, up to the first difference or the until state's
  // StateEntered (included).
  int64_t compared_events = 0;
  int64_t journal_entries = 0;  // in the journal; all are delivered
  std::vector<ReplayStep> steps;
  std::optional<HistoryDifference> difference;  // absent: the replay matches
  std::optional<ReplayUntil> until;             // when ReplayRequest::until_state was given

  bool matches() const { return !difference.has_value(); }
};

// Replays the execution `request.reference` designates. Fails, with a message naming the
// execution, when it cannot be found or its stored definition, options, input or journal cannot
// be read, when the definition text does not compile, or when until_state names no state of the
// definition. A replay that differs is not a failure: see ReplayReport::difference.
Result<ReplayReport> Replay(Store& store, const ReplayRequest& request);

// The first difference between two histories (HistoryEventToJson equality), or none when they
// are equal.
std::optional<HistoryDifference> FirstDifference(const std::vector<HistoryEvent>& recorded,
                                                 const std::vector<HistoryEvent>& replayed);

// The report as JSON: {"executionArn", "recordedStatus", "replayedStatus", "definitionChanged",
// "matches", "recordedEvents", "comparedEvents", "journalEntries", "steps": [...],
// "difference"?: {"eventId", "recorded", "replayed"}, "until"?: {...}}; docs/replay.md.
Json ReplayReportToJson(const ReplayReport& report);

// Opens an existing database for replay: fails when `path` is not a file or the database needs
// a schema migration, and refuses every statement that would modify the database (the store
// reports it as an I/O error).
Result<std::unique_ptr<Store>> OpenStoreForReplay(const std::string& path);

// A RuntimeListener that keeps what replay needs of one execution (the first started): its
// input, start time and journal. It commits nothing anywhere. Used to replay runs made without
// a database, e.g. by the conformance runner.
class JournalRecorder : public RuntimeListener {
 public:
  void OnStart(const Executor& execution, const Json& input) override;
  void OnEntry(const Executor& execution, const JournalEntry& entry) override;
  void OnProgress(const Executor&, size_t, const Commands&) override {}
  void OnEnd(const Executor&) override {}
  Status<> Commit() override { return Ok{}; }

  bool started() const { return input_ != nullptr; }
  const Json& input() const { return *input_; }  // requires started()
  int64_t start_time() const { return start_time_; }
  const std::vector<JournalEntry>& entries() const { return entries_; }

 private:
  std::string execution_arn_;  // the recorded execution
  std::shared_ptr<const Json> input_;
  int64_t start_time_ = 0;
  std::vector<JournalEntry> entries_;
};

}  // namespace sluice::engine
