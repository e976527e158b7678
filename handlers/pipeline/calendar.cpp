#include "handlers/pipeline/calendar.h"

#include <algorithm>

namespace sluice::pipeline {
namespace {

bool Lists(const std::vector<CivilDate>& dates, const CivilDate& date) {
  return std::find(dates.begin(), dates.end(), date) != dates.end();
}

}  // namespace

bool IsExcluded(const CalendarConfig& calendar, const CivilDate& date) {
  if (!calendar.include_dates.empty() && !Lists(calendar.include_dates, date)) return true;
  const int weekday = Weekday(date);
  if (calendar.exclude_weekends && (weekday == 0 || weekday == 6)) return true;
  return Lists(calendar.exclude_dates, date);
}

bool IsExcluded(const CalendarConfig& calendar, const ExecutionDate& date) {
  return IsExcluded(calendar, date.date);
}

bool IsExcludedAt(const ScheduleConfig& schedule, int64_t now_ns) {
  return IsExcluded(schedule.calendar, schedule.zone.ToCivil(now_ns).date);
}

}  // namespace sluice::pipeline
