// PipelineConfig: one pipeline's YAML (or JSON) configuration, parsed into typed values and
// validated. The schema is Interlock's (docs/pipelines.md is the user's reference):
//
//   pipeline:   {id, owner, description}
//   schedule:   {cron, timezone, trigger: {key, check, field, value, deadline},
//                evaluation: {window, interval}, include: {dates}, exclude: {weekends, dates},
//                time}
//   sla:        {deadline, expectedDuration, maxDuration, timezone, critical}
//   validation: {trigger: ALL|ANY, rules: [{key, check, field, value}]}
//   job:        {type, config, maxRetries, maxCodeRetries, maxDriftReruns, maxManualReruns,
//                jobPollWindowSeconds}
//   postRun:    {rules, driftField, driftThreshold, sensorTimeout}
//   dryRun:     bool
//
// Validation reports every problem at once, each located by a JSON Pointer into the document
// (`/validation/rules/2/check`) and, for text input, the line and column of the offending key or
// value. Unlike Interlock, which loads invalid configs and falls back to defaults, nothing is
// silently defaulted: an unknown key, a wrong type, an unknown check, a bad duration, deadline,
// time zone, cron expression or date, an out-of-range budget, or a missing cross-field
// requirement is an error.
//
// Loading reads the file and the tz database; nothing else does I/O.
//
// Thread rule: a loaded PipelineConfig is immutable and safe to share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "asl/json.h"
#include "asl/result.h"
#include "handlers/pipeline/civil_time.h"
#include "handlers/pipeline/cron.h"
#include "handlers/pipeline/rules.h"
#include "handlers/pipeline/time_zone.h"

namespace sluice::pipeline {

struct PipelineInfo {
  std::string id;  // required; letters, digits, '.', '_', '-'
  std::string owner;
  std::string description;
};

// schedule.trigger: the sensor condition that starts a run, and when that chance closes.
struct TriggerConfig {
  Rule rule;
  std::optional<ClockTime> deadline;  // "HH:MM" or ":MM"
};

struct EvaluationConfig {
  int64_t window_seconds = 3600;   // how long to keep evaluating; > 0
  int64_t interval_seconds = 300;  // between evaluations; > 0
};

// Which execution dates a pipeline runs on (calendar.h applies it).
struct CalendarConfig {
  std::vector<CivilDate> include_dates;  // when non-empty, the only dates that run
  bool exclude_weekends = false;
  std::vector<CivilDate> exclude_dates;
};

struct ScheduleConfig {
  std::optional<CronSchedule> cron;
  std::string timezone_name;  // as written; empty when not set
  TimeZone zone;              // UTC when not set
  std::optional<TriggerConfig> trigger;
  EvaluationConfig evaluation;
  CalendarConfig calendar;
  std::optional<ClockTime> time;  // "HH:MM": when a run is expected to start
};

struct SlaConfig {
  std::optional<ClockTime> deadline;                 // "HH:MM" or ":MM" (hourly)
  std::optional<int64_t> expected_duration_seconds;  // warning offset before the deadline
  std::optional<int64_t> max_duration_seconds;       // relative SLA from first sensor arrival
  std::string timezone_name;                         // as written; empty when not set
  TimeZone zone;                                     // for `deadline`; UTC when not set
  bool critical = false;                             // carried through, no behaviour
};

struct ValidationConfig {
  Combinator trigger = Combinator::kAll;
  std::vector<Rule> rules;
};

// job.type: how a run's job is started (the trigger handlers implement them).
enum class JobType {
  kCommand,        // run a local command
  kHttp,           // send an HTTP request
  kLambda,         // invoke an AWS Lambda function
  kAirflow,        // start an Airflow DAG run
  kGlue,           // start an AWS Glue job
  kEmr,            // add an EMR step
  kEmrServerless,  // start an EMR Serverless job
  kStepFunction,   // start a Step Functions execution
  kDatabricks,     // submit a Databricks run
};
// "command", "http", "lambda", "airflow", "glue", "emr", "emr-serverless", "step-function",
// "databricks".
std::optional<JobType> ParseJobType(std::string_view name);
std::string_view JobTypeName(JobType type);

struct JobConfig {
  JobType type = JobType::kCommand;
  Json config;                             // job.config, an object (free-form, per type)
  int max_retries = 0;                     // 0-10: automatic reruns after a job failure
  int max_code_retries = 1;                // 0-3: the same when the failure is PERMANENT
  int max_drift_reruns = 1;                // 0-5: shared by data-drift and late-data reruns
  int max_manual_reruns = 1;               // 0-5: per other rerun reason
  int64_t job_poll_window_seconds = 3600;  // 60-86400 (0 in the file means the default)
};

struct PostRunConfig {
  std::vector<Rule> rules;  // evaluated with ALL
  std::string drift_field = "sensor_count";
  double drift_threshold = 0;             // >= 0; drift when |delta| > threshold
  int64_t sensor_timeout_seconds = 7200;  // > 0
};

struct PipelineConfig {
  PipelineInfo pipeline;
  ScheduleConfig schedule;
  std::optional<SlaConfig> sla;
  ValidationConfig validation;
  std::optional<JobConfig> job;
  std::optional<PostRunConfig> post_run;
  bool dry_run = false;
  Json raw;  // the document as parsed, for handlers that pass parts of it on

  // "cron" when schedule.cron is set, else "stream" (Interlock's scheduleId).
  std::string_view schedule_id() const { return schedule.cron ? "cron" : "stream"; }
};

// One problem in a config.
struct ConfigDiagnostic {
  std::string pointer;  // JSON Pointer, e.g. "/validation/rules/2/check"; "" is the document
  int line = 0;         // 1-based; 0 when unknown (JSON input, or a syntax error)
  int column = 0;       // 1-based; 0 when unknown
  std::string message;  // one sentence, no trailing period
};
using ConfigDiagnostics = std::vector<ConfigDiagnostic>;

// Parses and validates config text (YAML, or JSON when it starts with '{'). Diagnostics are in
// document order.
Result<PipelineConfig, ConfigDiagnostics> ParsePipelineConfig(std::string_view text);

// Reads `path` and parses it.
Result<PipelineConfig, ConfigDiagnostics> LoadPipelineConfigFile(const std::string& path);

// Validates an already-parsed document (no line numbers).
Result<PipelineConfig, ConfigDiagnostics> PipelineConfigFromJson(const Json& document);

// One line per diagnostic: "LABEL:LINE:COLUMN: POINTER: message" ("LABEL: POINTER: message"
// without a position; "(root)" for the empty pointer).
std::string FormatConfigDiagnostics(const ConfigDiagnostics& diagnostics, std::string_view label);

}  // namespace sluice::pipeline
