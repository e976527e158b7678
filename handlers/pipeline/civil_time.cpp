#include "handlers/pipeline/civil_time.h"

#include <date/date.h>

#include <chrono>

namespace sluice::pipeline {
namespace {

// (Parameters are not named `date` here: that would hide the library's namespace.)
date::year_month_day ToYmd(const CivilDate& civil) {
  return date::year{civil.year} / static_cast<unsigned>(civil.month) /
         static_cast<unsigned>(civil.day);
}

CivilDate FromYmd(const date::year_month_day& ymd) {
  return {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
          static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

date::sys_days SysDays(const CivilDate& civil) { return date::sys_days{ToYmd(civil)}; }

// Reads exactly `width` digits starting at `pos`; -1 when they are not all digits.
int ReadFixedDigits(std::string_view text, size_t pos, size_t width) {
  if (pos + width > text.size()) return -1;
  int value = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

std::string Padded(int64_t value, int width) {
  std::string digits = std::to_string(value);
  if (static_cast<int>(digits.size()) < width) digits.insert(0, width - digits.size(), '0');
  return digits;
}

}  // namespace

int DaysInMonth(int year, int month) {
  const date::year_month_day_last last{date::year{year}, date::month_day_last{date::month(month)}};
  return static_cast<int>(static_cast<unsigned>(last.day()));
}

int64_t DaysFromCivil(const CivilDate& civil) { return SysDays(civil).time_since_epoch().count(); }

CivilDate CivilFromDays(int64_t days) {
  return FromYmd(date::sys_days{date::days{static_cast<int>(days)}});
}

CivilDate AddDays(const CivilDate& civil, int64_t days) {
  return FromYmd(SysDays(civil) + date::days{static_cast<int>(days)});
}

int Weekday(const CivilDate& civil) {
  return static_cast<int>(date::weekday{SysDays(civil)}.c_encoding());
}

int64_t ToLocalSeconds(const CivilDateTime& time) {
  const date::local_seconds local =
      date::local_days{ToYmd(time.date)} + std::chrono::hours{time.hour} +
      std::chrono::minutes{time.minute} + std::chrono::seconds{time.second};
  return local.time_since_epoch().count();
}

CivilDateTime FromLocalSeconds(int64_t local_seconds) {
  const date::local_seconds local{std::chrono::seconds{local_seconds}};
  const date::local_days day = date::floor<date::days>(local);
  const date::hh_mm_ss<std::chrono::seconds> time{local - day};
  return {FromYmd(date::year_month_day{day}), static_cast<int>(time.hours().count()),
          static_cast<int>(time.minutes().count()), static_cast<int>(time.seconds().count())};
}

int64_t FloorSeconds(int64_t instant_ns) {
  return date::floor<std::chrono::seconds>(std::chrono::nanoseconds{instant_ns}).count();
}

std::optional<CivilDate> ParseDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const CivilDate civil{ReadFixedDigits(text, 0, 4), ReadFixedDigits(text, 5, 2),
                        ReadFixedDigits(text, 8, 2)};
  if (civil.year < 0 || civil.month < 0 || civil.day < 0 || !ToYmd(civil).ok()) {
    return std::nullopt;
  }
  return civil;
}

std::string FormatDate(const CivilDate& civil) {
  return Padded(civil.year, 4) + "-" + Padded(civil.month, 2) + "-" + Padded(civil.day, 2);
}

std::string FormatUtcSeconds(int64_t instant_ns) {
  const CivilDateTime t = FromLocalSeconds(FloorSeconds(instant_ns));
  return FormatDate(t.date) + "T" + Padded(t.hour, 2) + ":" + Padded(t.minute, 2) + ":" +
         Padded(t.second, 2) + "Z";
}

Result<ExecutionDate> ParseExecutionDate(std::string_view text) {
  const auto bad = [&] {
    return Fail("\"" + std::string(text) +
                "\" is not an execution date (expected \"YYYY-MM-DD\" or \"YYYY-MM-DDTHH\")");
  };
  if (text.size() != 10 && text.size() != 13) return bad();
  std::optional<CivilDate> day = ParseDate(text.substr(0, 10));
  if (!day) return bad();
  ExecutionDate result{*day, std::nullopt};
  if (text.size() == 13) {
    const int hour = ReadFixedDigits(text, 11, 2);
    if (text[10] != 'T' || hour < 0 || hour > 23) return bad();
    result.hour = hour;
  }
  return result;
}

std::string FormatExecutionDate(const ExecutionDate& execution) {
  std::string text = FormatDate(execution.date);
  if (execution.hour) text += "T" + Padded(*execution.hour, 2);
  return text;
}

Result<ClockTime> ParseClockTime(std::string_view text, bool allow_minute_only) {
  const auto bad = [&] {
    return Fail("\"" + std::string(text) + "\" is not a time of day (expected \"HH:MM\"" +
                (allow_minute_only ? " or \":MM\")" : ")"));
  };
  ClockTime time;
  if (allow_minute_only && text.size() == 3 && text[0] == ':') {
    time.minute = ReadFixedDigits(text, 1, 2);
  } else if (text.size() == 5 && text[2] == ':') {
    const int hour = ReadFixedDigits(text, 0, 2);
    if (hour < 0 || hour > 23) return bad();
    time.hour = hour;
    time.minute = ReadFixedDigits(text, 3, 2);
  } else {
    return bad();
  }
  if (time.minute < 0 || time.minute > 59) return bad();
  return time;
}

std::string FormatClockTime(const ClockTime& time) {
  return (time.hour ? Padded(*time.hour, 2) : "") + ":" + Padded(time.minute, 2);
}

}  // namespace sluice::pipeline
