#include "handlers/pipeline/duration.h"

#include <limits>
#include <optional>

#include "handlers/pipeline/civil_time.h"

namespace sluice::pipeline {
namespace {

using Int128 = __int128;

constexpr Int128 kMaxNanos = std::numeric_limits<int64_t>::max();
// Fraction digits past this many cannot change a whole number of nanoseconds of any unit.
constexpr size_t kMaxFractionDigits = 18;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Nanoseconds per unit, longest unit names first so "ms" is not read as "m".
std::optional<int64_t> ReadUnit(std::string_view text, size_t* pos) {
  static constexpr struct {
    std::string_view name;
    int64_t nanos;
  } kUnits[] = {
      {"ns", 1},
      {"us", 1'000},
      {"\xC2\xB5s", 1'000},  // U+00B5 micro sign
      {"\xCE\xBCs", 1'000},  // U+03BC Greek mu
      {"ms", 1'000'000},
      {"s", kNanosPerSecond},
      {"m", 60 * kNanosPerSecond},
      {"h", 3600 * kNanosPerSecond},
      {"d", kSecondsPerDay * kNanosPerSecond},
  };
  for (const auto& unit : kUnits) {
    if (text.substr(*pos).starts_with(unit.name)) {
      *pos += unit.name.size();
      return unit.nanos;
    }
  }
  return std::nullopt;
}

class DurationParser {
 public:
  explicit DurationParser(std::string_view text) : text_(text) {}

  Result<int64_t> Parse() {
    if (text_.empty()) return Error("empty");
    if (text_ == "0") return int64_t{0};
    if (text_[0] == '-' || text_[0] == '+') return Error("a sign is not allowed");
    Int128 total = 0;
    while (pos_ < text_.size()) {
      Result<Int128> term = ReadTerm();
      if (!term.ok()) return Fail(term.error());
      total += *term;
      if (total > kMaxNanos) return Error("too large");
    }
    if (total % kNanosPerSecond != 0) return Error("not a whole number of seconds");
    return static_cast<int64_t>(total / kNanosPerSecond);
  }

 private:
  // term = number unit, in nanoseconds.
  Result<Int128> ReadTerm() {
    const size_t start = pos_;
    Int128 whole = 0;
    bool overflow = false;
    while (pos_ < text_.size() && IsDigit(text_[pos_])) {
      whole = whole * 10 + (text_[pos_++] - '0');
      overflow = overflow || whole > kMaxNanos;
    }
    Int128 fraction = 0;
    Int128 scale = 1;
    const bool has_dot = pos_ < text_.size() && text_[pos_] == '.';
    if (has_dot) ++pos_;
    const size_t fraction_start = pos_;
    while (pos_ < text_.size() && IsDigit(text_[pos_])) {
      if (pos_ - fraction_start < kMaxFractionDigits) {
        fraction = fraction * 10 + (text_[pos_] - '0');
        scale *= 10;
      }
      ++pos_;
    }
    const std::string_view number = text_.substr(start, pos_ - start);
    if (number.empty() || number == ".") {
      return Error("expected a number at \"" + std::string(text_.substr(start)) + "\"");
    }
    if (pos_ == text_.size()) return Error("missing unit after \"" + std::string(number) + "\"");
    std::optional<int64_t> unit = ReadUnit(text_, &pos_);
    if (!unit) return Error(UnknownUnit());
    if (overflow || whole > kMaxNanos / *unit) return Error("too large");
    return whole * *unit + fraction * *unit / scale;
  }

  std::string UnknownUnit() const {
    size_t end = pos_;
    while (end < text_.size() && !IsDigit(text_[end]) && text_[end] != '.') ++end;
    return "unknown unit \"" + std::string(text_.substr(pos_, end - pos_)) +
           "\" (use s, m, h or d)";
  }

  Failure<std::string> Error(const std::string& why) const {
    return Fail("invalid duration \"" + std::string(text_) + "\": " + why);
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

Result<int64_t> ParseDuration(std::string_view text) { return DurationParser(text).Parse(); }

std::string FormatDuration(int64_t seconds) {
  if (seconds == 0) return "0s";
  std::string text = seconds < 0 ? "-" : "";
  // Magnitude as unsigned so that INT64_MIN has one.
  uint64_t rest = seconds < 0 ? 0 - static_cast<uint64_t>(seconds) : seconds;
  static constexpr struct {
    uint64_t seconds;
    char unit;
  } kUnits[] = {{86'400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
  for (const auto& unit : kUnits) {
    if (rest >= unit.seconds) {
      text += std::to_string(rest / unit.seconds) + unit.unit;
      rest %= unit.seconds;
    }
  }
  return text;
}

}  // namespace sluice::pipeline
