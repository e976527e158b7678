// The pipeline config schema: one reader per section, then the rules that span sections.
#include "handlers/pipeline/config.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "asl/diagnostic.h"
#include "handlers/pipeline/config_internal.h"
#include "handlers/pipeline/duration.h"

namespace sluice::pipeline {

using config_internal::Describe;
using config_internal::MapReader;
using config_internal::OneProblem;
using config_internal::Problems;
using config_internal::SourceMarks;

namespace {

constexpr struct {
  JobType type;
  std::string_view name;
} kJobTypes[] = {
    {JobType::kCommand, "command"},
    {JobType::kHttp, "http"},
    {JobType::kLambda, "lambda"},
    {JobType::kAirflow, "airflow"},
    {JobType::kGlue, "glue"},
    {JobType::kEmr, "emr"},
    {JobType::kEmrServerless, "emr-serverless"},
    {JobType::kStepFunction, "step-function"},
    {JobType::kDatabricks, "databricks"},
};

constexpr int64_t kMaxRelativeSlaSeconds = kSecondsPerDay;
constexpr int64_t kDefaultJobPollWindowSeconds = 3600;
constexpr int64_t kMinJobPollWindowSeconds = 60;
constexpr std::string_view kSensorPrefix = "SENSOR#";
constexpr const char* kNamedCalendars =
    "named calendars are not supported; list the dates in schedule.exclude.dates";

// Job types that need AWS: recognised (Interlock has them) but refused.
bool NeedsAws(JobType type) {
  return type == JobType::kLambda || type == JobType::kGlue || type == JobType::kEmr ||
         type == JobType::kEmrServerless;
}

// The job types Sluice runs.
std::string JobTypeNames() {
  std::string names;
  for (const auto& entry : kJobTypes) {
    if (!NeedsAws(entry.type)) names += (names.empty() ? "" : ", ") + std::string(entry.name);
  }
  return names;
}

// Ids name executions and stored rows ("<id>-<scheduleId>-<date>-..."), so they stay plain.
bool IsValidPipelineId(std::string_view id) {
  for (char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return !id.empty();
}

// True when `document` has the nested member `path` (whatever its value).
bool Has(const Json& document, std::initializer_list<const char*> path) {
  const Json* node = &document;
  for (const char* key : path) {
    if (!node->is_object()) return false;
    auto found = node->find(key);
    if (found == node->end()) return false;
    node = &*found;
  }
  return true;
}

// Fields shared by sections ------------------------------------------------------------------

void ReadZone(const MapReader& map, std::string_view key, std::string* name, TimeZone* zone) {
  std::optional<std::string> text = map.String(key);
  if (!text) return;
  Result<TimeZone> loaded = TimeZone::Load(*text);
  if (!loaded.ok()) {
    map.problems().AtValue(map.PointerOf(key), loaded.error());
    return;
  }
  *name = *text;
  *zone = *loaded;
}

std::optional<ClockTime> ReadClockTime(const MapReader& map, std::string_view key,
                                       bool allow_minute_only) {
  std::optional<std::string> text = map.String(key);
  if (!text) return std::nullopt;
  Result<ClockTime> time = ParseClockTime(*text, allow_minute_only);
  if (!time.ok()) {
    map.problems().AtValue(map.PointerOf(key), time.error());
    return std::nullopt;
  }
  return *time;
}

std::vector<CivilDate> ReadDates(const MapReader& map, std::string_view key, bool required) {
  std::vector<CivilDate> dates;
  const Json* list = map.List(key);
  if (list == nullptr) {
    if (required && map.valid() && map.Get(key) == nullptr) map.ReportMissing(key);
    return dates;
  }
  if (required && list->empty()) {
    map.problems().AtValue(map.PointerOf(key), "must list at least one date");
  }
  for (size_t i = 0; i < list->size(); ++i) {
    const Json& item = (*list)[i];
    const std::string pointer = map.PointerOf(key) + "/" + std::to_string(i);
    std::optional<CivilDate> date =
        item.is_string() ? ParseDate(item.get<std::string>()) : std::nullopt;
    if (!date) {
      map.problems().AtValue(pointer, "expected a date \"YYYY-MM-DD\", got " + Describe(item));
      continue;
    }
    dates.push_back(*date);
  }
  return dates;
}

// Rules ---------------------------------------------------------------------------------------

// Checks that the rule's `value` suits `check`; reports the problem and returns false when not.
bool CheckRuleValue(const MapReader& rule, Check check) {
  const Json* value = rule.Get("value");
  if (check == Check::kExists) return true;
  const std::string name = "check '" + std::string(CheckName(check)) + "'";
  if (value == nullptr) {
    rule.problems().AtValue(rule.pointer(), name + " needs a value");
    return false;
  }
  const std::string at = rule.PointerOf("value");
  switch (check) {
    case Check::kExists:
    case Check::kEquals:
      return true;
    case Check::kGt:
    case Check::kGte:
    case Check::kLt:
    case Check::kLte:
      if (ToNumber(*value)) return true;
      rule.problems().AtValue(
          at, name + " needs a number (or a numeric string), got " + Describe(*value));
      return false;
    case Check::kAgeLt:
    case Check::kAgeGt: {
      if (!value->is_string()) {
        rule.problems().AtValue(
            at,
            name + " needs a duration string such as \"30m\" or \"1d\", got " + Describe(*value));
        return false;
      }
      Result<int64_t> duration = ParseDuration(value->get<std::string>());
      if (duration.ok()) return true;
      rule.problems().AtValue(at, duration.error());
      return false;
    }
  }
  return false;
}

// A rule at `pointer`; a trigger rule may also have a deadline.
std::optional<Rule> ReadRule(Problems& problems, const Json& value, const std::string& pointer,
                             std::optional<ClockTime>* deadline = nullptr) {
  MapReader map =
      deadline ? MapReader(problems, value, pointer, {"key", "check", "field", "value", "deadline"})
               : MapReader(problems, value, pointer, {"key", "check", "field", "value"});
  if (!map.valid()) return std::nullopt;
  bool ok = true;
  Rule rule;
  std::optional<std::string> key = map.String("key", true);
  if (key && key->starts_with(kSensorPrefix)) {
    problems.AtValue(map.PointerOf("key"),
                     "sensor keys are written without the 'SENSOR#' prefix (it would never match)");
    ok = false;
  }
  std::optional<std::string> check_name = map.String("check", true);
  std::optional<Check> check;
  if (check_name) check = ParseCheck(*check_name);
  if (check_name && !check) {
    problems.AtValue(
        map.PointerOf("check"),
        "unknown check '" + *check_name + "' (expected one of: " + std::string(CheckNames()) + ")");
  }
  std::optional<std::string> field = map.String("field");
  const bool needs_field = check && *check != Check::kExists;
  if (needs_field && !map.Get("field")) {
    problems.AtValue(pointer, "check '" + std::string(CheckName(*check)) + "' needs a field");
    ok = false;
  } else if (needs_field && field && field->empty()) {
    problems.AtValue(map.PointerOf("field"), "must not be empty");
    ok = false;
  }
  if (check) ok = CheckRuleValue(map, *check) && ok;
  if (deadline) *deadline = ReadClockTime(map, "deadline", true);
  if (!ok || !key || !check || (map.Get("field") && !field)) return std::nullopt;
  rule.key = *key;
  rule.check = *check;
  rule.field = field.value_or("");
  if (const Json* v = map.Get("value")) rule.value = *v;
  return rule;
}

std::vector<Rule> ReadRules(const MapReader& map, std::string_view key) {
  std::vector<Rule> rules;
  const Json* list = map.List(key);
  if (list == nullptr) return rules;
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string pointer = map.PointerOf(key) + "/" + std::to_string(i);
    if (std::optional<Rule> rule = ReadRule(map.problems(), (*list)[i], pointer)) {
      rules.push_back(std::move(*rule));
    }
  }
  return rules;
}

// Sections --------------------------------------------------------------------------------

PipelineInfo ReadPipelineInfo(Problems& problems, const Json& value) {
  MapReader map(problems, value, "/pipeline", {"id", "owner", "description"});
  PipelineInfo info;
  if (std::optional<std::string> id = map.String("id", true)) {
    if (IsValidPipelineId(*id)) {
      info.id = *id;
    } else {
      problems.AtValue(map.PointerOf("id"), "\"" + *id +
                                                "\" is not a pipeline id (use letters, digits, "
                                                "'-', '_' and '.')");
    }
  }
  info.owner = map.String("owner").value_or("");
  info.description = map.String("description").value_or("");
  return info;
}

EvaluationConfig ReadEvaluation(Problems& problems, const Json& value, std::string pointer) {
  MapReader map(problems, value, std::move(pointer), {"window", "interval"});
  EvaluationConfig evaluation;
  evaluation.window_seconds = map.Duration("window", 1).value_or(evaluation.window_seconds);
  evaluation.interval_seconds = map.Duration("interval", 1).value_or(evaluation.interval_seconds);
  return evaluation;
}

void ReadCalendar(const MapReader& schedule, CalendarConfig* calendar) {
  Problems& problems = schedule.problems();
  if (const Json* include = schedule.Get("include")) {
    MapReader map(problems, *include, schedule.PointerOf("include"), {"dates"});
    calendar->include_dates = ReadDates(map, "dates", true);
  }
  if (const Json* exclude = schedule.Get("exclude")) {
    MapReader map(problems, *exclude, schedule.PointerOf("exclude"),
                  {"weekends", "dates", "holidays"});
    calendar->exclude_weekends = map.Bool("weekends").value_or(false);
    calendar->exclude_dates = ReadDates(map, "dates", false);
    if (map.Get("holidays")) problems.AtKey(map.PointerOf("holidays"), kNamedCalendars);
  }
  if (schedule.Get("calendar")) problems.AtKey(schedule.PointerOf("calendar"), kNamedCalendars);
}

ScheduleConfig ReadSchedule(Problems& problems, const Json& value) {
  MapReader map(
      problems, value, "/schedule",
      {"cron", "timezone", "trigger", "evaluation", "include", "exclude", "time", "calendar"});
  ScheduleConfig schedule;
  if (std::optional<std::string> text = map.String("cron")) {
    Result<CronSchedule> cron = CronSchedule::Parse(*text);
    if (cron.ok()) {
      schedule.cron = *cron;
    } else {
      problems.AtValue(map.PointerOf("cron"), cron.error());
    }
  }
  ReadZone(map, "timezone", &schedule.timezone_name, &schedule.zone);
  if (const Json* trigger = map.Get("trigger")) {
    std::optional<ClockTime> deadline;
    if (std::optional<Rule> rule =
            ReadRule(problems, *trigger, map.PointerOf("trigger"), &deadline)) {
      schedule.trigger = TriggerConfig{std::move(*rule), deadline};
    }
  }
  if (const Json* evaluation = map.Get("evaluation")) {
    schedule.evaluation = ReadEvaluation(problems, *evaluation, map.PointerOf("evaluation"));
  }
  ReadCalendar(map, &schedule.calendar);
  schedule.time = ReadClockTime(map, "time", false);
  return schedule;
}

SlaConfig ReadSla(Problems& problems, const Json& value) {
  MapReader map(problems, value, "/sla",
                {"deadline", "expectedDuration", "maxDuration", "timezone", "critical"});
  SlaConfig sla;
  sla.deadline = ReadClockTime(map, "deadline", true);
  sla.expected_duration_seconds = map.Duration("expectedDuration", 0);
  sla.max_duration_seconds = map.Duration("maxDuration", 1);
  if (sla.max_duration_seconds && *sla.max_duration_seconds > kMaxRelativeSlaSeconds) {
    problems.AtValue(map.PointerOf("maxDuration"), "must be at most 24h");
  }
  ReadZone(map, "timezone", &sla.timezone_name, &sla.zone);
  sla.critical = map.Bool("critical").value_or(false);
  if (map.valid() && !map.Get("deadline") && !map.Get("maxDuration")) {
    problems.AtValue("/sla", "needs a deadline or a maxDuration");
  }
  if (map.Get("deadline") && !map.Get("expectedDuration")) {
    problems.AtKey(map.PointerOf("deadline"),
                   "needs sla.expectedDuration (how long before the deadline to warn)");
  }
  return sla;
}

ValidationConfig ReadValidation(Problems& problems, const Json& value) {
  MapReader map(problems, value, "/validation", {"trigger", "rules"});
  ValidationConfig validation;
  if (std::optional<std::string> name = map.String("trigger")) {
    if (std::optional<Combinator> combinator = ParseCombinator(*name)) {
      validation.trigger = *combinator;
    } else {
      problems.AtValue(map.PointerOf("trigger"), "expected ALL or ANY, got \"" + *name + "\"");
    }
  }
  validation.rules = ReadRules(map, "rules");
  return validation;
}

// job.config, per job type (jobs.h runs them; docs/pipelines.md "Job types") ---------------

// A member that must be a map whose values are scalars (headers, env, arguments).
void ReadScalarMap(const MapReader& map, std::string_view key) {
  const Json* members = map.Map(key);
  if (members == nullptr) return;
  for (const auto& [name, value] : members->items()) {
    if (!value.is_primitive() || value.is_null()) {
      map.problems().AtValue(asl::JoinPointer(map.PointerOf(key), name),
                             "expected a string, number or boolean, got " + Describe(value));
    }
  }
}

// A URL (it may start with an environment variable, expanded when the job starts).
void ReadUrl(const MapReader& map, std::string_view key) {
  std::optional<std::string> url = map.String(key, true);
  if (!url || url->empty()) return;
  if (url->rfind("http://", 0) != 0 && url->rfind("https://", 0) != 0 && (*url)[0] != '$') {
    map.problems().AtValue(map.PointerOf(key),
                           "expected an http:// or https:// URL, got \"" + *url + "\"");
  }
}

void ReadTimeout(const MapReader& map) {
  std::optional<double> seconds = map.Number("timeout");
  if (seconds && (*seconds <= 0 || *seconds > 3600)) {
    map.problems().AtValue(map.PointerOf("timeout"),
                           "must be more than 0 and at most 3600 (seconds)");
  }
}

// A JSON body: a map or list, or a string holding JSON text.
void ReadJsonBody(const MapReader& map) {
  const Json* body = map.Get("body");
  if (body != nullptr && !body->is_object() && !body->is_array() && !body->is_string()) {
    map.problems().AtValue(map.PointerOf("body"),
                           "expected a map, a list or a JSON string, got " + Describe(*body));
  }
}

// Exactly one of two alternative keys.
void ReadOneOf(const MapReader& map, std::string_view first, std::string_view second) {
  const bool has_first = map.Get(first) != nullptr, has_second = map.Get(second) != nullptr;
  if (!has_first && !has_second) {
    map.problems().AtValue(map.pointer(), "missing required key '" + std::string(first) +
                                              "' (or '" + std::string(second) + "')");
  } else if (has_first && has_second) {
    map.problems().AtKey(map.PointerOf(second),
                         "cannot be combined with '" + std::string(first) + "'");
  }
}

void ReadCommandConfig(Problems& problems, const Json& value) {
  MapReader map(problems, value, "/job/config", {"command", "argv", "env", "cwd"});
  ReadOneOf(map, "command", "argv");
  if (std::optional<std::string> command = map.String("command")) {
    if (command->find_first_not_of(" \t\n") == std::string::npos) {
      problems.AtValue(map.PointerOf("command"), "must not be empty");
    }
  }
  if (const Json* argv = map.List("argv")) {
    if (argv->empty()) problems.AtValue(map.PointerOf("argv"), "must not be empty");
    for (size_t i = 0; i < argv->size(); ++i) {
      if (!(*argv)[i].is_string()) {
        problems.AtValue(map.PointerOf("argv") + "/" + std::to_string(i),
                         "expected a string, got " + Describe((*argv)[i]));
      }
    }
  }
  ReadScalarMap(map, "env");
  map.String("cwd");
}

void ReadHttpConfig(Problems& problems, const Json& value) {
  MapReader map(problems, value, "/job/config", {"method", "url", "headers", "body", "timeout"});
  if (std::optional<std::string> method = map.String("method")) {
    const bool token = !method->empty() && std::all_of(method->begin(), method->end(),
                                                       [](char c) { return c >= 'A' && c <= 'Z'; });
    if (!token) {
      problems.AtValue(
          map.PointerOf("method"),
          "expected an HTTP method in capitals (GET, POST, PUT, …), got \"" + *method + "\"");
    }
  }
  ReadUrl(map, "url");
  ReadScalarMap(map, "headers");
  ReadJsonBody(map);
  ReadTimeout(map);
}

void ReadAirflowConfig(Problems& problems, const Json& value) {
  MapReader map(problems, value, "/job/config", {"url", "dagId", "headers", "body", "timeout"});
  ReadUrl(map, "url");
  map.String("dagId", true);
  ReadScalarMap(map, "headers");
  ReadJsonBody(map);
  ReadTimeout(map);
}

void ReadDatabricksConfig(Problems& problems, const Json& value) {
  MapReader map(problems, value, "/job/config",
                {"workspaceUrl", "jobId", "headers", "arguments", "timeout"});
  ReadUrl(map, "workspaceUrl");
  const Json* job_id = map.Get("jobId");
  if (job_id == nullptr) {
    if (map.valid()) map.ReportMissing("jobId");
  } else if (!job_id->is_string() && !job_id->is_number_integer()) {
    problems.AtValue(map.PointerOf("jobId"),
                     "expected a string or an integer, got " + Describe(*job_id));
  }
  ReadScalarMap(map, "headers");
  ReadScalarMap(map, "arguments");
  ReadTimeout(map);
}

void ReadStepFunctionConfig(Problems& problems, const Json& value) {
  MapReader map(problems, value, "/job/config", {"stateMachine", "stateMachineArn", "arguments"});
  ReadOneOf(map, "stateMachine", "stateMachineArn");
  map.String("stateMachine");
  map.String("stateMachineArn");
  map.Map("arguments");
}

void ReadJobTypeConfig(Problems& problems, const Json& config, JobType type) {
  switch (type) {
    case JobType::kCommand:
      return ReadCommandConfig(problems, config);
    case JobType::kHttp:
      return ReadHttpConfig(problems, config);
    case JobType::kAirflow:
      return ReadAirflowConfig(problems, config);
    case JobType::kDatabricks:
      return ReadDatabricksConfig(problems, config);
    case JobType::kStepFunction:
      return ReadStepFunctionConfig(problems, config);
    default:
      return;
  }
}

std::optional<JobConfig> ReadJob(Problems& problems, const Json& value) {
  MapReader map(problems, value, "/job",
                {"type", "config", "maxRetries", "maxCodeRetries", "maxDriftReruns",
                 "maxManualReruns", "jobPollWindowSeconds"});
  JobConfig job;
  const Json* config = map.Map("config");
  job.config = config ? *config : Json::object();
  job.max_retries = static_cast<int>(map.Integer("maxRetries", 0, 10).value_or(job.max_retries));
  job.max_code_retries =
      static_cast<int>(map.Integer("maxCodeRetries", 0, 3).value_or(job.max_code_retries));
  job.max_drift_reruns =
      static_cast<int>(map.Integer("maxDriftReruns", 0, 5).value_or(job.max_drift_reruns));
  job.max_manual_reruns =
      static_cast<int>(map.Integer("maxManualReruns", 0, 5).value_or(job.max_manual_reruns));
  std::optional<int64_t> poll = map.Integer("jobPollWindowSeconds", 0, kSecondsPerDay);
  if (poll && *poll > 0 && *poll < kMinJobPollWindowSeconds) {
    problems.AtValue(
        map.PointerOf("jobPollWindowSeconds"),
        std::to_string(*poll) + " is out of range: use 0 (the default, 3600) or 60-86400");
  } else if (poll && *poll > 0) {
    job.job_poll_window_seconds = *poll;
  }
  std::optional<std::string> type = map.String("type", true);
  if (!type) return std::nullopt;
  std::optional<JobType> parsed = ParseJobType(*type);
  if (!parsed) {
    problems.AtValue(map.PointerOf("type"),
                     "unknown job type '" + *type + "' (expected one of: " + JobTypeNames() + ")");
    return std::nullopt;
  }
  if (NeedsAws(*parsed)) {
    problems.AtValue(map.PointerOf("type"), "job type '" + *type +
                                                "' needs AWS and is not supported by Sluice (use "
                                                "one of: " +
                                                JobTypeNames() + ")");
    return std::nullopt;
  }
  job.type = *parsed;
  if (config != nullptr) {
    ReadJobTypeConfig(problems, *config, job.type);
  } else if (!map.Get("config")) {
    map.ReportMissing("config");
  }
  return job;
}

PostRunConfig ReadPostRun(Problems& problems, const Json& value) {
  MapReader map(problems, value, "/postRun",
                {"rules", "driftField", "driftThreshold", "sensorTimeout", "evaluation"});
  PostRunConfig post_run;
  post_run.rules = ReadRules(map, "rules");
  if (map.Get("driftField")) {
    post_run.drift_field = map.String("driftField", true).value_or(post_run.drift_field);
  }
  if (std::optional<double> threshold = map.Number("driftThreshold")) {
    if (*threshold < 0) {
      problems.AtValue(map.PointerOf("driftThreshold"), "must not be negative");
    }
    post_run.drift_threshold = *threshold;
  }
  post_run.sensor_timeout_seconds =
      map.Duration("sensorTimeout", 1).value_or(post_run.sensor_timeout_seconds);
  if (map.Get("evaluation")) {
    problems.AtKey(map.PointerOf("evaluation"),
                   "is not used: post-run rules are checked when a post-run sensor arrives");
  }
  return post_run;
}

// Requirements that span sections; checked on the document so that each holds even when the
// section it names had its own errors.
void CheckAcrossSections(const Json& document, Problems& problems) {
  if (Has(document, {"schedule", "cron"}) && Has(document, {"schedule", "include"})) {
    problems.AtKey("/schedule/include", "cannot be combined with schedule.cron");
  }
  if (Has(document, {"sla", "maxDuration"}) && !Has(document, {"schedule", "trigger"})) {
    problems.AtKey("/sla/maxDuration",
                   "needs schedule.trigger (the relative SLA runs from the first trigger "
                   "sensor's arrival)");
  }
  const bool dry_run = Has(document, {"dryRun"}) && document["dryRun"] == Json(true);
  if (dry_run && !Has(document, {"job", "type"})) problems.AtKey("/dryRun", "needs job.type");
  if (dry_run && !Has(document, {"schedule", "trigger"})) {
    problems.AtKey("/dryRun", "needs schedule.trigger");
  }
}

Result<PipelineConfig, ConfigDiagnostics> Validate(const Json& document, const SourceMarks* marks) {
  Problems problems(marks);
  MapReader root(problems, document, "",
                 {"pipeline", "schedule", "sla", "validation", "job", "postRun", "dryRun"});
  PipelineConfig config;
  if (root.valid()) {
    if (const Json* v = root.Get("pipeline")) config.pipeline = ReadPipelineInfo(problems, *v);
    if (!root.Get("pipeline")) root.ReportMissing("pipeline");
    if (const Json* v = root.Get("schedule")) config.schedule = ReadSchedule(problems, *v);
    if (const Json* v = root.Get("sla")) config.sla = ReadSla(problems, *v);
    if (const Json* v = root.Get("validation")) config.validation = ReadValidation(problems, *v);
    if (const Json* v = root.Get("job")) config.job = ReadJob(problems, *v);
    if (const Json* v = root.Get("postRun")) config.post_run = ReadPostRun(problems, *v);
    config.dry_run = root.Bool("dryRun").value_or(false);
    CheckAcrossSections(document, problems);
  }
  if (!problems.empty()) return Fail(problems.Take());
  config.raw = document;
  return config;
}

}  // namespace

std::optional<JobType> ParseJobType(std::string_view name) {
  for (const auto& entry : kJobTypes) {
    if (entry.name == name) return entry.type;
  }
  return std::nullopt;
}

std::string_view JobTypeName(JobType type) {
  for (const auto& entry : kJobTypes) {
    if (entry.type == type) return entry.name;
  }
  return "?";
}

Result<PipelineConfig, ConfigDiagnostics> ParsePipelineConfig(std::string_view text) {
  auto read = config_internal::ReadSourceDocument(text, "the config is empty");
  if (!read.ok()) return Fail(std::move(read).error());
  return Validate(read->document, &read->marks);
}

Result<PipelineConfig, ConfigDiagnostics> LoadPipelineConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return OneProblem(0, 0, std::string("cannot read: ") + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();  // an empty file sets failbit here; ParsePipelineConfig reports it
  return ParsePipelineConfig(text.str());
}

Result<PipelineConfig, ConfigDiagnostics> PipelineConfigFromJson(const Json& document) {
  return Validate(document, nullptr);
}

std::string FormatConfigDiagnostics(const ConfigDiagnostics& diagnostics, std::string_view label) {
  std::string text;
  for (const ConfigDiagnostic& d : diagnostics) {
    text += std::string(label);
    if (d.line > 0) text += ":" + std::to_string(d.line) + ":" + std::to_string(d.column);
    text +=
        ": " + (d.pointer.empty() ? std::string("(root)") : d.pointer) + ": " + d.message + "\n";
  }
  return text;
}

}  // namespace sluice::pipeline
