// SLA math: when a run's SLA warning and breach fall, the verdict when the run ends, and the
// projection a dry run reports. Pure: `now` is a parameter, zones come loaded in SlaConfig.
//
// Absolute SLA (sla.deadline + sla.expectedDuration, in sla.timezone), for an execution date:
//  1. Base: an hourly date "YYYY-MM-DDTHH" is HH:00 of that day ("hourly mode"); a daily date
//     "YYYY-MM-DD" is that day at now's wall-clock hour and minute; an empty date is now.
//     All wall-clock values are in sla.timezone (Interlock's cancel path always used UTC).
//  2. ":MM": breach at minute MM of the base hour. Hourly mode adds one hour always (the data
//     for hour H is processed during H+1); otherwise one hour is added, once, if that is
//     before now.
//  3. "HH:MM": breach at HH:MM on the base day; if that is before now, the same wall-clock time
//     the next day, once (a calendar day, so 23 or 25 hours across a DST change; Interlock added
//     24 hours). Hourly mode too.
//  4. warning = breach - expectedDuration (elapsed time).
// Wall-clock readings in a DST gap or overlap resolve as TimeZone::ToInstant says (gap: later by
// the gap; overlap: the earlier instant).
//
// Relative SLA (sla.maxDuration from the first sensor arrival): breach = arrival + maxDuration;
// warning = breach - expectedDuration when set, else breach - maxDuration / 4 (at 75 %).
// When maxDuration and an arrival time are both known the relative SLA applies, else the absolute.
//
// Thread rule: pure functions; safe everywhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "asl/result.h"
#include "handlers/pipeline/civil_time.h"
#include "handlers/pipeline/config.h"
#include "handlers/pipeline/time_zone.h"

namespace sluice::pipeline {

struct SlaTimes {
  int64_t warning_at_ns = 0;
  int64_t breach_at_ns = 0;
};

// The absolute SLA for execution `date` ("" means now). Errors: a malformed date.
Result<SlaTimes> AbsoluteSlaTimes(const ClockTime& deadline, int64_t expected_duration_seconds,
                                  const TimeZone& zone, std::string_view date, int64_t now_ns);

SlaTimes RelativeSlaTimes(int64_t sensor_arrival_ns, int64_t max_duration_seconds,
                          std::optional<int64_t> expected_duration_seconds);

// The SLA that applies to a run: relative when sla.maxDuration is set and the arrival is known,
// else absolute when sla.deadline is set. Errors: neither applies, a deadline without
// expectedDuration, or a malformed date.
Result<SlaTimes> ComputeSlaTimes(const SlaConfig& sla, std::string_view date,
                                 std::optional<int64_t> sensor_arrival_ns, int64_t now_ns);

// The verdict when a run ends (the end-of-run "cancel" step).
enum class SlaVerdict {
  kMet,         // the run succeeded before the breach time: SLA_MET
  kBreach,      // the breach time has passed: SLA_BREACH
  kUnresolved,  // the run ended without success before the breach time: no verdict yet; keep
                // the warning/breach alarms armed (Interlock reported SLA_MET here)
};

SlaVerdict FinalVerdict(const SlaTimes& times, bool run_succeeded, int64_t now_ns);

// "SLA_MET", "SLA_BREACH", or "" for kUnresolved (nothing to publish).
std::string_view VerdictEventName(SlaVerdict verdict);

// What a dry run reports instead of running the job: when it would finish and whether that
// meets the absolute deadline.
struct DryRunProjection {
  enum class Status {
    kMet,            // estimated completion <= breach
    kBreach,         // estimated completion > breach
    kNotApplicable,  // no sla.deadline
  };
  Status status = Status::kNotApplicable;
  int64_t estimated_completion_ns = 0;    // triggered_at + expectedDuration
  std::optional<int64_t> breach_at_ns;    // with a deadline
  std::optional<int64_t> margin_seconds;  // breach - estimated completion, with a deadline
};

// Errors: no sla.expectedDuration, or a malformed date.
Result<DryRunProjection> ProjectDryRun(const SlaConfig& sla, std::string_view date,
                                       int64_t triggered_at_ns);

// "met", "breach", "n/a" (Interlock's dry-run event wording).
std::string_view ProjectionStatusName(DryRunProjection::Status status);

// The dates the watchdog arms SLA alarms for at `now` (Interlock §5.3): `date` is the previous
// hour ("YYYY-MM-DDTHH") for a ":MM" deadline, else today; `sla_date` is the date the deadline
// is computed for: `date`, or the next day for a sensor-triggered (non-cron) pipeline with an
// "HH:MM" deadline (daily data for D completes after midnight). Wall-clock values are in
// sla.timezone (Interlock used UTC).
struct SlaAlarmDates {
  std::string date;
  std::string sla_date;
};
SlaAlarmDates SlaAlarmDatesAt(const SlaConfig& sla, bool cron_pipeline, int64_t now_ns);

}  // namespace sluice::pipeline
