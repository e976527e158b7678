// Civil (calendar) time for the pipeline safety controller: dates, wall-clock times, execution
// dates and the "HH:MM" / ":MM" clock times of pipeline configs.
//
// Conventions shared by every header in handlers/pipeline/:
//  - an instant is int64 nanoseconds since the Unix epoch (UTC), named `*_ns`, as in asl/;
//  - a duration is int64 whole seconds, named `*_seconds` (duration.h parses them);
//  - civil values carry no zone; time_zone.h maps them to and from instants.
// Nothing here reads the clock: `now` is always a parameter.
//
// Calendar: proleptic Gregorian, computed with Howard Hinnant's date library (<date/date.h>:
// year_month_day, weekday, sys_days), so years are limited to date::year's range, -32767..32767.
// Text is parsed strictly (zero-padded, four-digit years).
//
// Thread rule: pure functions and value types; safe everywhere.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "asl/result.h"

namespace sluice::pipeline {

constexpr int64_t kNanosPerSecond = 1'000'000'000;
constexpr int64_t kSecondsPerDay = 86'400;

struct CivilDate {
  int year = 1970;
  int month = 1;  // 1-12
  int day = 1;    // 1-31
  friend auto operator<=>(const CivilDate&, const CivilDate&) = default;
};

// A wall-clock reading to the second, in no particular zone.
struct CivilDateTime {
  CivilDate date;
  int hour = 0;    // 0-23
  int minute = 0;  // 0-59
  int second = 0;  // 0-59
  friend auto operator<=>(const CivilDateTime&, const CivilDateTime&) = default;
};

int DaysInMonth(int year, int month);
// Days since 1970-01-01.
int64_t DaysFromCivil(const CivilDate& date);
CivilDate CivilFromDays(int64_t days);
CivilDate AddDays(const CivilDate& date, int64_t days);
// 0 = Sunday ... 6 = Saturday.
int Weekday(const CivilDate& date);

// "Local seconds": seconds since 1970-01-01T00:00:00 on a zone-less clock. Lets callers do
// wall-clock arithmetic ("the same time tomorrow", "one hour later") before choosing a zone.
int64_t ToLocalSeconds(const CivilDateTime& time);
CivilDateTime FromLocalSeconds(int64_t local_seconds);

// Floor division of an instant to whole seconds (correct before 1970 too).
int64_t FloorSeconds(int64_t instant_ns);

// Strictly "YYYY-MM-DD" with a real calendar day.
std::optional<CivilDate> ParseDate(std::string_view text);
std::string FormatDate(const CivilDate& date);

// "2026-03-28T08:00:00Z": UTC, second precision (sub-seconds truncated towards the past). The
// format of SLA times and events.
std::string FormatUtcSeconds(int64_t instant_ns);

// The date a pipeline run is for: "YYYY-MM-DD" (a daily run) or "YYYY-MM-DDTHH" (an hourly run
// for hour HH, 00-23).
struct ExecutionDate {
  CivilDate date;
  std::optional<int> hour;
};
Result<ExecutionDate> ParseExecutionDate(std::string_view text);
std::string FormatExecutionDate(const ExecutionDate& date);

// A clock time from a config: "HH:MM" (hour 00-23, minute 00-59, two digits each), or ":MM"
// where the hour comes from context (an hourly deadline).
struct ClockTime {
  std::optional<int> hour;  // nullopt for ":MM"
  int minute = 0;
};
// `allow_minute_only` admits ":MM". Errors say what was expected, e.g.
// `"8pm" is not a time of day (expected "HH:MM" or ":MM")`.
Result<ClockTime> ParseClockTime(std::string_view text, bool allow_minute_only);
std::string FormatClockTime(const ClockTime& time);

}  // namespace sluice::pipeline
