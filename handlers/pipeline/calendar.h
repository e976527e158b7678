// Calendars: on which dates a pipeline may run (schedule.include / schedule.exclude).
//
// A date is excluded when any of these holds:
//  1. include.dates is non-empty and does not list it (an inclusion calendar: the pipeline runs
//     only on listed dates; Interlock reads include.dates for missed-run alerts only and never
//     gates on it, which Sluice treats as a defect);
//  2. exclude.weekends is true and it is a Saturday or Sunday;
//  3. exclude.dates lists it.
// Days of the week come from the civil date itself, so no zone is involved once a date is known.
// Two ways to get the date, as in Interlock:
//  - the execution date of a run ("2026-03-07" or "2026-03-07T10": the day part counts) for
//    reruns and retries of that run;
//  - the wall-clock date of `now` in the schedule's zone for decisions made now (a sensor
//    trigger, a watchdog check).
//
// Thread rule: pure functions; safe everywhere.
#pragma once

#include <cstdint>

#include "handlers/pipeline/civil_time.h"
#include "handlers/pipeline/config.h"

namespace sluice::pipeline {

bool IsExcluded(const CalendarConfig& calendar, const CivilDate& date);

// The execution-date flavour.
bool IsExcluded(const CalendarConfig& calendar, const ExecutionDate& date);

// The wall-clock flavour: today's date in schedule.timezone.
bool IsExcludedAt(const ScheduleConfig& schedule, int64_t now_ns);

}  // namespace sluice::pipeline
