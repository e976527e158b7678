// TimeZone: an IANA time zone ("America/New_York"), mapping instants to wall-clock readings
// and back.
//
// Backed by Howard Hinnant's date library (<date/tz.h>, Debian's libhowardhinnant-date-dev), which
// Debian builds to read the system tz database, /usr/share/zoneinfo. It never touches the TZ
// environment variable or the C library's global zone state. Only zone names in that database are
// accepted ("right/" leap-second zones are not in it).
//
// Limit (HowardHinnant/date issue 794): the library uses a zone file's transition table and ignores
// its POSIX TZ footer rule, so instants past the table's last transition keep the last offset.
// Debian ships "fat" zone files, whose tables run to 2037: clocks stop changing in 2038 (standard
// time stays in the northern hemisphere, daylight saving time in the southern).
//
// Loading: the first Load reads the database's directory listing (date::get_tzdb), and the first
// Load of each zone reads its file; the library keeps both for the life of the process. A
// TimeZone is a pointer into that database, so later Loads are lookups and copies are free.
// "UTC" (and the empty name) never touch the database.
//
// Wall clock -> instant, where the wall clock is ambiguous (java.time's rules, also Go's for gaps):
//  - a reading inside a gap (spring forward: 02:30 on a day that jumps 02:00 -> 03:00) is moved
//    later by the length of the gap (02:30 -> 03:30 in the new offset);
//  - a reading inside an overlap (fall back: 01:30 happens twice) is its earlier occurrence.
//
// Thread rule: Load is thread-safe; a TimeZone is immutable and cheap to copy.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "asl/result.h"
#include "handlers/pipeline/civil_time.h"

// Declared here so that only time_zone.cpp includes <date/tz.h>, whose layout depends on the
// USE_OS_TZDB macro the Debian library was built with.
namespace date {
class time_zone;
}  // namespace date

namespace sluice::pipeline {

class TimeZone {
 public:
  // UTC.
  TimeZone() = default;

  // Looks `name` up in the system tz database. The empty name and "UTC" are UTC. An unknown name
  // is an error, e.g. `unknown time zone "Mars/Olympus_Mons" (not in the system tz database)`.
  static Result<TimeZone> Load(std::string_view name);

  // "UTC" or the IANA name as given.
  const std::string& name() const;

  // Seconds east of UTC in effect at `epoch_seconds`.
  int64_t OffsetSecondsAt(int64_t epoch_seconds) const;

  // The wall-clock reading at an instant (sub-seconds truncated towards the past).
  CivilDateTime ToCivil(int64_t instant_ns) const;

  // The instant of a wall-clock reading (gap and overlap rules above), saturated to the int64
  // range.
  int64_t ToInstant(const CivilDateTime& local) const;

 private:
  explicit TimeZone(const date::time_zone* zone) : zone_(zone) {}

  const date::time_zone* zone_ = nullptr;  // into the date library's tzdb; nullptr is UTC
};

}  // namespace sluice::pipeline
