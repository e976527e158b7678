// Debian builds libdate-tz with USE_OS_TZDB=1 (read the compiled zone files in /usr/share/zoneinfo
// instead of downloading the IANA sources). The macro changes date::time_zone's layout, and the
// build links the library by name without its CMake package's compile definitions, so it is set
// here, before any include can pull in <date/tz.h>.
#define USE_OS_TZDB 1

#include "handlers/pipeline/time_zone.h"

#include <date/tz.h>

#include <chrono>
#include <exception>
#include <limits>

namespace sluice::pipeline {
namespace {

const std::string& UtcName() {
  static const auto* name = new std::string("UTC");
  return *name;
}

date::sys_seconds SysSeconds(int64_t epoch_seconds) {
  return date::sys_seconds{std::chrono::seconds{epoch_seconds}};
}

int64_t SaturatingNanos(int64_t seconds) {
  int64_t nanos = 0;
  if (__builtin_mul_overflow(seconds, kNanosPerSecond, &nanos)) {
    return seconds < 0 ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max();
  }
  return nanos;
}

}  // namespace

// The library reports failures as exceptions: the database's directory cannot be listed
// (get_tzdb), the name is not in it (locate_zone), the zone's file cannot be read (its first
// get_info). All three happen here, so no later call on the zone throws.
Result<TimeZone> TimeZone::Load(std::string_view name) {
  if (name.empty() || name == "UTC") return TimeZone();
  const std::string quoted = "\"" + std::string(name) + "\"";
  try {
    date::get_tzdb();
  } catch (const std::exception& e) {
    return Fail("cannot read the system tz database: " + std::string(e.what()));
  }
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(name);
  } catch (const std::exception&) {
    return Fail("unknown time zone " + quoted + " (not in the system tz database)");
  }
  try {
    zone->get_info(SysSeconds(0));
  } catch (const std::exception& e) {
    return Fail("cannot read time zone " + quoted + ": " + e.what());
  }
  return TimeZone(zone);
}

const std::string& TimeZone::name() const { return zone_ ? zone_->name() : UtcName(); }

int64_t TimeZone::OffsetSecondsAt(int64_t epoch_seconds) const {
  return zone_ ? zone_->get_info(SysSeconds(epoch_seconds)).offset.count() : 0;
}

CivilDateTime TimeZone::ToCivil(int64_t instant_ns) const {
  const int64_t seconds = FloorSeconds(instant_ns);
  return FromLocalSeconds(seconds + OffsetSecondsAt(seconds));
}

// For a unique reading `first` is its offset; in a gap it is the offset before the gap (so the
// reading moves later by the gap); in an overlap it is the earlier occurrence's offset.
int64_t TimeZone::ToInstant(const CivilDateTime& local) const {
  const int64_t wall = ToLocalSeconds(local);
  if (!zone_) return SaturatingNanos(wall);
  const date::local_info info = zone_->get_info(date::local_seconds{std::chrono::seconds{wall}});
  return SaturatingNanos(wall - info.first.offset.count());
}

}  // namespace sluice::pipeline
