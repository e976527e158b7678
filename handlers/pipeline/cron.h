// CronSchedule: a classic five-field cron expression (schedule.cron) and its next fire time.
//
//   expression = minute SP hour SP day-of-month SP month SP day-of-week / macro
//   field      = item *("," item)
//   item       = "*" ["/" step] / value ["-" value] ["/" step]
//   macro      = "@yearly" / "@annually" / "@monthly" / "@weekly" / "@daily" / "@midnight" /
//                "@hourly"
//
// Ranges: minute 0-59, hour 0-23, day-of-month 1-31, month 1-12 or JAN-DEC, day-of-week 0-7 or
// SUN-SAT (0 and 7 are Sunday); names are case-insensitive. "a/n" means "a-max/n". Ranges do
// not wrap ("FRI-MON" is an error). AWS's six-field form with '?' and the L/W/# extensions are
// not accepted. Expressions that can never fire ("0 0 30 2 *") are errors.
//
// Day matching follows Vixie cron: when both day fields are restricted (neither starts with
// '*'), a day matches if EITHER matches; otherwise both must.
//
// Times are wall-clock times in the schedule's zone. Each matching wall-clock minute fires once:
// a time skipped by a spring-forward gap fires at the same wall-clock time after the jump
// (02:30 -> 03:30, TimeZone's gap rule); a time repeated by a fall-back overlap fires at its
// first occurrence only.
//
// Thread rule: immutable after Parse; safe to share.
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "asl/result.h"
#include "handlers/pipeline/civil_time.h"
#include "handlers/pipeline/time_zone.h"

namespace sluice::pipeline {

class CronSchedule {
 public:
  // Errors name the expression, the field and the problem, e.g.
  // `invalid cron expression "0 24 * * *": hour 24 is out of range 0-23`.
  static Result<CronSchedule> Parse(std::string_view text);

  const std::string& text() const { return text_; }

  // True when the wall-clock minute `time` (seconds ignored) matches.
  bool Matches(const CivilDateTime& time) const;

  // The first fire time strictly after `after_ns`, in `zone`; nullopt when there is none within
  // ten years (an expression that Parse accepted always has one).
  std::optional<int64_t> NextFireAfter(int64_t after_ns, const TimeZone& zone) const;

 private:
  bool MatchesDay(const CivilDate& date) const;
  // The first matching wall-clock minute at or after `local_minute` (minutes since the epoch).
  std::optional<int64_t> NextMatchingMinute(int64_t local_minute) const;

  std::string text_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_of_month_;  // bits 1-31
  std::bitset<13> months_;         // bits 1-12
  std::bitset<7> days_of_week_;    // 0 = Sunday
  bool day_of_month_star_ = true;
  bool day_of_week_star_ = true;
};

}  // namespace sluice::pipeline
