// Replay: see replay.h.
#include "engine/replay.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "asl/jsonata_template.h"
#include "asl/loader.h"
#include "asl/timestamp.h"

namespace sluice::engine {

namespace {

// A running execution may commit between two reads; see ReadConsistently.
constexpr int kConsistentReadAttempts = 3;

// Everything the database holds about one execution that replay needs.
struct Recorded {
  ExecutionRecord record;
  ExecutionOptions options;
  Json input;
  std::vector<JournalEntry> entries;
  std::vector<HistoryEvent> history;
};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

Result<std::vector<JournalEntry>> ReadJournal(Store& store, const std::string& arn) {
  auto lines = store.GetJournal(arn);
  if (!lines.ok()) return Fail(lines.error());
  std::vector<JournalEntry> entries;
  for (const auto& line : lines.value()) {
    auto entry = DecodeJournalEntry(line);
    if (!entry.ok())
      return Fail("journal entry " + std::to_string(entries.size() + 1) + ": " + entry.error());
    entries.push_back(std::move(entry).value());
  }
  return entries;
}

// Reads the journal and the history as of the same commit. A process running the execution
// commits new journal entries together with the events they caused, so a history read between
// two reads of an unchanged journal belongs to that journal.
Status<> ReadConsistently(Store& store, Recorded& out) {
  const std::string& arn = out.record.arn;
  for (int attempt = 0; attempt < kConsistentReadAttempts; ++attempt) {
    auto entries = ReadJournal(store, arn);
    if (!entries.ok()) return Fail(entries.error());
    auto history = store.GetHistory(arn);
    if (!history.ok()) return Fail(history.error());
    auto again = store.GetJournal(arn);
    if (!again.ok()) return Fail(again.error());
    out.entries = std::move(entries).value();
    out.history = std::move(history).value();
    if (again.value().size() == out.entries.size()) break;
  }
  return Ok{};
}

Result<Recorded> LoadRecorded(Store& store, const std::string& reference) {
  auto record = store.ResolveExecution(reference);
  if (!record.ok()) return Fail(record.error());
  Recorded out;
  out.record = std::move(record).value();
  auto options = DecodeExecutionOptions(out.record);
  if (!options.ok()) return Fail(options.error());
  out.options = std::move(options).value();
  out.input = Json::parse(out.record.input, nullptr, /*allow_exceptions=*/false);
  if (out.input.is_discarded()) return Fail(std::string("stored input is not JSON"));
  auto read = ReadConsistently(store, out);
  if (!read.ok()) return Fail(read.error());
  out.options = StartOptions(std::move(out.options), out.entries);
  return out;
}

Result<std::shared_ptr<const asl::StateMachine>> CompileText(const std::string& text) {
  auto parsed = asl::ParseDefinitionText(text);
  if (!parsed.ok()) return Fail(parsed.error());
  auto machine = asl::Compile(parsed.value());
  if (!machine.ok()) {
    return Fail("invalid definition:\n" + asl::FormatDiagnostics(machine.error()));
  }
  return machine.value();
}

Result<std::string> DefinitionText(Store& store, const Recorded& recorded,
                                   const ReplayRequest& request) {
  if (request.definition_text) return *request.definition_text;
  auto text = store.GetDefinition(recorded.record.definition_hash);
  if (!text.ok()) return Fail(text.error());
  if (!text.value()) {
    return Fail("definition " + recorded.record.definition_hash + " is missing");
  }
  return **text;
}

// True when `machine` or one of its Parallel branches or Map item processors has a state `name`.
bool HasState(const asl::StateMachine& machine, const std::string& name) {
  if (machine.Find(name) != nullptr) return true;
  for (const auto& st : machine.states) {
    for (const auto& branch : st.branches) {
      if (HasState(*branch, name)) return true;
    }
    if (st.item_processor && HasState(*st.item_processor, name)) return true;
  }
  return false;
}

std::string DescribeBranch(const asl::ChoiceBranch& branch) {
  if (!branch.condition) return branch.rule.Describe();
  if (!branch.condition->is_expression()) return "Condition (a constant)";
  return "{% " + branch.condition->expression_text() + " %}";
}

ChoiceMatch MatchOf(const TraceEvent& trace) {
  const asl::State& st = *trace.state;
  if (trace.choice_index < 0) return ChoiceMatch{-1, "Default", st.default_next};
  const auto& branch = st.choices[static_cast<size_t>(trace.choice_index)];
  return ChoiceMatch{trace.choice_index, DescribeBranch(branch), branch.next};
}

// Builds the steps from the replayed events, in order.
class StepCollector {
 public:
  explicit StepCollector(const std::unordered_map<int64_t, ChoiceMatch>& choices)
      : choices_(choices) {}

  void Add(const HistoryEvent& e) {
    previous_[e.id] = e.previous_event_id;
    if (e.details.empty()) return;
    if (EndsWith(e.type, "StateEntered")) return Entered(e);
    if (EndsWith(e.type, "StateExited")) return Exited(e);
  }

  std::vector<ReplayStep> Take() { return std::move(steps_); }

 private:
  static constexpr std::string_view kEntered = "StateEntered";

  void Entered(const HistoryEvent& e) {
    const Json details = DetailsJson(e);
    ReplayStep step;
    step.entered_event_id = e.id;
    step.time = e.timestamp_nanos;
    step.state = details.value("name", "");
    step.type = e.type.substr(0, e.type.size() - kEntered.size());
    step.input = details.value("input", "");
    auto choice = choices_.find(e.id);
    if (choice != choices_.end()) step.choice = choice->second;
    open_[e.id] = steps_.size();
    steps_.push_back(std::move(step));
  }

  // A state's events chain back (previousEventId) to its StateEntered within its own frame, so
  // walking the chain finds the step even while Parallel branches or Map iterations interleave.
  void Exited(const HistoryEvent& e) {
    const Json details = DetailsJson(e);
    const std::string name = details.value("name", "");
    for (int64_t id = e.previous_event_id; id > 0; id = previous_[id]) {
      auto it = open_.find(id);
      if (it == open_.end() || steps_[it->second].state != name) continue;
      steps_[it->second].output = details.value("output", "");
      open_.erase(it);
      return;
    }
  }

  const std::unordered_map<int64_t, ChoiceMatch>& choices_;
  std::vector<ReplayStep> steps_;
  std::unordered_map<int64_t, size_t> open_;       // StateEntered id -> index in steps_
  std::unordered_map<int64_t, int64_t> previous_;  // event id -> previous event id
};

bool Enters(const HistoryEvent& e, const std::string& state) {
  return !e.details.empty() && EndsWith(e.type, "StateEntered") &&
         DetailsJson(e).value("name", "") == state;
}

// Collects the steps of the replayed events that match the recorded ones, up to the entry into
// the until state (which then hides any later difference: the replay stopped before it).
void Explain(const std::vector<HistoryEvent>& replayed, const std::string& until,
             const std::unordered_map<int64_t, ChoiceMatch>& choices, ReplayReport& report) {
  const size_t matching =
      report.difference ? static_cast<size_t>(report.difference->event_id - 1) : replayed.size();
  StepCollector steps(choices);
  for (size_t i = 0; i < matching; ++i) {
    const HistoryEvent& e = replayed[i];
    if (!until.empty() && Enters(e, until)) {
      report.until =
          ReplayUntil{until, true, e.id, e.timestamp_nanos, DetailsJson(e).value("input", "")};
      report.difference.reset();
      break;
    }
    steps.Add(e);
  }
  if (!until.empty() && !report.until) report.until = ReplayUntil{until};
  report.compared_events = static_cast<int64_t>(
      report.until && report.until->reached ? report.until->event_id : matching);
  report.steps = steps.Take();
}

// Runs the replay proper: Start, then every journal entry; then compares and explains.
void Run(std::shared_ptr<const asl::StateMachine> machine, const Recorded& recorded,
         const std::string& until, ReplayReport& report) {
  Executor executor(std::move(machine), recorded.options);
  std::unordered_map<int64_t, ChoiceMatch> choices;
  executor.set_tracer([&](const TraceEvent& t) { choices[t.entered_event_id] = MatchOf(t); });
  executor.Start(recorded.input, recorded.record.start_nanos);
  for (const auto& entry : recorded.entries) Deliver(executor, entry);
  report.journal_entries = static_cast<int64_t>(recorded.entries.size());
  report.replayed_status = executor.status();
  report.difference = FirstDifference(recorded.history, executor.history());
  Explain(executor.history(), until, choices, report);
}

// True for the statements reading needs: queries, read transactions, connection settings.
bool ReadsOnly(std::string_view sql) {
  std::string head;
  for (char c : sql.substr(0, 64))
    head += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  head.erase(0, head.find_first_not_of(" \t\r\n"));
  auto starts = [&](std::string_view word) { return head.rfind(word, 0) == 0; };
  if (starts("SELECT") || starts("COMMIT") || starts("END") || starts("ROLLBACK")) return true;
  if (starts("BEGIN"))
    return head.find("IMMEDIATE") == std::string::npos &&
           head.find("EXCLUSIVE") == std::string::npos;
  if (starts("PRAGMA")) return !starts("PRAGMA USER_VERSION =");
  return false;
}

Json ParsedOrText(const std::string& text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? Json(text) : j;
}

Json StepToJson(const ReplayStep& s) {
  Json j{{"eventId", s.entered_event_id},
         {"timestamp", asl::FormatTimestamp(s.time)},
         {"state", s.state},
         {"type", s.type},
         {"input", ParsedOrText(s.input)}};
  if (s.output) j["output"] = ParsedOrText(*s.output);
  if (s.choice) {
    j["choice"] =
        Json{{"index", s.choice->index}, {"rule", s.choice->rule}, {"next", s.choice->next}};
  }
  return j;
}

Json OptionalEventToJson(const std::optional<HistoryEvent>& e) {
  return e ? HistoryEventToJson(*e) : Json(nullptr);
}

}  // namespace

Result<ReplayReport> Replay(Store& store, const ReplayRequest& request) {
  auto recorded = LoadRecorded(store, request.reference);
  if (!recorded.ok()) return Fail("replay " + request.reference + ": " + recorded.error());
  const std::string where = "replay " + recorded->record.arn + ": ";
  auto text = DefinitionText(store, recorded.value(), request);
  if (!text.ok()) return Fail(where + text.error());
  auto machine = CompileText(text.value());
  if (!machine.ok()) return Fail(where + machine.error());
  if (!request.until_state.empty() && !HasState(*machine.value(), request.until_state)) {
    return Fail(where + "--until: the definition has no state named '" + request.until_state + "'");
  }
  ReplayReport report;
  report.execution_arn = recorded->record.arn;
  report.recorded_status = recorded->record.status;
  report.definition_changed = DefinitionHash(text.value()) != recorded->record.definition_hash;
  report.recorded_events = static_cast<int64_t>(recorded->history.size());
  Run(machine.value(), recorded.value(), request.until_state, report);
  return report;
}

std::optional<HistoryDifference> FirstDifference(const std::vector<HistoryEvent>& recorded,
                                                 const std::vector<HistoryEvent>& replayed) {
  const size_t n = std::max(recorded.size(), replayed.size());
  for (size_t i = 0; i < n; ++i) {
    if (i < recorded.size() && i < replayed.size() && SameEvent(recorded[i], replayed[i])) {
      continue;
    }
    HistoryDifference d;
    d.event_id = static_cast<int64_t>(i) + 1;
    if (i < recorded.size()) d.recorded = recorded[i];
    if (i < replayed.size()) d.replayed = replayed[i];
    return d;
  }
  return std::nullopt;
}

Json ReplayReportToJson(const ReplayReport& r) {
  Json steps = Json::array();
  for (const auto& s : r.steps) steps.push_back(StepToJson(s));
  Json j{{"executionArn", r.execution_arn},
         {"recordedStatus", ExecutionStatusName(r.recorded_status)},
         {"replayedStatus", ExecutionStatusName(r.replayed_status)},
         {"definitionChanged", r.definition_changed},
         {"matches", r.matches()},
         {"recordedEvents", r.recorded_events},
         {"comparedEvents", r.compared_events},
         {"journalEntries", r.journal_entries},
         {"steps", std::move(steps)}};
  if (r.difference) {
    j["difference"] = Json{{"eventId", r.difference->event_id},
                           {"recorded", OptionalEventToJson(r.difference->recorded)},
                           {"replayed", OptionalEventToJson(r.difference->replayed)}};
  }
  if (r.until) {
    Json u{{"state", r.until->state}, {"reached", r.until->reached}};
    if (r.until->reached) {
      u["eventId"] = r.until->event_id;
      u["timestamp"] = asl::FormatTimestamp(r.until->time);
      u["input"] = ParsedOrText(r.until->input);
    }
    j["until"] = std::move(u);
  }
  return j;
}

Result<std::unique_ptr<Store>> OpenStoreForReplay(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Fail("no database at '" + path + "'");
  }
  auto refused = std::make_shared<bool>(false);
  StoreOptions options;
  options.fail_step = [refused](std::string_view sql) {
    if (ReadsOnly(sql)) return false;
    *refused = true;
    return true;
  };
  auto store = Store::Open(path, options);
  if (store.ok()) return store;
  // The only write opening may attempt: migrating a database written by an older Sluice.
  if (*refused) {
    return Fail(path +
                ": the database needs a schema migration, and replay never writes; open it "
                "once with another command (e.g. `sluice list`) to migrate it");
  }
  return Fail(path + ": " + store.error());
}

void JournalRecorder::OnStart(const Executor& execution, const Json& input) {
  if (started()) return;
  execution_arn_ = execution.options().execution_arn;
  input_ = std::make_shared<const Json>(input);
  start_time_ = execution.start_time();
}

void JournalRecorder::OnEntry(const Executor& execution, const JournalEntry& entry) {
  if (started() && execution.options().execution_arn == execution_arn_) entries_.push_back(entry);
}

}  // namespace sluice::engine
