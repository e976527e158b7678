// The store's reads. Every query is a cached statement (ListExecutions has one per combination
// of filters); rows become records here, and a stored value that does not parse back (an unknown
// status, invalid details JSON) is an error naming the row, never a silent default.
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "asl/json.h"
#include "engine/store/store.h"
#include "engine/store/store_internal.h"

namespace sluice::engine {

using store_internal::Db;
using store_internal::Stmt;

namespace {

constexpr int kMaxListLimit = 1000;
// Candidates named in an "ambiguous reference" error.
constexpr size_t kMaxCandidatesShown = 5;

// Every column of executions, in the order ReadExecution expects.
constexpr std::string_view kSelectExecution =
    "SELECT id, arn, name, state_machine_arn, definition_hash, input, options, start_date,"
    " status, output, error, cause, stop_date, redrive_count, redrive_date FROM executions ";

std::string ExecutionSql(std::string_view rest) {
  return std::string(kSelectExecution).append(rest);
}

struct ExecutionRow {
  int64_t id = 0;
  ExecutionRecord record;
};

Result<ExecutionRow> ReadExecution(const Stmt& s) {
  ExecutionRow row;
  row.id = s.Int(0);
  ExecutionRecord& r = row.record;
  r.arn = s.Text(1);
  r.name = s.Text(2);
  r.state_machine_arn = s.Text(3);
  r.definition_hash = s.Text(4);
  r.input = s.Text(5);
  r.options = s.Text(6);
  r.start_nanos = s.Int(7);
  auto status = ParseExecutionStatus(s.Text(8));
  if (!status.ok()) return Fail("execution " + r.arn + ": " + status.error());
  r.status = *status;
  r.output = s.OptText(9);
  r.error = s.OptText(10);
  r.cause = s.OptText(11);
  r.stop_nanos = s.OptInt(12);
  r.redrive_count = s.Int(13);
  r.redrive_nanos = s.OptInt(14);
  return row;
}

Result<StateMachineRecord> ReadStateMachine(const Stmt& s) {
  StateMachineRecord r;
  r.arn = s.Text(0);
  r.name = s.Text(1);
  auto type = ParseStateMachineType(s.Text(2));
  if (!type.ok()) return Fail("state machine " + r.arn + ": " + type.error());
  r.type = *type;
  r.definition_hash = s.Text(3);
  r.role_arn = s.Text(4);
  r.created_nanos = s.Int(5);
  r.updated_nanos = s.Int(6);
  return r;
}

constexpr const char* kSelectStateMachine =
    "SELECT arn, name, type, definition_hash, role_arn, created, updated FROM state_machines ";

constexpr const char* kSelectActivity = "SELECT arn, name, created FROM activities ";

Result<ActivityRecord> ReadActivity(const Stmt& s) {
  return ActivityRecord{s.Text(0), s.Text(1), s.Int(2)};
}

Result<StateMachineVersionRecord> ReadVersion(const Stmt& s) {
  return StateMachineVersionRecord{s.Text(0), s.Int(1), s.Text(2), s.Text(3), s.Int(4)};
}

Result<TimerRecord> ReadTimer(const Stmt& s) { return TimerRecord{s.Int(0), s.Int(1)}; }

Result<TaskRecord> ReadTask(const Stmt& s) {
  return TaskRecord{s.Int(0), s.Text(1), s.Text(2), s.Text(3)};
}

Result<TaskTokenRecord> ReadTaskToken(const Stmt& s) {
  return TaskTokenRecord{s.Text(0), s.Text(1), s.Int(2)};
}

Result<std::string> ReadText(const Stmt& s) { return s.Text(0); }

Result<int64_t> ReadInt(const Stmt& s) { return s.Int(0); }

Result<HistoryEvent> ReadEvent(const Stmt& s) {
  HistoryEvent event;
  event.id = s.Int(0);
  event.previous_event_id = s.Int(1);
  event.timestamp_nanos = s.Int(2);
  event.type = s.Text(3);
  if (auto text = s.OptText(4)) {
    // Checked, not parsed: readers that need a tree parse it (DetailsJson).
    if (!Json::accept(*text)) {
      return Fail("event " + std::to_string(event.id) + ": details are not valid JSON");
    }
    event.details = std::move(*text);
  }
  return event;
}

constexpr const char* kSelectPipeline =
    "SELECT id, version, source, text, config, created FROM pipelines ";

Result<PipelineVersionRecord> ReadPipelineVersion(const Stmt& s) {
  return PipelineVersionRecord{s.Text(0), s.Int(1), s.Text(2), s.Text(3), s.Text(4), s.Int(5)};
}

constexpr const char* kSelectSensor = "SELECT pipeline, key, data, written FROM sensors ";

Result<SensorRecord> ReadSensor(const Stmt& s) {
  return SensorRecord{s.Text(0), s.Text(1), s.Text(2), s.Int(3)};
}

Result<PipelineRunRecord> ReadPipelineRun(const Stmt& s) {
  PipelineRunRecord r{s.Text(0), s.Text(1), s.Text(2), s.OptText(3)};
  auto status = ParsePipelineRunStatus(s.Text(4));
  if (!status.ok()) {
    return Fail("run " + r.schedule + " " + r.date + " of pipeline " + r.pipeline + ": " +
                status.error());
  }
  r.status = *status;
  r.started_nanos = s.Int(5);
  r.ended_nanos = s.OptInt(6);
  r.lock_expires_nanos = s.OptInt(7);
  return r;
}

Result<PipelineEventRecord> ReadPipelineEvent(const Stmt& s) {
  return PipelineEventRecord{s.Int(0),  s.Text(1), s.Text(2), s.Text(3),
                             s.Text(4), s.Int(5),  s.Text(6), s.Text(7)};
}

// The newest matching events first; ListPipelineEvents reverses them.
std::string PipelineEventsSql(const PipelineEventFilter& filter) {
  std::string sql =
      "SELECT id, type, pipeline, schedule, date, time, message, detail FROM pipeline_events"
      " WHERE 1";
  if (!filter.pipeline.empty()) sql += " AND pipeline = ?1";
  if (!filter.type.empty()) sql += " AND type = ?2";
  if (filter.since_nanos) sql += " AND time >= ?3";
  return sql + " ORDER BY time DESC, id DESC LIMIT ?4";
}

// Steps `stmt` to the end, turning each row into a T with `read`.
template <typename T>
Result<std::vector<T>> Collect(Stmt& stmt, Result<T> (*read)(const Stmt&)) {
  std::vector<T> rows;
  while (true) {
    auto more = stmt.Step();
    if (!more.ok()) return Fail(more.error());
    if (!*more) return rows;
    auto row = read(stmt);
    if (!row.ok()) return Fail(row.error());
    rows.push_back(std::move(*row));
  }
}

// The first row only, or none.
template <typename T>
Result<std::optional<T>> First(Stmt& stmt, Result<T> (*read)(const Stmt&)) {
  auto more = stmt.Step();
  if (!more.ok()) return Fail(more.error());
  if (!*more) return std::optional<T>();
  auto row = read(stmt);
  if (!row.ok()) return Fail(row.error());
  return std::optional<T>(std::move(*row));
}

// Prepares `sql`, binds one text parameter, and collects every row.
template <typename T>
Result<std::vector<T>> QueryAll(Db& db, const char* what, std::string_view sql,
                                const std::string& param, Result<T> (*read)(const Stmt&)) {
  auto stmt = db.Prepare(what, sql);
  if (!stmt.ok()) return Fail(stmt.error());
  stmt->Bind(1, param);
  return Collect(*stmt, read);
}

// Prepares `sql`, binds one text parameter, and reads the first row, if any.
template <typename T>
Result<std::optional<T>> QueryOne(Db& db, const char* what, std::string_view sql,
                                  const std::string& param, Result<T> (*read)(const Stmt&)) {
  auto stmt = db.Prepare(what, sql);
  if (!stmt.ok()) return Fail(stmt.error());
  stmt->Bind(1, param);
  return First(*stmt, read);
}

Result<std::optional<ExecutionRow>> FindExecution(Db& db, const std::string& arn) {
  return QueryOne(db, "get execution", ExecutionSql("WHERE arn = ?1"), arn, &ReadExecution);
}

// The smallest string above every string that starts with `prefix`; none when `prefix` is all
// 0xFF bytes (then no valid UTF-8 string starts with it).
std::optional<std::string> PrefixEnd(std::string prefix) {
  while (!prefix.empty()) {
    auto last = static_cast<unsigned char>(prefix.back());
    if (last != 0xFF) {
      prefix.back() = static_cast<char>(last + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return std::nullopt;
}

// Adds to `matches` up to kMaxCandidatesShown + 1 executions selected by `where`, which binds
// ?1 = `low`, ?2 = `high` and ?3 = the limit. Every use is an index lookup or range scan.
Status<> AddMatches(Db& db, std::string_view where, const std::string& low,
                    const std::optional<std::string>& high,
                    std::map<int64_t, ExecutionRecord>* matches) {
  auto stmt = db.Prepare("resolve execution", ExecutionSql(where));
  if (!stmt.ok()) return Fail(stmt.error());
  stmt->Bind(1, low).Bind(2, high).Bind(3, static_cast<int64_t>(kMaxCandidatesShown + 1));
  auto rows = Collect(*stmt, &ReadExecution);
  if (!rows.ok()) return Fail(rows.error());
  for (auto& row : *rows) matches->emplace(row.id, std::move(row.record));
  return Ok{};
}

std::string Ambiguous(std::string_view reference, std::vector<std::string> arns) {
  std::sort(arns.begin(), arns.end());
  std::string message =
      "execution reference '" + std::string(reference) + "' is ambiguous; it matches ";
  for (size_t i = 0; i < arns.size() && i < kMaxCandidatesShown; ++i) {
    message += (i == 0 ? "" : ", ") + arns[i];
  }
  if (arns.size() > kMaxCandidatesShown) message += " and more";
  return message;
}

Result<ExecutionRecord> OneOf(const std::string& reference,
                              std::map<int64_t, ExecutionRecord> matches) {
  if (matches.empty()) {
    return Fail("no execution matches '" + reference +
                "' (as an ARN, a name or a prefix of either)");
  }
  if (matches.size() == 1) return std::move(matches.begin()->second);
  std::vector<std::string> arns;
  for (const auto& [id, record] : matches) arns.push_back(record.arn);
  return Fail(Ambiguous(reference, std::move(arns)));
}

std::string PageToken(const ExecutionRecord& last, int64_t last_id) {
  return std::to_string(last.start_nanos) + ":" + std::to_string(last_id);
}

// "<start_nanos>:<id>" of the last execution of the previous page.
Result<std::pair<int64_t, int64_t>> ParsePageToken(const std::string& token) {
  std::pair<int64_t, int64_t> after;
  const char* end = token.data() + token.size();
  auto [colon, ec1] = std::from_chars(token.data(), end, after.first);
  bool ok = ec1 == std::errc() && colon != end && *colon == ':';
  if (ok) {
    auto [stop, ec2] = std::from_chars(colon + 1, end, after.second);
    ok = ec2 == std::errc() && stop == end;
  }
  if (!ok) return Fail("list executions: invalid page token '" + token + "'");
  return after;
}

std::string ListSql(const ExecutionFilter& filter) {
  std::string where = "WHERE 1";
  if (filter.status) where += " AND status = ?1";
  if (!filter.state_machine_arn.empty()) where += " AND state_machine_arn = ?2";
  if (!filter.page_token.empty()) where += " AND (start_date, id) < (?3, ?4)";
  return ExecutionSql(where + " ORDER BY start_date DESC, id DESC LIMIT ?5");
}

Result<std::vector<UnfinishedExecution>> ReadUnfinished(Db& db) {
  auto running = db.Prepare("list unfinished executions",
                            ExecutionSql("WHERE status = 'RUNNING' ORDER BY id"));
  if (!running.ok()) return Fail(running.error());
  auto rows = Collect(*running, &ReadExecution);
  if (!rows.ok()) return Fail(rows.error());
  std::vector<UnfinishedExecution> unfinished;
  for (auto& row : *rows) {
    auto timers = db.Prepare("list pending timers",
                             "SELECT timer_id, due FROM pending_timers WHERE execution_id = ?1"
                             " ORDER BY timer_id");
    if (!timers.ok()) return Fail(timers.error());
    auto timer_rows = Collect(timers->Bind(1, row.id), &ReadTimer);
    if (!timer_rows.ok()) return Fail(timer_rows.error());
    auto tasks = db.Prepare("list pending tasks",
                            "SELECT scheduled_event_id, resource, payload, idempotency_key"
                            " FROM pending_tasks WHERE execution_id = ?1"
                            " ORDER BY scheduled_event_id");
    if (!tasks.ok()) return Fail(tasks.error());
    auto task_rows = Collect(tasks->Bind(1, row.id), &ReadTask);
    if (!task_rows.ok()) return Fail(task_rows.error());
    unfinished.push_back({std::move(row.record), std::move(*timer_rows), std::move(*task_rows)});
  }
  return unfinished;
}

Status<> RunCached(Db& db, const char* what, const char* sql) {
  auto stmt = db.Prepare(what, sql);
  if (!stmt.ok()) return Fail(stmt.error());
  return stmt->Run();
}

}  // namespace

Result<std::optional<std::string>> Store::GetDefinition(const std::string& hash) {
  return QueryOne(*impl_->db, "get definition", "SELECT text FROM definitions WHERE hash = ?1",
                  hash, &ReadText);
}

Result<std::optional<StateMachineRecord>> Store::GetStateMachine(const std::string& arn) {
  return QueryOne(*impl_->db, "get state machine",
                  std::string(kSelectStateMachine) + "WHERE arn = ?1", arn, &ReadStateMachine);
}

Result<std::vector<StateMachineRecord>> Store::ListStateMachines() {
  auto stmt =
      impl_->db->Prepare("list state machines", std::string(kSelectStateMachine) + "ORDER BY name");
  if (!stmt.ok()) return Fail(stmt.error());
  return Collect(*stmt, &ReadStateMachine);
}

Result<std::optional<ActivityRecord>> Store::GetActivity(const std::string& arn) {
  return QueryOne(*impl_->db, "get activity", std::string(kSelectActivity) + "WHERE arn = ?1", arn,
                  &ReadActivity);
}

Result<std::vector<ActivityRecord>> Store::ListActivities() {
  auto stmt = impl_->db->Prepare("list activities", std::string(kSelectActivity) + "ORDER BY name");
  if (!stmt.ok()) return Fail(stmt.error());
  return Collect(*stmt, &ReadActivity);
}

Result<std::vector<StateMachineVersionRecord>> Store::ListStateMachineVersions(
    const std::string& state_machine_arn) {
  return QueryAll(*impl_->db, "list state machine versions",
                  "SELECT state_machine_arn, version, definition_hash, description, created"
                  " FROM state_machine_versions WHERE state_machine_arn = ?1 ORDER BY version",
                  state_machine_arn, &ReadVersion);
}

Result<std::optional<ExecutionRecord>> Store::GetExecution(const std::string& arn) {
  auto row = FindExecution(*impl_->db, arn);
  if (!row.ok()) return Fail(row.error());
  if (!*row) return std::optional<ExecutionRecord>();
  return std::optional<ExecutionRecord>(std::move((*row)->record));
}

Result<ExecutionRecord> Store::ResolveExecution(std::string_view reference) {
  if (reference.empty()) return Fail(std::string("empty execution reference"));
  std::string ref(reference);
  auto exact = GetExecution(ref);
  if (!exact.ok()) return Fail(exact.error());
  if (*exact) return std::move(**exact);
  Db& db = *impl_->db;
  std::map<int64_t, ExecutionRecord> matches;
  // A name is unique per state machine only, so an exact name may still be ambiguous.
  auto found = AddMatches(db, "WHERE name = ?1 ORDER BY id LIMIT ?3", ref, std::nullopt, &matches);
  if (found.ok() && matches.empty()) {
    std::optional<std::string> end = PrefixEnd(ref);
    found =
        AddMatches(db, "WHERE arn >= ?1 AND arn < ?2 ORDER BY arn LIMIT ?3", ref, end, &matches);
    if (found.ok()) {
      found = AddMatches(db, "WHERE name >= ?1 AND name < ?2 ORDER BY name LIMIT ?3", ref, end,
                         &matches);
    }
  }
  if (!found.ok()) return Fail(found.error());
  return OneOf(ref, std::move(matches));
}

Result<ExecutionPage> Store::ListExecutions(const ExecutionFilter& filter) {
  if (filter.limit < 1 || filter.limit > kMaxListLimit) {
    return Fail("list executions: limit " + std::to_string(filter.limit) + " is not in 1.." +
                std::to_string(kMaxListLimit));
  }
  std::pair<int64_t, int64_t> after;
  if (!filter.page_token.empty()) {
    auto parsed = ParsePageToken(filter.page_token);
    if (!parsed.ok()) return Fail(parsed.error());
    after = *parsed;
  }
  auto stmt = impl_->db->Prepare("list executions", ListSql(filter));
  if (!stmt.ok()) return Fail(stmt.error());
  if (filter.status) stmt->Bind(1, ExecutionStatusName(*filter.status));
  if (!filter.state_machine_arn.empty()) stmt->Bind(2, filter.state_machine_arn);
  if (!filter.page_token.empty()) stmt->Bind(3, after.first).Bind(4, after.second);
  stmt->Bind(5, static_cast<int64_t>(filter.limit) + 1);  // one more: is there a next page?
  auto rows = Collect(*stmt, &ReadExecution);
  if (!rows.ok()) return Fail(rows.error());
  ExecutionPage page;
  bool more = rows->size() > static_cast<size_t>(filter.limit);
  if (more) rows->pop_back();
  for (auto& row : *rows) page.executions.push_back(std::move(row.record));
  if (more) page.next_page_token = PageToken(page.executions.back(), rows->back().id);
  return page;
}

Result<std::vector<HistoryEvent>> Store::GetHistory(const std::string& execution_arn,
                                                    const HistoryQuery& query) {
  Db& db = *impl_->db;
  auto id = QueryOne(db, "get history", "SELECT id FROM executions WHERE arn = ?1", execution_arn,
                     &ReadInt);
  if (!id.ok()) return Fail(id.error());
  if (!*id) return Fail("get history: no execution " + execution_arn);
  auto stmt =
      query.reverse
          ? db.Prepare("get history",
                       "SELECT id, previous_id, timestamp, type, details FROM history_events"
                       " WHERE execution_id = ?1 AND id <= ?2 ORDER BY id DESC LIMIT ?3")
          : db.Prepare("get history",
                       "SELECT id, previous_id, timestamp, type, details FROM history_events"
                       " WHERE execution_id = ?1 AND id >= ?2 ORDER BY id LIMIT ?3");
  if (!stmt.ok()) return Fail(stmt.error());
  int64_t start = query.start_event_id;
  if (query.reverse && start == 0) start = std::numeric_limits<int64_t>::max();
  stmt->Bind(1, **id).Bind(2, start).Bind(3, query.limit > 0 ? query.limit : int64_t{-1});
  auto events = Collect(*stmt, &ReadEvent);
  if (!events.ok()) return Fail("get history of " + execution_arn + ": " + events.error());
  return events;
}

Result<std::vector<std::string>> Store::GetJournal(const std::string& execution_arn) {
  Db& db = *impl_->db;
  auto id = QueryOne(db, "get journal", "SELECT id FROM executions WHERE arn = ?1", execution_arn,
                     &ReadInt);
  if (!id.ok()) return Fail(id.error());
  if (!*id) return Fail("get journal: no execution " + execution_arn);
  auto stmt =
      db.Prepare("get journal", "SELECT entry FROM journal WHERE execution_id = ?1 ORDER BY seq");
  if (!stmt.ok()) return Fail(stmt.error());
  stmt->Bind(1, **id);
  auto entries = Collect(*stmt, &ReadText);
  if (!entries.ok()) return Fail("get journal of " + execution_arn + ": " + entries.error());
  return entries;
}

Result<std::vector<UnfinishedExecution>> Store::ListUnfinishedExecutions() {
  Db& db = *impl_->db;
  // One read transaction: executions, timers and tasks from the same snapshot.
  auto begun = RunCached(db, "begin read", "BEGIN");
  if (!begun.ok()) return Fail(begun.error());
  auto unfinished = ReadUnfinished(db);
  auto ended = unfinished.ok() ? RunCached(db, "end read", "COMMIT") : Status<>(Ok{});
  if (!unfinished.ok() || !ended.ok()) {
    db.Rollback();
    return Fail(unfinished.ok() ? ended.error() : unfinished.error());
  }
  return unfinished;
}

Result<std::optional<TaskTokenRecord>> Store::GetTaskToken(const std::string& token) {
  return QueryOne(*impl_->db, "get task token",
                  "SELECT t.token, e.arn, t.event_id FROM task_tokens t"
                  " JOIN executions e ON e.id = t.execution_id WHERE t.token = ?1",
                  token, &ReadTaskToken);
}

Result<std::optional<PipelineVersionRecord>> Store::GetLatestPipelineVersion(
    const std::string& id) {
  return QueryOne(*impl_->db, "get pipeline",
                  std::string(kSelectPipeline) + "WHERE id = ?1 ORDER BY version DESC LIMIT 1", id,
                  &ReadPipelineVersion);
}

Result<std::optional<PipelineVersionRecord>> Store::GetPipelineVersion(const std::string& id,
                                                                       int64_t version) {
  auto stmt = impl_->db->Prepare("get pipeline version",
                                 std::string(kSelectPipeline) + "WHERE id = ?1 AND version = ?2");
  if (!stmt.ok()) return Fail(stmt.error());
  stmt->Bind(1, id).Bind(2, version);
  return First(*stmt, &ReadPipelineVersion);
}

Result<std::vector<PipelineVersionRecord>> Store::ListPipelines() {
  auto stmt = impl_->db->Prepare(
      "list pipelines",
      std::string(kSelectPipeline) +
          "p WHERE version = (SELECT max(version) FROM pipelines WHERE id = p.id) ORDER BY id");
  if (!stmt.ok()) return Fail(stmt.error());
  return Collect(*stmt, &ReadPipelineVersion);
}

Result<std::optional<SensorRecord>> Store::GetSensor(const std::string& pipeline,
                                                     const std::string& key) {
  auto stmt = impl_->db->Prepare("get sensor",
                                 std::string(kSelectSensor) + "WHERE pipeline = ?1 AND key = ?2");
  if (!stmt.ok()) return Fail(stmt.error());
  stmt->Bind(1, pipeline).Bind(2, key);
  return First(*stmt, &ReadSensor);
}

Result<std::vector<SensorRecord>> Store::ListSensors(const std::string& pipeline) {
  if (pipeline.empty()) {
    auto stmt =
        impl_->db->Prepare("list sensors", std::string(kSelectSensor) + "ORDER BY pipeline, key");
    if (!stmt.ok()) return Fail(stmt.error());
    return Collect(*stmt, &ReadSensor);
  }
  return QueryAll(*impl_->db, "list sensors",
                  std::string(kSelectSensor) + "WHERE pipeline = ?1 ORDER BY key", pipeline,
                  &ReadSensor);
}

Result<std::optional<PipelineRunRecord>> Store::GetPipelineRun(const std::string& pipeline,
                                                               const std::string& schedule,
                                                               const std::string& date) {
  auto stmt = impl_->db->Prepare(
      "get pipeline run",
      "SELECT pipeline, schedule, date, execution_arn, status, started, ended, lock_expires"
      " FROM pipeline_runs WHERE pipeline = ?1 AND schedule = ?2 AND date = ?3");
  if (!stmt.ok()) return Fail(stmt.error());
  stmt->Bind(1, pipeline).Bind(2, schedule).Bind(3, date);
  return First(*stmt, &ReadPipelineRun);
}

Result<std::vector<PipelineEventRecord>> Store::ListPipelineEvents(
    const PipelineEventFilter& filter) {
  if (filter.limit < 0) {
    return Fail("list pipeline events: limit " + std::to_string(filter.limit) + " is negative");
  }
  auto stmt = impl_->db->Prepare("list pipeline events", PipelineEventsSql(filter));
  if (!stmt.ok()) return Fail(stmt.error());
  if (!filter.pipeline.empty()) stmt->Bind(1, filter.pipeline);
  if (!filter.type.empty()) stmt->Bind(2, filter.type);
  if (filter.since_nanos) stmt->Bind(3, *filter.since_nanos);
  stmt->Bind(4, filter.limit > 0 ? filter.limit : int64_t{-1});
  auto events = Collect(*stmt, &ReadPipelineEvent);
  if (events.ok()) std::reverse(events->begin(), events->end());
  return events;
}

}  // namespace sluice::engine
