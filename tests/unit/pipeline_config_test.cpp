// Pipeline configs: durations, clock times and execution dates, cron syntax, the typed config
// and every kind of validation problem with its location.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "handlers/pipeline/civil_time.h"
#include "handlers/pipeline/config.h"
#include "handlers/pipeline/cron.h"
#include "handlers/pipeline/duration.h"

namespace sluice::pipeline {
namespace {

// Durations ---------------------------------------------------------------------------------

TEST(PipelineParseDurationTest, ReadsGoSyntaxAndDays) {
  EXPECT_EQ(*ParseDuration("0"), 0);
  EXPECT_EQ(*ParseDuration("0s"), 0);
  EXPECT_EQ(*ParseDuration("90s"), 90);
  EXPECT_EQ(*ParseDuration("5m"), 300);
  EXPECT_EQ(*ParseDuration("2h"), 7200);
  EXPECT_EQ(*ParseDuration("1h30m"), 5400);
  EXPECT_EQ(*ParseDuration("1d"), 86400);
  EXPECT_EQ(*ParseDuration("1d2h"), 93600);
  EXPECT_EQ(*ParseDuration("1.5h"), 5400);
  EXPECT_EQ(*ParseDuration(".5m"), 30);
  EXPECT_EQ(*ParseDuration("1.m"), 60);
  EXPECT_EQ(*ParseDuration("2000ms"), 2);
  EXPECT_EQ(*ParseDuration("3000000us"), 3);
  EXPECT_EQ(*ParseDuration("1000000000ns"), 1);
  EXPECT_EQ(*ParseDuration("1m1h"), 3660);  // any order, as in Go
}

TEST(PipelineParseDurationTest, RejectsWithClearMessages) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "invalid duration \"\": empty"},
      {"3600", "invalid duration \"3600\": missing unit after \"3600\""},
      {"5x", "invalid duration \"5x\": unknown unit \"x\" (use s, m, h or d)"},
      {"1w", "invalid duration \"1w\": unknown unit \"w\" (use s, m, h or d)"},
      {"500ms", "invalid duration \"500ms\": not a whole number of seconds"},
      {"1.5s", "invalid duration \"1.5s\": not a whole number of seconds"},
      {"-1h", "invalid duration \"-1h\": a sign is not allowed"},
      {"+1h", "invalid duration \"+1h\": a sign is not allowed"},
      {" 5m", "invalid duration \" 5m\": expected a number at \" 5m\""},
      {"h", "invalid duration \"h\": expected a number at \"h\""},
      {".h", "invalid duration \".h\": expected a number at \".h\""},
      {"1h 30m", "invalid duration \"1h 30m\": expected a number at \" 30m\""},
      {"99999999999999999999h", "invalid duration \"99999999999999999999h\": too large"},
      {"106752d", "invalid duration \"106752d\": too large"},
  };
  for (const auto& [text, message] : cases) {
    Result<int64_t> parsed = ParseDuration(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.error(), message);
  }
  // Just inside the int64-nanosecond limit.
  EXPECT_TRUE(ParseDuration("106751d").ok());
}

TEST(PipelineFormatDurationTest, IsShortestAndRoundTrips) {
  EXPECT_EQ(FormatDuration(0), "0s");
  EXPECT_EQ(FormatDuration(45), "45s");
  EXPECT_EQ(FormatDuration(90), "1m30s");
  EXPECT_EQ(FormatDuration(3600), "1h");
  EXPECT_EQ(FormatDuration(93600), "1d2h");
  EXPECT_EQ(FormatDuration(-1800), "-30m");
  for (int64_t seconds : {1, 59, 61, 3599, 3661, 86399, 86401, 9000000}) {
    EXPECT_EQ(*ParseDuration(FormatDuration(seconds)), seconds) << seconds;
  }
}

// Civil values ------------------------------------------------------------------------------

TEST(PipelineClockTimeTest, ParsesHourMinuteAndMinuteOnly) {
  Result<ClockTime> eight = ParseClockTime("08:00", true);
  ASSERT_TRUE(eight.ok());
  EXPECT_EQ(eight->hour, 8);
  EXPECT_EQ(eight->minute, 0);
  Result<ClockTime> half = ParseClockTime(":30", true);
  ASSERT_TRUE(half.ok());
  EXPECT_FALSE(half->hour.has_value());
  EXPECT_EQ(half->minute, 30);
  EXPECT_EQ(FormatClockTime(*half), ":30");
  EXPECT_EQ(FormatClockTime(*ParseClockTime("23:59", false)), "23:59");
  for (const char* bad : {"8pm", "8:00", "24:00", "12:60", "12:5", ":5", ":60", "", "12:00:00"}) {
    EXPECT_FALSE(ParseClockTime(bad, true).ok()) << bad;
  }
  EXPECT_EQ(ParseClockTime(":30", false).error(),
            "\":30\" is not a time of day (expected \"HH:MM\")");
  EXPECT_EQ(ParseClockTime("8pm", true).error(),
            "\"8pm\" is not a time of day (expected \"HH:MM\" or \":MM\")");
}

TEST(PipelineExecutionDateTest, ParsesDailyAndHourly) {
  Result<ExecutionDate> daily = ParseExecutionDate("2026-03-28");
  ASSERT_TRUE(daily.ok());
  EXPECT_EQ(daily->date, (CivilDate{2026, 3, 28}));
  EXPECT_FALSE(daily->hour.has_value());
  Result<ExecutionDate> hourly = ParseExecutionDate("2026-03-28T23");
  ASSERT_TRUE(hourly.ok());
  EXPECT_EQ(hourly->hour, 23);
  EXPECT_EQ(FormatExecutionDate(*hourly), "2026-03-28T23");
  for (const char* bad : {"20260328", "2026-02-29", "2026-03-28T24", "2026-03-28 10",
                          "2026-03-28T1", "2026-3-28", ""}) {
    EXPECT_FALSE(ParseExecutionDate(bad).ok()) << bad;
  }
  EXPECT_TRUE(ParseExecutionDate("2028-02-29").ok());
}

// Cron syntax -------------------------------------------------------------------------------

TEST(PipelineCronParseTest, AcceptsClassicSyntax) {
  for (const char* text :
       {"0 6 * * *", "*/15 * * * *", "0 9-17/2 * * MON-FRI", "5/10 * * * *", "0 0 1,15 jan,jul *",
        "0 0 * * 7", "0 0 29 2 *", "@daily", "@hourly", "0\t6  *\t* *"}) {
    EXPECT_TRUE(CronSchedule::Parse(text).ok()) << text;
  }
}

TEST(PipelineCronParseTest, RejectsWithTheFieldAndProblem) {
  const std::pair<const char*, const char*> cases[] = {
      {"0 6 * * * *", "expected 5 fields (minute hour day-of-month month day-of-week), got 6"},
      {"0 6 * *", "expected 5 fields (minute hour day-of-month month day-of-week), got 4"},
      {"0 24 * * *", "hour 24 is out of range 0-23"},
      {"60 * * * *", "minute 60 is out of range 0-59"},
      {"0 0 0 * *", "day-of-month 0 is out of range 1-31"},
      {"0 0 * 13 *", "month 13 is out of range 1-12"},
      {"0 0 * * 8", "day-of-week 8 is out of range 0-7"},
      {"0 0 ? * MON", "day-of-month uses '?', which is AWS six-field syntax; use '*'"},
      {"0 0 * * FRI-MON", "day-of-week range FRI-MON runs backwards"},
      {"*/0 * * * *", "minute step must be at least 1"},
      {"1,,2 * * * *", "minute has an empty list item"},
      {"0 0 * FOO *", "month value \"FOO\" is not a number or name"},
      {"x * * * *", "minute value \"x\" is not a number"},
      {"0 0 L * *", "day-of-month value \"L\" is not a number"},
      {"0 0 30 2 *", "never fires (no selected month has a selected day)"},
      {"0 0 31 4,6,9,11 *", "never fires (no selected month has a selected day)"},
      {"@reboot", "unknown macro"},
  };
  for (const auto& [text, why] : cases) {
    Result<CronSchedule> cron = CronSchedule::Parse(text);
    ASSERT_FALSE(cron.ok()) << text;
    EXPECT_EQ(cron.error(), "invalid cron expression \"" + std::string(text) + "\": " + why);
  }
}

TEST(PipelineCronParseTest, DayFieldsCombineLikeVixieCron) {
  // Both restricted: either matches.
  const CronSchedule either = *CronSchedule::Parse("0 0 13 * FRI");
  EXPECT_TRUE(either.Matches({{2026, 3, 6}, 0, 0, 0}));   // a Friday, not the 13th
  EXPECT_TRUE(either.Matches({{2026, 4, 13}, 0, 0, 0}));  // the 13th, a Monday
  EXPECT_FALSE(either.Matches({{2026, 3, 7}, 0, 0, 0}));
  // A field starting with '*' counts as unrestricted: both must match.
  const CronSchedule both = *CronSchedule::Parse("0 0 */13 * FRI");  // days 1, 14, 27
  EXPECT_TRUE(both.Matches({{2026, 3, 27}, 0, 0, 0}));
  EXPECT_FALSE(both.Matches({{2026, 3, 6}, 0, 0, 0}));
  EXPECT_FALSE(both.Matches({{2026, 3, 14}, 0, 0, 0}));  // a Saturday
  // 0 and 7 are both Sunday.
  EXPECT_TRUE(CronSchedule::Parse("0 0 * * 7")->Matches({{2026, 3, 1}, 0, 0, 0}));
  EXPECT_TRUE(CronSchedule::Parse("0 0 * * 0")->Matches({{2026, 3, 1}, 0, 0, 0}));
}

// Typed config ------------------------------------------------------------------------------

constexpr const char* kFullConfig = R"(pipeline:
  id: silver-cdr
  owner: data-eng
  description: Silver CDR aggregation
schedule:
  timezone: America/New_York
  trigger:
    key: upstream-complete
    check: equals
    field: status
    value: ready
    deadline: ":45"
  evaluation:
    window: 2h
    interval: 90s
  include:
    dates: ["2026-03-05", "2026-03-15"]
  exclude:
    weekends: true
    dates: ["2026-12-25"]
  time: "06:30"
sla:
  deadline: "08:00"
  expectedDuration: 30m
  maxDuration: 4h
  timezone: Europe/London
  critical: true
validation:
  trigger: any
  rules:
    - key: upstream-complete
      check: gte
      field: count
      value: "100"
    - key: upstream-complete
      check: age_gt
      field: updatedAt
      value: 1d
    - key: marker
      check: exists
job:
  type: http
  config: {url: "https://example.com/run", headers: {X-Token: abc}}
  maxRetries: 10
  maxCodeRetries: 0
  maxDriftReruns: 5
  maxManualReruns: 2
  jobPollWindowSeconds: 0
postRun:
  rules:
    - key: output
      check: gt
      field: sensor_count
      value: 0
  driftField: rows
  driftThreshold: 2.5
  sensorTimeout: 90m
dryRun: false
)";

TEST(PipelineConfigTest, ParsesEverySection) {
  Result<PipelineConfig, ConfigDiagnostics> parsed = ParsePipelineConfig(kFullConfig);
  ASSERT_TRUE(parsed.ok()) << FormatConfigDiagnostics(parsed.error(), "full");
  const PipelineConfig& c = *parsed;
  EXPECT_EQ(c.pipeline.id, "silver-cdr");
  EXPECT_EQ(c.pipeline.owner, "data-eng");
  EXPECT_EQ(c.pipeline.description, "Silver CDR aggregation");
  EXPECT_FALSE(c.schedule.cron.has_value());
  EXPECT_EQ(c.schedule_id(), "stream");
  EXPECT_EQ(c.schedule.timezone_name, "America/New_York");
  EXPECT_EQ(c.schedule.zone.name(), "America/New_York");
  ASSERT_TRUE(c.schedule.trigger.has_value());
  EXPECT_EQ(c.schedule.trigger->rule.key, "upstream-complete");
  EXPECT_EQ(c.schedule.trigger->rule.check, Check::kEquals);
  EXPECT_EQ(c.schedule.trigger->rule.field, "status");
  EXPECT_EQ(c.schedule.trigger->rule.value, Json("ready"));
  ASSERT_TRUE(c.schedule.trigger->deadline.has_value());
  EXPECT_FALSE(c.schedule.trigger->deadline->hour.has_value());
  EXPECT_EQ(c.schedule.trigger->deadline->minute, 45);
  EXPECT_EQ(c.schedule.evaluation.window_seconds, 7200);
  EXPECT_EQ(c.schedule.evaluation.interval_seconds, 90);
  EXPECT_EQ(c.schedule.calendar.include_dates,
            (std::vector<CivilDate>{{2026, 3, 5}, {2026, 3, 15}}));
  EXPECT_TRUE(c.schedule.calendar.exclude_weekends);
  EXPECT_EQ(c.schedule.calendar.exclude_dates, (std::vector<CivilDate>{{2026, 12, 25}}));
  EXPECT_EQ(c.schedule.time->hour, 6);
  EXPECT_EQ(c.schedule.time->minute, 30);
  ASSERT_TRUE(c.sla.has_value());
  EXPECT_EQ(c.sla->deadline->hour, 8);
  EXPECT_EQ(c.sla->expected_duration_seconds, 1800);
  EXPECT_EQ(c.sla->max_duration_seconds, 14400);
  EXPECT_EQ(c.sla->zone.name(), "Europe/London");
  EXPECT_TRUE(c.sla->critical);
  EXPECT_EQ(c.validation.trigger, Combinator::kAny);
  ASSERT_EQ(c.validation.rules.size(), 3u);
  EXPECT_EQ(c.validation.rules[0].check, Check::kGte);
  EXPECT_EQ(c.validation.rules[0].value, Json("100"));  // quoted: stays a string
  EXPECT_EQ(c.validation.rules[1].check, Check::kAgeGt);
  EXPECT_EQ(c.validation.rules[2].check, Check::kExists);
  EXPECT_EQ(c.validation.rules[2].field, "");
  ASSERT_TRUE(c.job.has_value());
  EXPECT_EQ(c.job->type, JobType::kHttp);
  EXPECT_EQ(c.job->config["headers"]["X-Token"], "abc");
  EXPECT_EQ(c.job->max_retries, 10);
  EXPECT_EQ(c.job->max_code_retries, 0);
  EXPECT_EQ(c.job->max_drift_reruns, 5);
  EXPECT_EQ(c.job->max_manual_reruns, 2);
  EXPECT_EQ(c.job->job_poll_window_seconds, 3600);  // 0 means the default
  ASSERT_TRUE(c.post_run.has_value());
  ASSERT_EQ(c.post_run->rules.size(), 1u);
  EXPECT_EQ(c.post_run->rules[0].value, Json(0));
  EXPECT_EQ(c.post_run->drift_field, "rows");
  EXPECT_DOUBLE_EQ(c.post_run->drift_threshold, 2.5);
  EXPECT_EQ(c.post_run->sensor_timeout_seconds, 5400);
  EXPECT_FALSE(c.dry_run);
  EXPECT_EQ(c.raw["job"]["config"]["url"], "https://example.com/run");
}

TEST(PipelineConfigTest, AppliesDefaults) {
  Result<PipelineConfig, ConfigDiagnostics> parsed =
      ParsePipelineConfig("pipeline: {id: p}\njob: {type: command, config: {command: 'true'}}\n");
  ASSERT_TRUE(parsed.ok()) << FormatConfigDiagnostics(parsed.error(), "p");
  const PipelineConfig& c = *parsed;
  EXPECT_EQ(c.schedule.zone.name(), "UTC");
  EXPECT_EQ(c.schedule.timezone_name, "");
  EXPECT_EQ(c.schedule.evaluation.window_seconds, 3600);
  EXPECT_EQ(c.schedule.evaluation.interval_seconds, 300);
  EXPECT_FALSE(c.sla.has_value());
  EXPECT_EQ(c.validation.trigger, Combinator::kAll);
  EXPECT_TRUE(c.validation.rules.empty());
  EXPECT_EQ(c.job->max_retries, 0);
  EXPECT_EQ(c.job->max_code_retries, 1);
  EXPECT_EQ(c.job->max_drift_reruns, 1);
  EXPECT_EQ(c.job->max_manual_reruns, 1);
  EXPECT_EQ(c.job->job_poll_window_seconds, 3600);
  EXPECT_FALSE(c.post_run.has_value());
  EXPECT_EQ(c.schedule_id(), "stream");
}

TEST(PipelineConfigTest, CronPipeline) {
  Result<PipelineConfig, ConfigDiagnostics> parsed =
      ParsePipelineConfig("pipeline: {id: nightly}\nschedule: {cron: '0 6 * * *'}\n");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->schedule_id(), "cron");
  EXPECT_EQ(parsed->schedule.cron->text(), "0 6 * * *");
}

TEST(PipelineConfigTest, AcceptsJsonDocuments) {
  Result<PipelineConfig, ConfigDiagnostics> text = ParsePipelineConfig(
      R"({"pipeline": {"id": "p"}, "job": {"type": "command", "maxRetries": 3, "config": {"command": "x"}}})");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->job->max_retries, 3);

  Json document = {{"pipeline", {{"id", "p"}}}, {"job", {{"type", "nope"}}}};
  Result<PipelineConfig, ConfigDiagnostics> value = PipelineConfigFromJson(document);
  ASSERT_FALSE(value.ok());
  ASSERT_EQ(value.error().size(), 1u);
  EXPECT_EQ(value.error()[0].pointer, "/job/type");
  EXPECT_EQ(value.error()[0].line, 0);  // no text, no position
}

// Validation problems -----------------------------------------------------------------------

// The formatted diagnostics of a config that must fail.
std::string Problems(const std::string& text) {
  Result<PipelineConfig, ConfigDiagnostics> parsed = ParsePipelineConfig(text);
  if (parsed.ok()) return "(valid)";
  return FormatConfigDiagnostics(parsed.error(), "p.yaml");
}

TEST(PipelineConfigValidationTest, ReportsEveryProblemWithItsLocation) {
  const std::string text = R"(pipeline:
  id: "bad id"
  ownr: me
schedule:
  cron: "0 25 * * *"
  timezone: Mars/Olympus_Mons
  evaluation:
    window: 3600
    interval: 500ms
validation:
  trigger: SOME
  rules:
    - key: a
      check: gt
      field: count
      value: abc
    - key: b
      check: regex
      field: x
      value: y
job:
  type: foo
  maxRetries: 11
extra: 1
)";
  EXPECT_EQ(Problems(text),
            "p.yaml:2:7: /pipeline/id: \"bad id\" is not a pipeline id (use letters, digits, "
            "'-', '_' and '.')\n"
            "p.yaml:3:3: /pipeline/ownr: unknown key 'ownr' (expected one of: id, owner, "
            "description)\n"
            "p.yaml:5:9: /schedule/cron: invalid cron expression \"0 25 * * *\": hour 25 is out "
            "of range 0-23\n"
            "p.yaml:6:13: /schedule/timezone: unknown time zone \"Mars/Olympus_Mons\" (not in the "
            "system tz database)\n"
            "p.yaml:8:13: /schedule/evaluation/window: expected a duration string such as "
            "\"90s\", \"5m\", \"1h30m\" or \"1d\", got the number 3600\n"
            "p.yaml:9:15: /schedule/evaluation/interval: invalid duration \"500ms\": not a whole "
            "number of seconds\n"
            "p.yaml:11:12: /validation/trigger: expected ALL or ANY, got \"SOME\"\n"
            "p.yaml:16:14: /validation/rules/0/value: check 'gt' needs a number (or a numeric "
            "string), got the string \"abc\"\n"
            "p.yaml:18:14: /validation/rules/1/check: unknown check 'regex' (expected one of: "
            "exists, equals, gt, gte, lt, lte, age_lt, age_gt)\n"
            "p.yaml:22:9: /job/type: unknown job type 'foo' (expected one of: command, http, "
            "airflow, step-function, databricks)\n"
            "p.yaml:23:15: /job/maxRetries: 11 is out of range 0-10\n"
            "p.yaml:24:1: /extra: unknown key 'extra' (expected one of: pipeline, schedule, sla, "
            "validation, job, postRun, dryRun)\n");
}

TEST(PipelineConfigValidationTest, WrongTypes) {
  EXPECT_EQ(Problems("pipeline: [a]\n"), "p.yaml:1:11: /pipeline: expected a map, got a list\n");
  EXPECT_EQ(Problems("- a\n"), "p.yaml:1:1: (root): expected a map, got a list\n");
  EXPECT_EQ(Problems("pipeline: {id: 12}\n"),
            "p.yaml:1:16: /pipeline/id: expected a string, got the number 12\n");
  EXPECT_EQ(Problems("pipeline: {id: p}\ndryRun: yes\n"),
            "p.yaml:2:9: /dryRun: expected a boolean (true or false), got the string \"yes\"\n");
  EXPECT_EQ(
      Problems("pipeline: {id: p}\njob: {type: command, maxRetries: '3', config: {command: x}}\n"),
      "p.yaml:2:34: /job/maxRetries: expected an integer, got the string \"3\"\n");
  EXPECT_EQ(
      Problems("pipeline: {id: p}\njob: {type: command, maxRetries: 1.5, config: {command: x}}\n"),
      "p.yaml:2:34: /job/maxRetries: expected an integer, got the number 1.5\n");
  EXPECT_EQ(Problems("pipeline: {id: p}\njob: {type: command, config: run.sh}\n"),
            "p.yaml:2:30: /job/config: expected a map, got the string \"run.sh\"\n");
  EXPECT_EQ(Problems("pipeline: {id: p}\nvalidation: {rules: {key: a}}\n"),
            "p.yaml:2:21: /validation/rules: expected a list, got a map\n");
  EXPECT_EQ(Problems("pipeline: {id: p}\npostRun: {driftThreshold: '5'}\n"),
            "p.yaml:2:27: /postRun/driftThreshold: expected a number, got the string \"5\"\n");
  // An empty YAML value is null, located at its key.
  EXPECT_EQ(Problems("pipeline:\n  id: p\nsla:\n"), "p.yaml:3:1: /sla: expected a map, got null\n");
}

TEST(PipelineConfigValidationTest, MissingRequiredKeys) {
  EXPECT_EQ(Problems("job: {type: command, config: {command: x}}\n"),
            "p.yaml:1:1: (root): missing required key 'pipeline'\n");
  EXPECT_EQ(Problems("pipeline: {owner: me}\n"),
            "p.yaml:1:11: /pipeline: missing required key 'id'\n");
  EXPECT_EQ(Problems("pipeline: {id: ''}\n"), "p.yaml:1:16: /pipeline/id: must not be empty\n");
  EXPECT_EQ(Problems("pipeline: {id: p}\njob: {maxRetries: 1}\n"),
            "p.yaml:2:6: /job: missing required key 'type'\n");
}

TEST(PipelineConfigValidationTest, RuleProblems) {
  const std::string text = R"(pipeline: {id: p}
validation:
  rules:
    - {key: SENSOR#a, check: exists}
    - {check: exists}
    - {key: b, check: gte}
    - {key: c, check: age_lt, field: t, value: 3600}
    - {key: d, check: age_gt, field: t, value: 1fortnight}
    - {key: e, check: equals, field: ''}
    - {key: f, check: EQUALS, field: x, value: 1}
    - {key: g, check: lt, field: x, value: 1, op: lt}
)";
  EXPECT_EQ(Problems(text),
            "p.yaml:4:13: /validation/rules/0/key: sensor keys are written without the "
            "'SENSOR#' prefix (it would never match)\n"
            "p.yaml:5:7: /validation/rules/1: missing required key 'key'\n"
            "p.yaml:6:7: /validation/rules/2: check 'gte' needs a field\n"
            "p.yaml:6:7: /validation/rules/2: check 'gte' needs a value\n"
            "p.yaml:7:48: /validation/rules/3/value: check 'age_lt' needs a duration string such "
            "as \"30m\" or \"1d\", got the number 3600\n"
            "p.yaml:8:48: /validation/rules/4/value: invalid duration \"1fortnight\": unknown "
            "unit \"fortnight\" (use s, m, h or d)\n"
            "p.yaml:9:7: /validation/rules/5: check 'equals' needs a value\n"
            "p.yaml:9:38: /validation/rules/5/field: must not be empty\n"
            "p.yaml:10:23: /validation/rules/6/check: unknown check 'EQUALS' (expected one of: "
            "exists, equals, gt, gte, lt, lte, age_lt, age_gt)\n"
            "p.yaml:11:47: /validation/rules/7/op: unknown key 'op' (expected one of: key, "
            "check, field, value)\n");
}

TEST(PipelineConfigValidationTest, ScheduleProblems) {
  const std::string text = R"(pipeline: {id: p}
schedule:
  trigger: {key: a, check: exists, deadline: "9am"}
  include: {dates: []}
  exclude: {weekends: true, dates: ["2026-02-30", 20260301], holidays: us}
  calendar: us-federal
  time: ":30"
)";
  EXPECT_EQ(Problems(text),
            "p.yaml:3:46: /schedule/trigger/deadline: \"9am\" is not a time of day (expected "
            "\"HH:MM\" or \":MM\")\n"
            "p.yaml:4:20: /schedule/include/dates: must list at least one date\n"
            "p.yaml:5:37: /schedule/exclude/dates/0: expected a date \"YYYY-MM-DD\", got the "
            "string \"2026-02-30\"\n"
            "p.yaml:5:51: /schedule/exclude/dates/1: expected a date \"YYYY-MM-DD\", got the "
            "number 20260301\n"
            "p.yaml:5:62: /schedule/exclude/holidays: named calendars are not supported; list "
            "the dates in schedule.exclude.dates\n"
            "p.yaml:6:3: /schedule/calendar: named calendars are not supported; list the dates "
            "in schedule.exclude.dates\n"
            "p.yaml:7:9: /schedule/time: \":30\" is not a time of day (expected \"HH:MM\")\n");
  EXPECT_EQ(Problems("pipeline: {id: p}\nschedule: {include: {}}\n"),
            "p.yaml:2:21: /schedule/include: missing required key 'dates'\n");
  EXPECT_EQ(Problems("pipeline: {id: p}\nschedule: {evaluation: {interval: 0s}}\n"),
            "p.yaml:2:35: /schedule/evaluation/interval: must be at least 1s\n");
  EXPECT_EQ(Problems("pipeline: {id: p}\nschedule: {timezone: ../../etc/passwd}\n"),
            "p.yaml:2:22: /schedule/timezone: unknown time zone \"../../etc/passwd\" (not in the "
            "system tz database)\n");
}

TEST(PipelineConfigValidationTest, SlaProblems) {
  EXPECT_EQ(Problems("pipeline: {id: p}\nsla: {deadline: 8pm, expectedDuration: soon}\n"),
            "p.yaml:2:17: /sla/deadline: \"8pm\" is not a time of day (expected \"HH:MM\" or "
            "\":MM\")\n"
            "p.yaml:2:40: /sla/expectedDuration: invalid duration \"soon\": expected a number "
            "at \"soon\"\n");
  EXPECT_EQ(Problems("pipeline: {id: p}\nsla: {timezone: UTC}\n"),
            "p.yaml:2:6: /sla: needs a deadline or a maxDuration\n");
  EXPECT_EQ(Problems("pipeline: {id: p}\nsla: {deadline: '08:00'}\n"),
            "p.yaml:2:7: /sla/deadline: needs sla.expectedDuration (how long before the "
            "deadline to warn)\n");
  EXPECT_EQ(Problems("pipeline: {id: p}\nschedule: {trigger: {key: a, check: exists}}\n"
                     "sla: {maxDuration: 25h}\n"),
            "p.yaml:3:20: /sla/maxDuration: must be at most 24h\n");
  EXPECT_EQ(Problems("pipeline: {id: p}\nsla: {maxDuration: 2h}\n"),
            "p.yaml:2:7: /sla/maxDuration: needs schedule.trigger (the relative SLA runs from "
            "the first trigger sensor's arrival)\n");
  EXPECT_EQ(Problems("pipeline: {id: p}\nsla: {deadline: '08:00', expectedDuration: 1h, "
                     "timezone: Europe/Nowhere}\n"),
            "p.yaml:2:58: /sla/timezone: unknown time zone \"Europe/Nowhere\" (not in the system "
            "tz database)\n");
}

// Interlock's TestValidatePipelineConfig bounds.
TEST(PipelineConfigValidationTest, JobBudgetsAndPollWindow) {
  const auto job = [](const std::string& fields) {
    return Problems("pipeline: {id: p}\njob: {type: command, " + fields +
                    ", config: {command: x}}\n");
  };
  EXPECT_EQ(job("maxRetries: -1"), "p.yaml:2:34: /job/maxRetries: -1 is out of range 0-10\n");
  EXPECT_EQ(job("maxRetries: 10"), "(valid)");
  EXPECT_EQ(job("maxDriftReruns: 6"), "p.yaml:2:38: /job/maxDriftReruns: 6 is out of range 0-5\n");
  EXPECT_EQ(job("maxManualReruns: 6"),
            "p.yaml:2:39: /job/maxManualReruns: 6 is out of range 0-5\n");
  EXPECT_EQ(job("maxDriftReruns: 0, maxManualReruns: 0"), "(valid)");
  EXPECT_EQ(job("maxCodeRetries: 4"), "p.yaml:2:38: /job/maxCodeRetries: 4 is out of range 0-3\n");
  EXPECT_EQ(job("jobPollWindowSeconds: 30"),
            "p.yaml:2:44: /job/jobPollWindowSeconds: 30 is out of range: use 0 (the default, "
            "3600) or 60-86400\n");
  EXPECT_EQ(job("jobPollWindowSeconds: 100000"),
            "p.yaml:2:44: /job/jobPollWindowSeconds: 100000 is out of range 0-86400\n");
  EXPECT_EQ(job("jobPollWindowSeconds: -5"),
            "p.yaml:2:44: /job/jobPollWindowSeconds: -5 is out of range 0-86400\n");
  EXPECT_EQ(job("jobPollWindowSeconds: 60"), "(valid)");
  EXPECT_EQ(job("maxRetries: 99999999999999999999"),
            "p.yaml:2:34: /job/maxRetries: expected an integer, got the number 1e+20\n");
}

TEST(PipelineConfigValidationTest, CrossSectionRequirements) {
  EXPECT_EQ(Problems("pipeline: {id: p}\nschedule: {cron: '0 6 * * *', include: {dates: "
                     "['2026-03-05']}}\n"),
            "p.yaml:2:31: /schedule/include: cannot be combined with schedule.cron\n");
  EXPECT_EQ(Problems("pipeline: {id: p}\ndryRun: true\n"),
            "p.yaml:2:1: /dryRun: needs job.type\np.yaml:2:1: /dryRun: needs schedule.trigger\n");
  // Interlock's "four violations at once": all four are reported.
  const std::string four = R"(pipeline: {id: p}
schedule: {cron: '0 6 * * *', include: {dates: ['2026-03-05']}}
sla: {maxDuration: 2h}
job: {type: command, maxRetries: 11, maxCodeRetries: 4, config: {command: x}}
)";
  Result<PipelineConfig, ConfigDiagnostics> parsed = ParsePipelineConfig(four);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().size(), 4u) << FormatConfigDiagnostics(parsed.error(), "four");
}

TEST(PipelineConfigValidationTest, UnusedReferenceKeysAreRefused) {
  EXPECT_EQ(Problems("pipeline: {id: p}\npostRun: {evaluation: {window: 1h}}\n"),
            "p.yaml:2:11: /postRun/evaluation: is not used: post-run rules are checked when a "
            "post-run sensor arrives\n");
  EXPECT_EQ(Problems("pipeline: {id: p}\npostRun: {driftThreshold: -1, driftField: ''}\n"),
            "p.yaml:2:27: /postRun/driftThreshold: must not be negative\n"
            "p.yaml:2:43: /postRun/driftField: must not be empty\n");
}

TEST(PipelineConfigValidationTest, SyntaxErrors) {
  EXPECT_EQ(Problems(""), "p.yaml: (root): the config is empty\n");
  EXPECT_EQ(Problems("pipeline: {id: p\n"),
            "p.yaml:2:1: (root): invalid YAML: end of map flow not found\n");
  EXPECT_EQ(Problems("pipeline: {id: p}\npipeline: {id: q}\n"),
            "p.yaml: (root): invalid YAML at line 2, column 1: duplicate key 'pipeline'\n");
  EXPECT_EQ(Problems("{\"pipeline\": }"),
            "p.yaml: (root): invalid JSON at line 1, column 14: syntax error while parsing "
            "value - unexpected '}'; expected '[', '{', or a literal\n");
}

TEST(PipelineConfigFileTest, LoadsAFileAndReportsUnreadableOnes) {
  const std::string path = testing::TempDir() + "/pipeline_config_test.yaml";
  {
    std::ofstream out(path);
    out << kFullConfig;
  }
  Result<PipelineConfig, ConfigDiagnostics> loaded = LoadPipelineConfigFile(path);
  std::remove(path.c_str());
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->pipeline.id, "silver-cdr");

  Result<PipelineConfig, ConfigDiagnostics> missing =
      LoadPipelineConfigFile(testing::TempDir() + "/no-such-pipeline.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(FormatConfigDiagnostics(missing.error(), "x.yaml"),
            "x.yaml: (root): cannot read: No such file or directory\n");
}

}  // namespace
}  // namespace sluice::pipeline
