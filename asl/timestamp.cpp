// Timestamps as AWS Step Functions parses them.
//
// AWS parses Wait and Choice timestamps with Java's DateTimeFormatter.ISO_OFFSET_DATE_TIME (its
// error text names "the ISO-8601 extended offset date-time format"), so this parser accepts
// exactly what that formatter accepts:
//
//   date-time = date ("T" / "t") time offset
//   date      = year "-" MM "-" dd          ; strict calendar: Feb 29 only in leap years
//   year      = 4DIGIT / "+" 5*9DIGIT / "-" 4*9DIGIT   ; |year| <= 999,999,999
//   time      = HH ":" mm [":" ss ["." 0*9DIGIT]]   ; HH 00-23, mm and ss 00-59
//   offset    = "Z" / "z" / ("+" / "-") HH [":" MM [":" SS]]   ; at most 18:00
//
// Seconds are optional and the offset may be hours only because the formatter says so; a
// missing offset, a space instead of 'T', hour 24, second 60 or day 31 of a 30-day month are
// rejected. The result is nanoseconds since the epoch; instants outside the int64 range
// (before 1677 or after 2262) saturate so that they still order correctly against every
// representable instant.
#include "asl/timestamp.h"

#include <limits>

namespace sluice::asl {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;
constexpr int64_t kSecondsPerDay = 86'400;
constexpr int64_t kMaxOffsetSeconds = 18 * 3600;

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct CivilDate {
  int64_t year;
  int month;
  int day;
};

// The inverse of DaysFromCivil.
CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

bool IsLeapYear(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t year, int64_t month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// A cursor over the text; every Read* either consumes what it reads or returns false.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool AtEnd() const { return pos_ == text_.size(); }
  bool Peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }

  bool ReadChar(char c) {
    if (!Peek(c)) return false;
    ++pos_;
    return true;
  }

  // Java's formatter parses case-insensitively, so 't' and 'z' are accepted too.
  bool ReadLetter(char upper) {
    return ReadChar(upper) || ReadChar(static_cast<char>(upper - 'A' + 'a'));
  }

  // Reads between `min` and `max` digits (greedy); returns how many were read, or -1.
  int ReadDigits(int min, int max, int64_t* value) {
    int n = 0;
    int64_t v = 0;
    while (n < max && pos_ < text_.size() && IsDigit(text_[pos_])) {
      v = v * 10 + (text_[pos_] - '0');
      ++pos_;
      ++n;
    }
    if (n < min) return -1;
    *value = v;
    return n;
  }

  bool ReadTwoDigits(int64_t* value) { return ReadDigits(2, 2, value) == 2; }

 private:
  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }

  std::string_view text_;
  size_t pos_ = 0;
};

// year = 4DIGIT / "+" 5*9DIGIT / "-" 4*9DIGIT (Java's SignStyle.EXCEEDS_PAD, strict).
bool ReadYear(Scanner& s, int64_t* year) {
  constexpr int64_t kMaxYear = 999'999'999;  // Java's Year.MAX_VALUE
  const bool positive = s.ReadChar('+');
  const bool negative = !positive && s.ReadChar('-');
  const int n = s.ReadDigits(4, 10, year);
  if (n < 0 || *year > kMaxYear) return false;
  if (positive) return n > 4;
  if (negative) {
    *year = -*year;
    return *year != 0;  // Java rejects "-0000"
  }
  return n == 4;
}

bool ReadDate(Scanner& s, int64_t* days) {
  int64_t year = 0, month = 0, day = 0;
  if (!ReadYear(s, &year) || !s.ReadChar('-') || !s.ReadTwoDigits(&month) || !s.ReadChar('-') ||
      !s.ReadTwoDigits(&day)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) return false;
  *days = DaysFromCivil(year, month, day);
  return true;
}

// time = HH ":" mm [":" ss ["." 0*9DIGIT]]
bool ReadTime(Scanner& s, int64_t* seconds_of_day, int64_t* nanos) {
  int64_t hour = 0, minute = 0, second = 0, fraction = 0;
  if (!s.ReadTwoDigits(&hour) || !s.ReadChar(':') || !s.ReadTwoDigits(&minute)) return false;
  *nanos = 0;
  if (s.ReadChar(':')) {
    if (!s.ReadTwoDigits(&second)) return false;
    if (s.ReadChar('.')) {
      const int n = s.ReadDigits(0, 9, &fraction);
      for (int i = n; i < 9; ++i) fraction *= 10;
      *nanos = fraction;
    }
  }
  if (hour > 23 || minute > 59 || second > 59) return false;
  *seconds_of_day = hour * 3600 + minute * 60 + second;
  return true;
}

// offset = "Z" / ("+" / "-") HH [":" MM [":" SS]], within ±18:00.
bool ReadOffset(Scanner& s, int64_t* offset_seconds) {
  *offset_seconds = 0;
  if (s.ReadLetter('Z')) return true;
  const bool negative = s.Peek('-');
  if (!s.ReadChar('+') && !s.ReadChar('-')) return false;
  int64_t hours = 0, minutes = 0, seconds = 0;
  if (!s.ReadTwoDigits(&hours)) return false;
  if (s.ReadChar(':')) {
    if (!s.ReadTwoDigits(&minutes)) return false;
    if (s.ReadChar(':') && !s.ReadTwoDigits(&seconds)) return false;
  }
  if (hours > 23 || minutes > 59 || seconds > 59) return false;
  const int64_t total = hours * 3600 + minutes * 60 + seconds;
  if (total > kMaxOffsetSeconds) return false;
  *offset_seconds = negative ? -total : total;
  return true;
}

int64_t SaturatingEpochNanos(int64_t epoch_seconds, int64_t nanos) {
  const __int128 total = static_cast<__int128>(epoch_seconds) * kNanosPerSecond + nanos;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  if (total > kMax) return kMax;
  if (total < kMin) return kMin;
  return static_cast<int64_t>(total);
}

void AppendPadded(std::string& out, int64_t value, int width) {
  std::string digits = std::to_string(value);
  if (static_cast<int>(digits.size()) < width) out.append(width - digits.size(), '0');
  out += digits;
}

}  // namespace

std::optional<int64_t> ParseTimestamp(std::string_view text) {
  Scanner s(text);
  int64_t days = 0, seconds_of_day = 0, nanos = 0, offset = 0;
  if (!ReadDate(s, &days) || !s.ReadLetter('T') || !ReadTime(s, &seconds_of_day, &nanos) ||
      !ReadOffset(s, &offset) || !s.AtEnd()) {
    return std::nullopt;
  }
  return SaturatingEpochNanos(days * kSecondsPerDay + seconds_of_day - offset, nanos);
}

std::string FormatTimestamp(int64_t epoch_nanos) {
  // Floor division: instants before the epoch still print a non-negative time of day.
  int64_t seconds = epoch_nanos / kNanosPerSecond;
  int64_t nanos = epoch_nanos % kNanosPerSecond;
  if (nanos < 0) {
    nanos += kNanosPerSecond;
    --seconds;
  }
  int64_t days = seconds / kSecondsPerDay;
  int64_t second_of_day = seconds % kSecondsPerDay;
  if (second_of_day < 0) {
    second_of_day += kSecondsPerDay;
    --days;
  }
  const CivilDate date = CivilFromDays(days);
  std::string out;
  out.reserve(24);
  AppendPadded(out, date.year, 4);
  out += '-';
  AppendPadded(out, date.month, 2);
  out += '-';
  AppendPadded(out, date.day, 2);
  out += 'T';
  AppendPadded(out, second_of_day / 3600, 2);
  out += ':';
  AppendPadded(out, second_of_day / 60 % 60, 2);
  out += ':';
  AppendPadded(out, second_of_day % 60, 2);
  out += '.';
  AppendPadded(out, nanos / 1'000'000, 3);
  out += 'Z';
  return out;
}

}  // namespace sluice::asl
