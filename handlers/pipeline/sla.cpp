#include "handlers/pipeline/sla.h"

namespace sluice::pipeline {
namespace {

constexpr int64_t kSecondsPerHour = 3600;

// The instant of a wall-clock reading given as local seconds.
int64_t InstantOf(const TimeZone& zone, int64_t local_seconds) {
  return zone.ToInstant(FromLocalSeconds(local_seconds));
}

}  // namespace

Result<SlaTimes> AbsoluteSlaTimes(const ClockTime& deadline, int64_t expected_duration_seconds,
                                  const TimeZone& zone, std::string_view date, int64_t now_ns) {
  const CivilDateTime now = zone.ToCivil(now_ns);
  CivilDateTime base{now.date, now.hour, now.minute, 0};
  bool hourly = false;
  if (!date.empty()) {
    Result<ExecutionDate> parsed = ParseExecutionDate(date);
    if (!parsed.ok()) return Fail(parsed.error());
    base.date = parsed->date;
    if (parsed->hour) {
      hourly = true;
      base.hour = *parsed->hour;
    }
  }
  CivilDateTime breach_wall{base.date, deadline.hour.value_or(base.hour), deadline.minute, 0};
  int64_t breach_local = ToLocalSeconds(breach_wall);
  const int64_t roll = deadline.hour ? kSecondsPerDay : kSecondsPerHour;
  if (!deadline.hour && hourly) {
    breach_local += kSecondsPerHour;
  } else if (InstantOf(zone, breach_local) < now_ns) {
    breach_local += roll;
  }
  const int64_t breach = InstantOf(zone, breach_local);
  return SlaTimes{breach - expected_duration_seconds * kNanosPerSecond, breach};
}

SlaTimes RelativeSlaTimes(int64_t sensor_arrival_ns, int64_t max_duration_seconds,
                          std::optional<int64_t> expected_duration_seconds) {
  const int64_t breach = sensor_arrival_ns + max_duration_seconds * kNanosPerSecond;
  const int64_t lead = expected_duration_seconds ? *expected_duration_seconds * kNanosPerSecond
                                                 : max_duration_seconds * kNanosPerSecond / 4;
  return SlaTimes{breach - lead, breach};
}

Result<SlaTimes> ComputeSlaTimes(const SlaConfig& sla, std::string_view date,
                                 std::optional<int64_t> sensor_arrival_ns, int64_t now_ns) {
  if (sla.max_duration_seconds && sensor_arrival_ns) {
    return RelativeSlaTimes(*sensor_arrival_ns, *sla.max_duration_seconds,
                            sla.expected_duration_seconds);
  }
  if (!sla.deadline) {
    return Fail(std::string(sla.max_duration_seconds
                                ? "the relative SLA needs the first sensor arrival time"
                                : "the SLA has neither a deadline nor a maxDuration"));
  }
  if (!sla.expected_duration_seconds) {
    return Fail(std::string("sla.deadline needs sla.expectedDuration"));
  }
  return AbsoluteSlaTimes(*sla.deadline, *sla.expected_duration_seconds, sla.zone, date, now_ns);
}

SlaVerdict FinalVerdict(const SlaTimes& times, bool run_succeeded, int64_t now_ns) {
  if (now_ns >= times.breach_at_ns) return SlaVerdict::kBreach;
  return run_succeeded ? SlaVerdict::kMet : SlaVerdict::kUnresolved;
}

std::string_view VerdictEventName(SlaVerdict verdict) {
  switch (verdict) {
    case SlaVerdict::kMet:
      return "SLA_MET";
    case SlaVerdict::kBreach:
      return "SLA_BREACH";
    case SlaVerdict::kUnresolved:
      return "";
  }
  return "";
}

Result<DryRunProjection> ProjectDryRun(const SlaConfig& sla, std::string_view date,
                                       int64_t triggered_at_ns) {
  if (!sla.expected_duration_seconds) {
    return Fail(std::string("a dry-run projection needs sla.expectedDuration"));
  }
  DryRunProjection projection;
  projection.estimated_completion_ns =
      triggered_at_ns + *sla.expected_duration_seconds * kNanosPerSecond;
  if (!sla.deadline) return projection;
  Result<SlaTimes> times = AbsoluteSlaTimes(*sla.deadline, *sla.expected_duration_seconds, sla.zone,
                                            date, triggered_at_ns);
  if (!times.ok()) return Fail(times.error());
  projection.breach_at_ns = times->breach_at_ns;
  projection.margin_seconds =
      FloorSeconds(times->breach_at_ns - projection.estimated_completion_ns);
  projection.status = projection.estimated_completion_ns > times->breach_at_ns
                          ? DryRunProjection::Status::kBreach
                          : DryRunProjection::Status::kMet;
  return projection;
}

std::string_view ProjectionStatusName(DryRunProjection::Status status) {
  switch (status) {
    case DryRunProjection::Status::kMet:
      return "met";
    case DryRunProjection::Status::kBreach:
      return "breach";
    case DryRunProjection::Status::kNotApplicable:
      return "n/a";
  }
  return "n/a";
}

SlaAlarmDates SlaAlarmDatesAt(const SlaConfig& sla, bool cron_pipeline, int64_t now_ns) {
  const bool hourly = sla.deadline && !sla.deadline->hour;
  if (hourly) {
    const CivilDateTime previous = sla.zone.ToCivil(now_ns - kSecondsPerHour * kNanosPerSecond);
    const std::string date = FormatExecutionDate({previous.date, previous.hour});
    return {date, date};
  }
  const CivilDate today = sla.zone.ToCivil(now_ns).date;
  const bool next_day = sla.deadline && !cron_pipeline;
  return {FormatDate(today), FormatDate(next_day ? AddDays(today, 1) : today)};
}

}  // namespace sluice::pipeline
