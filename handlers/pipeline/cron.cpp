#include "handlers/pipeline/cron.h"

#include <array>
#include <cctype>
#include <charconv>
#include <vector>

namespace sluice::pipeline {
namespace {

// Ten years covers every matching day, including 29 February across a skipped leap year (2100).
constexpr int64_t kSearchDays = 3653;
// Wall-clock minutes repeated by a fall-back overlap are skipped one by one; an overlap is at
// most a few hours of minutes.
constexpr int kMaxRepeatedMinutes = 1440;

struct FieldSpec {
  const char* name;
  int min;
  int max;
  std::array<std::string_view, 12> names;  // value min + i; empty when the field has none
};

constexpr FieldSpec kFields[] = {
    {"minute", 0, 59, {}},
    {"hour", 0, 23, {}},
    {"day-of-month", 1, 31, {}},
    {"month",
     1,
     12,
     {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
    {"day-of-week", 0, 7, {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}},
};

constexpr std::pair<std::string_view, std::string_view> kMacros[] = {
    {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
    {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
};

std::vector<std::string_view> Split(std::string_view text, std::string_view separators) {
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (true) {
    const size_t start = text.find_first_not_of(separators, pos);
    if (start == std::string_view::npos) break;
    const size_t end = std::min(text.find_first_of(separators, start), text.size());
    parts.push_back(text.substr(start, end - start));
    pos = end;
  }
  return parts;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

std::string InvalidCron(std::string_view expression, const std::string& why) {
  return "invalid cron expression \"" + std::string(expression) + "\": " + why;
}

// Reads one field of an expression into a bit set (bit v set when value v is selected).
class FieldParser {
 public:
  FieldParser(const FieldSpec& spec, std::string_view expression)
      : spec_(spec), expression_(expression) {}

  Result<uint64_t> Parse(std::string_view field) {
    uint64_t bits = 0;
    size_t start = 0;
    while (start <= field.size()) {
      const size_t end = std::min(field.find(',', start), field.size());
      const std::string_view item = field.substr(start, end - start);
      if (item.empty()) return Error("has an empty list item");
      Result<uint64_t> item_bits = ParseItem(item);
      if (!item_bits.ok()) return item_bits;
      bits |= *item_bits;
      start = end + 1;
    }
    return bits;
  }

 private:
  // item = ("*" / value ["-" value]) ["/" step]
  Result<uint64_t> ParseItem(std::string_view item) {
    if (item == "?") return Error("uses '?', which is AWS six-field syntax; use '*'");
    std::string_view range = item;
    int step = 1;
    const size_t slash = item.find('/');
    if (slash != std::string_view::npos) {
      range = item.substr(0, slash);
      Result<int> parsed = ParseNumber(item.substr(slash + 1), "step");
      if (!parsed.ok()) return Fail(parsed.error());
      if (*parsed == 0) return Error("step must be at least 1");
      step = *parsed;
    }
    int low = spec_.min;
    int high = spec_.max;
    if (range != "*") {
      const size_t dash = range.find('-', 1);
      Result<int> first = ParseValue(range.substr(0, dash));
      if (!first.ok()) return Fail(first.error());
      low = *first;
      high = slash != std::string_view::npos ? spec_.max : low;
      if (dash != std::string_view::npos) {
        Result<int> last = ParseValue(range.substr(dash + 1));
        if (!last.ok()) return Fail(last.error());
        high = *last;
        if (high < low) return Error("range " + std::string(range) + " runs backwards");
      }
    }
    uint64_t bits = 0;
    for (int v = low; v <= high; v += step) bits |= uint64_t{1} << v;
    return bits;
  }

  Result<int> ParseValue(std::string_view text) {
    for (size_t i = 0; i < spec_.names.size(); ++i) {
      if (!spec_.names[i].empty() && EqualsIgnoreCase(text, spec_.names[i])) {
        return spec_.min + static_cast<int>(i);
      }
    }
    Result<int> value = ParseNumber(text, "value");
    if (!value.ok()) return value;
    if (*value < spec_.min || *value > spec_.max) {
      return Error(std::to_string(*value) + " is out of range " + std::to_string(spec_.min) + "-" +
                   std::to_string(spec_.max));
    }
    return value;
  }

  Result<int> ParseNumber(std::string_view text, const char* what) {
    int value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 0) {
      return Error(std::string(what) + " \"" + std::string(text) + "\" is not a number" +
                   (spec_.names[0].empty() || std::string_view(what) == "step" ? "" : " or name"));
    }
    return value;
  }

  Failure<std::string> Error(const std::string& why) const {
    return Fail(InvalidCron(expression_, std::string(spec_.name) + " " + why));
  }

  const FieldSpec& spec_;
  std::string_view expression_;
};

int FirstSetFrom(uint64_t bits, int from, int size) {
  for (int i = from; i < size; ++i) {
    if (bits >> i & 1) return i;
  }
  return -1;
}

}  // namespace

Result<CronSchedule> CronSchedule::Parse(std::string_view text) {
  std::string_view expanded = text;
  for (const auto& [macro, expression] : kMacros) {
    if (text == macro) expanded = expression;
  }
  if (!text.empty() && text.front() == '@' && expanded == text) {
    return Fail(InvalidCron(text, "unknown macro"));
  }
  const std::vector<std::string_view> fields = Split(expanded, " \t");
  if (fields.size() != 5) {
    return Fail(
        InvalidCron(text, "expected 5 fields (minute hour day-of-month month day-of-week), got " +
                              std::to_string(fields.size())));
  }
  CronSchedule cron;
  cron.text_ = std::string(text);
  uint64_t bits[5];
  for (int i = 0; i < 5; ++i) {
    Result<uint64_t> parsed = FieldParser(kFields[i], text).Parse(fields[i]);
    if (!parsed.ok()) return Fail(parsed.error());
    bits[i] = *parsed;
  }
  cron.minutes_ = bits[0];
  cron.hours_ = bits[1];
  cron.days_of_month_ = bits[2];
  cron.months_ = bits[3];
  cron.days_of_week_ = (bits[4] | bits[4] >> 7) & 0x7f;  // 7 is Sunday too
  cron.day_of_month_star_ = fields[2].front() == '*';
  cron.day_of_week_star_ = fields[4].front() == '*';
  // With AND semantics some selected month must have a selected day (2000 is a leap year).
  if (cron.day_of_month_star_ || cron.day_of_week_star_) {
    bool possible = false;
    for (int month = 1; month <= 12; ++month) {
      if (!cron.months_[month]) continue;
      for (int day = 1; day <= DaysInMonth(2000, month); ++day)
        possible |= cron.days_of_month_[day];
    }
    if (!possible)
      return Fail(InvalidCron(text, "never fires (no selected month has a selected day)"));
  }
  return cron;
}

bool CronSchedule::MatchesDay(const CivilDate& date) const {
  if (!months_[date.month]) return false;
  const bool dom = days_of_month_[date.day];
  const bool dow = days_of_week_[Weekday(date)];
  if (!day_of_month_star_ && !day_of_week_star_) return dom || dow;
  return dom && dow;
}

bool CronSchedule::Matches(const CivilDateTime& time) const {
  return MatchesDay(time.date) && hours_[time.hour] && minutes_[time.minute];
}

std::optional<int64_t> CronSchedule::NextMatchingMinute(int64_t local_minute) const {
  const int64_t first_day = local_minute >= 0 ? local_minute / 1440 : (local_minute - 1439) / 1440;
  int from = static_cast<int>(local_minute - first_day * 1440);  // minute of the first day
  for (int64_t day = first_day; day < first_day + kSearchDays; ++day, from = 0) {
    if (!MatchesDay(CivilFromDays(day))) continue;
    for (int hour = from / 60; hour < 24; ++hour) {
      if (!hours_[hour]) continue;
      const int minute = FirstSetFrom(minutes_.to_ullong(), hour == from / 60 ? from % 60 : 0, 60);
      if (minute >= 0) return day * 1440 + hour * 60 + minute;
    }
  }
  return std::nullopt;
}

std::optional<int64_t> CronSchedule::NextFireAfter(int64_t after_ns, const TimeZone& zone) const {
  const int64_t after_seconds = FloorSeconds(after_ns);
  const int64_t local_seconds = after_seconds + zone.OffsetSecondsAt(after_seconds);
  int64_t minute = (local_seconds >= 0 ? local_seconds / 60 : (local_seconds - 59) / 60) + 1;
  for (int i = 0; i < kMaxRepeatedMinutes; ++i) {
    std::optional<int64_t> match = NextMatchingMinute(minute);
    if (!match) return std::nullopt;
    const int64_t fire = zone.ToInstant(FromLocalSeconds(*match * 60));
    if (fire > after_ns) return fire;
    minute = *match + 1;  // already fired at its first occurrence (fall-back overlap)
  }
  return std::nullopt;
}

}  // namespace sluice::pipeline
