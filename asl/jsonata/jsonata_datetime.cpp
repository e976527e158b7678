// Integer and date/time picture strings — $formatInteger, $parseInteger, $fromMillis, $toMillis
// and $now — following XPath F&O 3.1 (§4.6.1, §9.8) exactly as jsonata-js 2.0.6's datetime.js
// implements them, quirks included. Dates are computed with JavaScript's Date arithmetic
// (proleptic Gregorian, millisecond time values, Date.UTC's 0..99 year mapping).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "asl/jsonata/jsonata_pictures.h"

namespace sluice::asl::jsonata::internal {

// ---------------------------------------------------------------------------------------------
// Shared helpers (declared in jsonata_pictures.h).

std::u32string Utf8To32(const std::string& s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; k < n && i + static_cast<size_t>(k) < s.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<size_t>(k)]) & 0x3F);
    }
    out += cp;
    i += static_cast<size_t>(n);
  }
  return out;
}

std::string Utf32To8(const std::u32string& s) {
  std::string out;
  for (char32_t cp : s) AppendUtf8(out, static_cast<uint32_t>(cp));
  return out;
}

std::u32string JsSubstring(const std::u32string& s, long a) {
  return JsSubstring(s, a, static_cast<long>(s.size()));
}

std::u32string JsSubstring(const std::u32string& s, long a, long b) {
  long n = static_cast<long>(s.size());
  a = std::clamp(a, 0L, n);
  b = std::clamp(b, 0L, n);
  if (a > b) std::swap(a, b);
  return s.substr(static_cast<size_t>(a), static_cast<size_t>(b - a));
}

namespace {

[[noreturn]] void SignatureError(size_t i, const std::string& fn, int64_t pos) {
  Throw("T0410",
        "Argument " + std::to_string(i + 1) + " of function \"" + fn +
            "\" does not match function signature",
        pos);
}

}  // namespace

std::optional<double> OptNumArg(const std::vector<Value>& args, size_t i, const std::string& fn,
                                int64_t pos) {
  if (i >= args.size() || args[i].undef()) return std::nullopt;
  if (!IsNum(args[i])) SignatureError(i, fn, pos);
  return args[i].j.get<double>();
}

std::optional<std::string> OptStrArg(const std::vector<Value>& args, size_t i,
                                     const std::string& fn, int64_t pos) {
  if (i >= args.size() || args[i].undef()) return std::nullopt;
  if (!IsStr(args[i])) SignatureError(i, fn, pos);
  return args[i].j.get<std::string>();
}

void AddPictureBuiltin(Env& env, const std::string& name, int required, int max_args,
                       bool context_arg, Builtin fn) {
  auto f = std::make_shared<Fn>();
  // Errors raised below the built-in carry no position; stamp the call's.
  f->builtin = [fn = std::move(fn)](Evaluator& ev, std::vector<Value>& args, const Value& ctx,
                                    int64_t pos) -> Value {
    try {
      return fn(ev, args, ctx, pos);
    } catch (JErr& e) {
      if (e.pos < 0) e.pos = pos;
      throw;
    }
  };
  f->required = required;
  f->max_args = max_args;
  f->context_arg = context_arg;
  f->name = name;
  Value v;
  v.k = Value::K::kFn;
  v.fn = std::move(f);
  env.vars[name] = std::move(v);
}

namespace {

using U32 = std::u32string;
constexpr size_t kNpos = U32::npos;
constexpr double kDayMs = 86400000.0;

bool IsJsSpace(char32_t c) {
  return c == U' ' || (c >= U'\t' && c <= U'\r') || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000 || c == 0xFEFF;
}

// JavaScript parseInt(s): optional sign, decimal (or 0x hex) digits; NaN without digits.
double JsParseInt(const U32& s) {
  size_t i = 0;
  while (i < s.size() && IsJsSpace(s[i])) ++i;
  double sign = 1;
  if (i < s.size() && (s[i] == U'+' || s[i] == U'-')) sign = s[i++] == U'-' ? -1 : 1;
  if (i + 1 < s.size() && s[i] == U'0' && (s[i + 1] == U'x' || s[i + 1] == U'X')) {
    double v = 0;
    size_t start = i += 2;
    for (; i < s.size(); ++i) {
      char32_t c = s[i];
      int d = c >= U'0' && c <= U'9'   ? static_cast<int>(c - U'0')
              : c >= U'a' && c <= U'f' ? static_cast<int>(c - U'a') + 10
              : c >= U'A' && c <= U'F' ? static_cast<int>(c - U'A') + 10
                                       : -1;
      if (d < 0) break;
      v = v * 16 + d;
    }
    return i == start ? NAN : sign * v;
  }
  std::string digits;
  for (; i < s.size() && s[i] >= U'0' && s[i] <= U'9'; ++i) digits += static_cast<char>(s[i]);
  if (digits.empty()) return NAN;
  return sign * std::strtod(digits.c_str(), nullptr);
}

std::string AsciiUpper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string AsciiLower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// ---------------------------------------------------------------------------------------------
// Integer pictures (F&O §4.6.1).

enum class Primary { kDecimal, kLetters, kRoman, kWords, kSequence };
enum class Case { kUpper, kLower, kTitle };

struct Separator {
  long position = 0;  // digits to the right of the separator
  char32_t ch = 0;
};

struct IntegerFormat {
  Primary primary = Primary::kDecimal;
  Case tcase = Case::kLower;
  bool ordinal = false;
  char32_t zero = U'0';  // the decimal digit family
  long mandatory = 0;    // decimal only (undefined in jsonata-js otherwise)
  long optional = 0;
  bool regular = false;  // separators[0] then holds the interval and character
  std::vector<Separator> separators;
  U32 token;             // an unsupported numbering sequence
  long parse_width = 0;  // when parsing adjacent integers: exact digit count
};

constexpr char32_t kDecimalGroups[] = {
    0x30,   0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6,
    0x0C66, 0x0CE6, 0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0,
    0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620,
    0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10};

long Gcd(long a, long b) { return b == 0 ? a : Gcd(b, a % b); }

// The interval of evenly spaced, identical grouping separators, or 0.
long RegularRepeat(const std::vector<Separator>& seps) {
  if (seps.empty()) return 0;
  for (const Separator& s : seps) {
    if (s.ch != seps[0].ch) return 0;
  }
  long factor = seps[0].position;
  for (size_t i = 1; i < seps.size(); ++i) factor = Gcd(factor, seps[i].position);
  for (long i = 1; i <= static_cast<long>(seps.size()); ++i) {
    bool found = std::any_of(seps.begin(), seps.end(),
                             [&](const Separator& s) { return s.position == i * factor; });
    if (!found) return 0;
  }
  return factor;
}

IntegerFormat AnalyseIntegerPicture(const U32& picture) {
  IntegerFormat f;
  U32 primary = picture;
  size_t semi = picture.rfind(U';');
  if (semi != kNpos) {
    primary = picture.substr(0, semi);
    f.ordinal = semi + 1 < picture.size() && picture[semi + 1] == U'o';
  }
  if (primary == U"A" || primary == U"a") {
    f.primary = Primary::kLetters;
    f.tcase = primary == U"A" ? Case::kUpper : Case::kLower;
    return f;
  }
  if (primary == U"I" || primary == U"i") {
    f.primary = Primary::kRoman;
    f.tcase = primary == U"I" ? Case::kUpper : Case::kLower;
    return f;
  }
  if (primary == U"W" || primary == U"Ww" || primary == U"w") {
    f.primary = Primary::kWords;
    f.tcase = primary == U"W" ? Case::kUpper : primary == U"Ww" ? Case::kTitle : Case::kLower;
    return f;
  }
  std::optional<char32_t> zero;
  long position = 0;
  std::vector<Separator> seps;
  for (auto it = primary.rbegin(); it != primary.rend(); ++it) {
    char32_t c = *it;
    const char32_t* group = std::find_if(std::begin(kDecimalGroups), std::end(kDecimalGroups),
                                         [c](char32_t g) { return c >= g && c <= g + 9; });
    if (group != std::end(kDecimalGroups)) {
      ++f.mandatory;
      ++position;
      if (!zero) zero = *group;
      if (*zero != *group)
        Throw("D3131", "In a decimal digit pattern, all digits must be from the same decimal group",
              -1);
    } else if (c == U'#') {
      ++position;
      ++f.optional;
    } else {
      seps.push_back({position, c});
    }
  }
  if (f.mandatory == 0) {
    f.primary = Primary::kSequence;
    f.token = primary;
    f.optional = 0;
    return f;
  }
  f.zero = *zero;
  long interval = RegularRepeat(seps);
  f.regular = interval > 0;
  f.separators = f.regular ? std::vector<Separator>{{interval, seps[0].ch}} : seps;
  return f;
}

[[noreturn]] void SequenceError(const U32& token) {
  Throw("D3130",
        "Formatting or parsing an integer as a sequence starting with " + Utf32To8(token) +
            " is not supported by this implementation",
        -1);
}

[[noreturn]] void TooDeep() {
  Throw("U1001", "Stack overflow error: the value is too large for this numbering format", -1);
}

const char* const kFew[] = {"Zero",    "One",     "Two",       "Three",    "Four",
                            "Five",    "Six",     "Seven",     "Eight",    "Nine",
                            "Ten",     "Eleven",  "Twelve",    "Thirteen", "Fourteen",
                            "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen"};
const char* const kOrdinals[] = {
    "Zeroth",     "First",     "Second",    "Third",       "Fourth",     "Fifth",     "Sixth",
    "Seventh",    "Eighth",    "Ninth",     "Tenth",       "Eleventh",   "Twelfth",   "Thirteenth",
    "Fourteenth", "Fifteenth", "Sixteenth", "Seventeenth", "Eighteenth", "Nineteenth"};
const char* const kDecades[] = {"Twenty",  "Thirty", "Forty",  "Fifty",  "Sixty",
                                "Seventy", "Eighty", "Ninety", "Hundred"};
const char* const kMagnitudes[] = {"Thousand", "Million", "Billion", "Trillion"};

std::string Words(double num, bool prev, bool ord) {
  std::string words;
  if (num <= 19) {
    auto i = static_cast<size_t>(num);
    words = std::string(prev ? " and " : "") + (ord ? kOrdinals[i] : kFew[i]);
  } else if (num < 100) {
    double rem = std::fmod(num, 10);
    words =
        std::string(prev ? " and " : "") + kDecades[static_cast<size_t>(std::floor(num / 10)) - 2];
    if (rem > 0) {
      words += "-" + Words(rem, false, ord);
    } else if (ord) {
      words = words.substr(0, words.size() - 1) + "ieth";
    }
  } else if (num < 1000) {
    double rem = std::fmod(num, 100);
    words = std::string(prev ? ", " : "") + kFew[static_cast<size_t>(std::floor(num / 100))] +
            " Hundred";
    if (rem > 0) {
      words += Words(rem, true, ord);
    } else if (ord) {
      words += "th";
    }
  } else {
    int mag = std::min(4, static_cast<int>(std::floor(std::log10(num) / 3)));
    double factor = std::pow(10.0, mag * 3);
    double mant = std::floor(num / factor);
    double rem = num - mant * factor;
    words = std::string(prev ? ", " : "") + Words(mant, false, false) + " " + kMagnitudes[mag - 1];
    if (rem > 0) {
      words += Words(rem, true, ord);
    } else if (ord) {
      words += "th";
    }
  }
  return words;
}

std::string NumberToWords(double value, bool ordinal) {
  if (!std::isfinite(value)) TooDeep();  // jsonata-js recurses without end
  return Words(value, false, ordinal);
}

std::string DecimalToRoman(double value) {
  static const std::pair<double, const char*> kNumerals[] = {
      {1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"}, {90, "xc"}, {50, "l"},
      {40, "xl"},  {10, "x"},   {9, "ix"},  {5, "v"},    {4, "iv"},  {1, "i"}};
  if (value >= 1e7) TooDeep();  // one recursion per numeral in jsonata-js
  std::string out;
  for (const auto& [n, s] : kNumerals) {
    while (value >= n) {
      out += s;
      value -= n;
    }
  }
  return out;
}

U32 DecimalToLetters(double value, char32_t a) {
  U32 letters;
  while (value > 0) {
    letters.insert(letters.begin(), a + static_cast<char32_t>(std::fmod(value - 1, 26)));
    value = std::floor((value - 1) / 26);
  }
  return letters;
}

// Inserts `ch` the way jsonata-js does: s.substr(0, pos) + ch + s.substr(pos), where a
// negative pos counts from the end in the second substr only.
void JsSplice(U32& s, long pos, char32_t ch) {
  long n = static_cast<long>(s.size());
  U32 left = pos > 0 ? s.substr(0, static_cast<size_t>(std::min(pos, n))) : U32();
  long start = pos < 0 ? std::max(n + pos, 0L) : std::min(pos, n);
  s = left + ch + s.substr(static_cast<size_t>(start));
}

U32 FormatDecimal(double value, const IntegerFormat& f) {
  U32 s = Utf8To32(JsNumStr(value));
  if (f.mandatory > static_cast<long>(s.size()))
    s = U32(static_cast<size_t>(f.mandatory) - s.size(), U'0') + s;
  if (f.zero != U'0') {
    for (char32_t& c : s) c = c + f.zero - U'0';
  }
  if (f.regular) {
    const Separator& sep = f.separators[0];
    long n = (static_cast<long>(s.size()) - 1) / sep.position;
    for (long i = n; i > 0; --i)
      JsSplice(s, static_cast<long>(s.size()) - i * sep.position, sep.ch);
  } else {
    for (auto it = f.separators.rbegin(); it != f.separators.rend(); ++it)
      JsSplice(s, static_cast<long>(s.size()) - it->position, it->ch);
  }
  if (f.ordinal) {
    char32_t last = s.empty() ? 0 : s.back();
    const char* suffix = last == U'1' ? "st" : last == U'2' ? "nd" : last == U'3' ? "rd" : "th";
    if (s.size() > 1 && s[s.size() - 2] == U'1') suffix = "th";
    s += Utf8To32(suffix);
  }
  return s;
}

U32 FormatIntegerValue(double value, const IntegerFormat& f) {
  bool negative = value < 0;
  value = std::fabs(value);
  U32 out;
  switch (f.primary) {
    case Primary::kLetters:
      out = DecimalToLetters(value, f.tcase == Case::kUpper ? U'A' : U'a');
      break;
    case Primary::kRoman: {
      std::string r = DecimalToRoman(value);
      out = Utf8To32(f.tcase == Case::kUpper ? AsciiUpper(r) : r);
      break;
    }
    case Primary::kWords: {
      std::string w = NumberToWords(value, f.ordinal);
      if (f.tcase == Case::kUpper) w = AsciiUpper(w);
      if (f.tcase == Case::kLower) w = AsciiLower(w);
      out = Utf8To32(w);
      break;
    }
    case Primary::kDecimal:
      out = FormatDecimal(value, f);
      break;
    case Primary::kSequence:
      SequenceError(f.token);
  }
  return negative ? U"-" + out : out;
}

// Word values in jsonata-js's insertion order (it shapes the parsing regex's alternation).
const std::vector<std::pair<std::string, double>>& WordValues() {
  static const auto* values = [] {
    auto* v = new std::vector<std::pair<std::string, double>>;
    for (int i = 0; i < 20; ++i) v->emplace_back(AsciiLower(kFew[i]), i);
    for (int i = 0; i < 20; ++i) v->emplace_back(AsciiLower(kOrdinals[i]), i);
    for (int i = 0; i < 9; ++i) {
      std::string w = AsciiLower(kDecades[i]);
      v->emplace_back(w, (i + 2) * 10);
      v->emplace_back(w.substr(0, w.size() - 1) + "ieth", (i + 2) * 10);
    }
    v->emplace_back("hundredth", 100);
    for (int i = 0; i < 4; ++i) {
      std::string w = AsciiLower(kMagnitudes[i]);
      v->emplace_back(w, std::pow(10.0, (i + 1) * 3));
      v->emplace_back(w + "th", std::pow(10.0, (i + 1) * 3));
    }
    return v;
  }();
  return *values;
}

double WordValue(const std::string& word) {
  for (const auto& [w, v] : WordValues()) {
    if (w == word) return v;
  }
  return NAN;
}

double WordsToNumber(const std::string& text) {
  static const std::regex kSplit(R"(,\s|\sand\s|[\s\\-])");
  std::vector<double> values;
  auto begin = text.cbegin();
  std::smatch m;
  while (std::regex_search(begin, text.cend(), m, kSplit)) {
    values.push_back(WordValue(std::string(begin, m[0].first)));
    begin = m[0].second;
  }
  values.push_back(WordValue(std::string(begin, text.cend())));
  std::vector<double> segs{0};
  for (double value : values) {
    if (value < 100) {
      double top = segs.back();
      segs.pop_back();
      if (top >= 1000) {
        segs.push_back(top);
        top = 0;
      }
      segs.push_back(top + value);
    } else {
      double top = segs.back();
      segs.back() = top * value;
    }
  }
  double sum = 0;
  for (double s : segs) sum += s;
  return sum;
}

double RomanToDecimal(const std::string& roman) {
  double decimal = 0, max = 1;
  for (auto it = roman.rbegin(); it != roman.rend(); ++it) {
    double value = *it == 'M'   ? 1000
                   : *it == 'D' ? 500
                   : *it == 'C' ? 100
                   : *it == 'L' ? 50
                   : *it == 'X' ? 10
                   : *it == 'V' ? 5
                   : *it == 'I' ? 1
                                : NAN;
    if (value < max) {
      decimal -= value;
    } else {
      max = value;
      decimal += value;
    }
  }
  return decimal;
}

double LettersToDecimal(const U32& letters, char32_t a) {
  double decimal = 0;
  for (size_t i = 0; i < letters.size(); ++i) {
    double code = static_cast<double>(letters[letters.size() - i - 1]);
    decimal += (code - static_cast<double>(a) + 1) * std::pow(26.0, static_cast<double>(i));
  }
  return decimal;
}

// Parses text in an integer format; NaN when it does not yield a number.
double ParseIntegerValue(const U32& text, const IntegerFormat& f) {
  switch (f.primary) {
    case Primary::kLetters:
      return LettersToDecimal(text, f.tcase == Case::kUpper ? U'A' : U'a');
    case Primary::kRoman: {
      std::string s = Utf32To8(text);
      return RomanToDecimal(f.tcase == Case::kUpper ? s : AsciiUpper(s));
    }
    case Primary::kWords:
      return WordsToNumber(AsciiLower(Utf32To8(text)));
    case Primary::kDecimal: {
      U32 digits = f.ordinal ? JsSubstring(text, 0, static_cast<long>(text.size()) - 2) : text;
      auto strip = [&digits](char32_t ch) {
        digits.erase(std::remove(digits.begin(), digits.end(), ch), digits.end());
      };
      if (f.regular) {
        strip(U',');  // jsonata-js strips commas whatever the separator
      } else {
        for (const Separator& s : f.separators) strip(s.ch);
      }
      if (f.zero != U'0') {
        for (char32_t& c : digits) c = c - f.zero + U'0';
      }
      return JsParseInt(digits);
    }
    case Primary::kSequence:
      SequenceError(f.token);
  }
  return NAN;
}

// ---------------------------------------------------------------------------------------------
// JavaScript Date arithmetic.

int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// ECMAScript TimeClip.
double TimeClip(double t) {
  if (!std::isfinite(t) || std::fabs(t) > 8.64e15) return NAN;
  return std::trunc(t) + 0.0;
}

// Date.UTC(y, m, d, h, mi, s, ms); `legacy_years` maps years 0..99 to 1900..1999 as Date.UTC does.
double MakeUtc(double y, double m, double d = 1, double h = 0, double mi = 0, double s = 0,
               double ms = 0, bool legacy_years = true) {
  for (double x : {y, m, d, h, mi, s, ms}) {
    if (!std::isfinite(x)) return NAN;
  }
  y = std::trunc(y);
  if (legacy_years && y >= 0 && y <= 99) y += 1900;
  m = std::trunc(m);
  double ym = y + std::floor(m / 12);
  double mn = m - std::floor(m / 12) * 12;
  if (std::fabs(ym) > 400000) return NAN;
  double day = static_cast<double>(
                   DaysFromCivil(static_cast<int64_t>(ym), static_cast<int64_t>(mn) + 1, 1)) +
               std::trunc(d) - 1;
  double time =
      std::trunc(h) * 3600000 + std::trunc(mi) * 60000 + std::trunc(s) * 1000 + std::trunc(ms);
  return TimeClip(day * kDayMs + time);
}

// The UTC fields of a Date; all NaN for an invalid date.
struct DateParts {
  double t = NAN;
  double year = NAN, month = NAN, day = NAN, hours = NAN, minutes = NAN, seconds = NAN,
         millis = NAN, weekday = NAN;  // month 0..11, weekday 0 = Sunday
};

DateParts DateOf(double t) {
  DateParts p;
  p.t = TimeClip(t);
  if (std::isnan(p.t)) return p;
  double days = std::floor(p.t / kDayMs);
  double in_day = p.t - days * kDayMs;
  // Civil from days (Howard Hinnant's algorithm).
  int64_t z = static_cast<int64_t>(days) + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  p.year = static_cast<double>(yoe + era * 400 + (m <= 2));
  p.month = static_cast<double>(m - 1);
  p.day = static_cast<double>(d);
  p.hours = std::floor(in_day / 3600000);
  p.minutes = std::floor(std::fmod(in_day, 3600000) / 60000);
  p.seconds = std::floor(std::fmod(in_day, 60000) / 1000);
  p.millis = std::fmod(in_day, 1000);
  p.weekday = std::fmod(std::fmod(days + 4, 7) + 7, 7);
  return p;
}

// ISO 8601: week 1 contains the first Thursday (of the year, or of the month for 'w').
double StartOfFirstWeek(double year, double month) {
  double jan1 = MakeUtc(year, month);
  double dow = DateOf(jan1).weekday;
  if (dow == 0) dow = 7;
  return dow > 4 ? jan1 + (8 - dow) * kDayMs : jan1 - (dow - 1) * kDayMs;
}

double DeltaWeeks(double start, double end) { return (end - start) / (kDayMs * 7) + 1; }

std::pair<double, double> NextMonth(double y, double m) {
  return m == 11 ? std::pair{y + 1, 0.0} : std::pair{y, m + 1};
}

std::pair<double, double> PreviousMonth(double y, double m) {
  return m == 0 ? std::pair{y - 1, 11.0} : std::pair{y, m - 1};
}

// jsonata-js getDateTimeFragment for the numeric components.
double Fragment(const DateParts& date, char32_t component) {
  switch (component) {
    case U'Y':
      return date.year;
    case U'M':
      return date.month + 1;
    case U'D':
      return date.day;
    case U'd':
      return (MakeUtc(date.year, date.month, date.day) - MakeUtc(date.year, 0)) / kDayMs + 1;
    case U'F':
      return date.weekday == 0 ? 7 : date.weekday;
    case U'W': {
      double today = MakeUtc(date.year, date.month, date.day);
      double week = DeltaWeeks(StartOfFirstWeek(date.year, 0), today);
      if (week > 52) {
        if (today >= StartOfFirstWeek(date.year + 1, 0)) week = 1;
      } else if (week < 1) {
        week = DeltaWeeks(StartOfFirstWeek(date.year - 1, 0), today);
      }
      return std::floor(week);
    }
    case U'w': {
      double today = MakeUtc(date.year, date.month, date.day);
      double week = DeltaWeeks(StartOfFirstWeek(date.year, date.month), today);
      if (week > 4) {
        auto [ny, nm] = NextMonth(date.year, date.month);
        if (today >= StartOfFirstWeek(ny, nm)) week = 1;
      } else if (week < 1) {
        auto [py, pm] = PreviousMonth(date.year, date.month);
        week = DeltaWeeks(StartOfFirstWeek(py, pm), today);
      }
      return std::floor(week);
    }
    case U'X':
      if (date.t < StartOfFirstWeek(date.year, 0)) return date.year - 1;
      if (date.t >= StartOfFirstWeek(date.year + 1, 0)) return date.year + 1;
      return date.year;
    case U'x': {
      auto [ny, nm] = NextMonth(date.year, date.month);
      if (date.t < StartOfFirstWeek(date.year, date.month))
        return PreviousMonth(date.year, date.month).second + 1;
      if (date.t >= StartOfFirstWeek(ny, nm)) return nm + 1;
      return date.month + 1;
    }
    case U'H':
      return date.hours;
    case U'h': {
      double h = std::fmod(date.hours, 12);
      return h == 0 ? 12 : h;
    }
    case U'm':
      return date.minutes;
    case U's':
      return date.seconds;
    case U'f':
      return date.millis;
    default:  // 'P' yields "am"/"pm" in jsonata-js, which never equals 1 where it is used
      return 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Date/time pictures (F&O §9.8.4).

// A literal or a variable marker of a date/time picture.
struct Marker {
  bool literal = false;
  U32 text;
  char32_t component = 0;  // 0 for an empty marker
  bool has_width = false;
  std::optional<double> width_min, width_max;
  U32 pres1;
  char32_t pres2 = 0;
  std::optional<Case> names;
  std::optional<IntegerFormat> format;
  double n = -1;  // 'Y': number of digits kept
};

std::optional<U32> DefaultPresentation(char32_t component) {
  switch (component) {
    case U'Y':
    case U'M':
    case U'D':
    case U'd':
    case U'W':
    case U'w':
    case U'X':
    case U'x':
    case U'H':
    case U'h':
    case U'f':
      return U"1";
    case U'F':
    case U'P':
    case U'C':
    case U'E':
      return U"n";
    case U'm':
    case U's':
      return U"01";
    case U'Z':
    case U'z':
      return U"01:01";
    default:
      return std::nullopt;
  }
}

bool In(char32_t c, std::u32string_view set) { return c != 0 && set.find(c) != kNpos; }

std::optional<double> ParseWidth(const std::optional<U32>& w) {
  if (!w || *w == U"*") return std::nullopt;
  double v = JsParseInt(*w);
  if (std::isnan(v)) return std::nullopt;  // jsonata-js carries NaN; treated as unspecified
  return std::clamp(v, -1e6, 1e6);         // bound the padding a picture can request
}

Marker AnalyseMarker(const U32& raw, std::vector<Marker>& spec) {
  U32 marker;
  for (char32_t c : raw) {
    if (!IsJsSpace(c)) marker += c;
  }
  Marker def;
  def.component = marker.empty() ? 0 : marker[0];
  size_t comma = marker.rfind(U',');
  U32 pres;
  if (comma != kNpos) {
    U32 width = marker.substr(comma + 1);
    size_t dash = width.find(U'-');
    def.has_width = true;
    def.width_min = ParseWidth(dash == kNpos ? width : width.substr(0, dash));
    def.width_max =
        ParseWidth(dash == kNpos ? std::nullopt : std::optional(width.substr(dash + 1)));
    pres = JsSubstring(marker, 1, static_cast<long>(comma));
  } else {
    pres = JsSubstring(marker, 1);
  }
  if (pres.size() == 1) {
    def.pres1 = pres;
  } else if (pres.size() > 1) {
    if (In(pres.back(), U"atco")) {
      def.pres2 = pres.back();
      def.pres1 = pres.substr(0, pres.size() - 1);
    } else {
      def.pres1 = pres;
    }
  } else {
    auto d = DefaultPresentation(def.component);
    if (!d)
      Throw("D3132",
            "Unknown component specifier " + Utf32To8(U32(1, def.component)) +
                " in date/time picture string",
            -1);
    def.pres1 = *d;
  }
  if (def.pres1[0] == U'n') {
    def.names = Case::kLower;
  } else if (def.pres1[0] == U'N') {
    def.names = def.pres1.size() > 1 && def.pres1[1] == U'n' ? Case::kTitle : Case::kUpper;
  } else if (In(def.component, U"YMDdFWwXxHhmsf")) {
    U32 pattern = def.pres1;
    if (def.pres2) pattern += U32(1, U';') + def.pres2;
    IntegerFormat f = AnalyseIntegerPicture(pattern);
    bool decimal = f.primary == Primary::kDecimal;
    if (decimal && def.width_min && f.mandatory < *def.width_min)
      f.mandatory = static_cast<long>(*def.width_min);
    if (def.component == U'Y') {
      if (def.width_max) {
        def.n = *def.width_max;
        f.mandatory = static_cast<long>(def.n);
      } else if (decimal && f.mandatory + f.optional >= 2) {
        def.n = static_cast<double>(f.mandatory + f.optional);
      }
    }
    // Adjacent integers (no literal between) must parse with a fixed width.
    if (!spec.empty() && spec.back().format)
      spec.back().format->parse_width = spec.back().format->mandatory;
    def.format = f;
  }
  if (def.component == U'Z' || def.component == U'z') def.format = AnalyseIntegerPicture(def.pres1);
  return def;
}

std::vector<Marker> AnalyseDateTimePicture(const U32& picture) {
  std::vector<Marker> spec;
  auto add_literal = [&](size_t start, size_t end) {
    if (end <= start) return;
    U32 lit = picture.substr(start, end - start);
    for (size_t i = lit.find(U"]]"); i != kNpos; i = lit.find(U"]]", i + 1)) lit.erase(i, 1);
    Marker m;
    m.literal = true;
    m.text = lit;
    spec.push_back(std::move(m));
  };
  size_t start = 0, pos = 0;
  while (pos < picture.size()) {
    if (picture[pos] == U'[') {
      if (pos + 1 < picture.size() && picture[pos + 1] == U'[') {
        add_literal(start, pos);
        Marker m;
        m.literal = true;
        m.text = U"[";
        spec.push_back(std::move(m));
        pos += 2;
        start = pos;
        continue;
      }
      add_literal(start, pos);
      start = pos;
      pos = picture.find(U']', start);
      if (pos == kNpos)
        Throw("D3135", "No matching closing bracket ']' in date/time picture string", -1);
      Marker def = AnalyseMarker(picture.substr(start + 1, pos - start - 1), spec);
      spec.push_back(std::move(def));
      start = pos + 1;
    }
    ++pos;
  }
  add_literal(start, pos);
  return spec;
}

const char* const kMonths[] = {"January",   "February", "March",    "April",
                               "May",       "June",     "July",     "August",
                               "September", "October",  "November", "December"};
const char* const kDays[] = {"",         "Monday", "Tuesday",  "Wednesday",
                             "Thursday", "Friday", "Saturday", "Sunday"};

[[noreturn]] void NameError(char32_t component) {
  Throw("D3133",
        "The 'name' modifier can only be applied to months and days in the date/time picture "
        "string, not " +
            Utf32To8(U32(1, component)),
        -1);
}

std::string FormatName(double value, const Marker& m) {
  std::string name;
  if (m.component == U'M' || m.component == U'x') {
    if (!(value >= 1 && value <= 12)) Throw("D3110", "Invalid date/time value", -1);
    name = kMonths[static_cast<size_t>(value) - 1];
  } else if (m.component == U'F') {
    if (!(value >= 1 && value <= 7)) Throw("D3110", "Invalid date/time value", -1);
    name = kDays[static_cast<size_t>(value)];
  } else {
    NameError(m.component);
  }
  if (m.names == Case::kUpper) name = AsciiUpper(name);
  if (m.names == Case::kLower) name = AsciiLower(name);
  if (m.width_max && static_cast<double>(name.size()) > *m.width_max)
    name = name.substr(0, static_cast<size_t>(std::max(*m.width_max, 0.0)));
  return name;
}

// The parsed "+hhmm" timezone argument.
struct Offset {
  double hours = 0, minutes = 0;
};

std::string FormatZone(const Marker& m, const Offset& tz) {
  double offset = tz.hours * 100 + tz.minutes;
  const IntegerFormat& f = *m.format;
  U32 out;
  if (f.primary == Primary::kDecimal && f.regular) {
    out = FormatIntegerValue(offset, f);
  } else if (f.mandatory == 1 || f.mandatory == 2) {
    out = FormatIntegerValue(tz.hours, f);
    if (tz.minutes != 0) out += U":" + Utf8To32(FormatInteger(tz.minutes, "00"));
  } else if (f.mandatory == 3 || f.mandatory == 4) {
    out = FormatIntegerValue(offset, f);
  } else {
    Throw("D3134", "The timezone integer format specifier cannot have more than four digits", -1);
  }
  if (offset >= 0) out = U"+" + out;
  if (m.component == U'z') out = U"GMT" + out;
  if (offset == 0 && m.pres2 == U't') out = U"Z";
  return Utf32To8(out);
}

std::string FormatComponent(const DateParts& date, const Marker& m, const Offset& tz) {
  char32_t c = m.component;
  if (In(c, U"YMDdFWwXxHhms")) {
    double value = Fragment(date, c);
    if (c == U'Y' && m.n != -1) value = std::fmod(value, std::pow(10.0, m.n));
    if (m.names) return FormatName(value, m);
    return Utf32To8(FormatIntegerValue(value, *m.format));
  }
  if (c == U'f') return Utf32To8(FormatIntegerValue(Fragment(date, c), *m.format));
  if (c == U'Z' || c == U'z') return FormatZone(m, tz);
  if (c == U'P') {
    std::string ampm = date.hours >= 12 ? "pm" : "am";
    return m.names == Case::kUpper ? AsciiUpper(ampm) : ampm;
  }
  if (c == U'C' || c == U'E') return "ISO";
  return "undefined";  // jsonata-js concatenates the missing value
}

// ---------------------------------------------------------------------------------------------
// Parsing with a date/time picture.

// One capturing group of the parsing regex and how to read what it captured.
struct PartMatcher {
  std::string regex;
  char32_t component = 0;
  std::function<std::optional<double>(const std::string&)> parse;  // empty for literals
};

std::string EscapeRegex(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::string_view(".*+?^${}()|[]\\").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

PartMatcher IntegerMatcher(const IntegerFormat& f) {
  PartMatcher pm;
  bool upper = f.tcase == Case::kUpper;
  switch (f.primary) {
    case Primary::kLetters:
      pm.regex = upper ? "[A-Z]+" : "[a-z]+";
      break;
    case Primary::kRoman:
      pm.regex = upper ? "[MDCLXVI]+" : "[mdclxvi]+";
      break;
    case Primary::kWords:
      pm.regex = "(?:";
      for (const auto& [w, v] : WordValues()) pm.regex += w + "|";
      pm.regex += "and|[\\-, ])+";
      break;
    case Primary::kDecimal:
      pm.regex = "[0-9]";
      pm.regex += f.parse_width ? "{" + std::to_string(f.parse_width) + "}" : "+";
      if (f.ordinal) pm.regex += "(?:th|st|nd|rd)";
      break;
    case Primary::kSequence:
      SequenceError(f.token);
  }
  pm.parse = [f](const std::string& text) -> std::optional<double> {
    return ParseIntegerValue(Utf8To32(text), f);
  };
  return pm;
}

PartMatcher ZoneMatcher(const Marker& m) {
  PartMatcher pm;
  const IntegerFormat& f = *m.format;
  std::optional<char32_t> sep;
  if (f.primary == Primary::kDecimal && f.regular) sep = f.separators[0].ch;
  bool gmt = m.component == U'z';
  pm.regex = std::string(gmt ? "GMT" : "") + "[-+][0-9]+";
  if (sep) pm.regex += Utf32To8(U32(1, *sep)) + "[0-9]+";
  pm.parse = [gmt, sep](const std::string& text) -> std::optional<double> {
    U32 v = Utf8To32(text);
    if (gmt) v = JsSubstring(v, 3);
    double hours = 0, minutes = 0;
    if (sep) {
      size_t at = v.find(*sep);
      hours = JsParseInt(v.substr(0, at));
      minutes = JsParseInt(at == kNpos ? v : v.substr(at + 1));
    } else if (v.size() - 1 <= 2) {
      hours = JsParseInt(v);
    } else {
      hours = JsParseInt(v.substr(0, 3));
      minutes = JsParseInt(v.substr(3));
    }
    return hours * 60 + minutes;
  };
  return pm;
}

PartMatcher NameMatcher(const Marker& m) {
  PartMatcher pm;
  pm.regex = "[a-zA-Z]+";
  std::map<std::string, double> lookup;
  size_t max = m.width_max && *m.width_max > 0 ? static_cast<size_t>(*m.width_max) : 0;
  auto name = [max](const std::string& s) { return max ? s.substr(0, max) : s; };
  if (m.component == U'M' || m.component == U'x') {
    for (size_t i = 0; i < 12; ++i) lookup.emplace(name(kMonths[i]), static_cast<double>(i + 1));
  } else if (m.component == U'F') {
    for (size_t i = 1; i < 8; ++i) lookup.emplace(name(kDays[i]), static_cast<double>(i));
  } else if (m.component == U'P') {
    lookup = {{"am", 0}, {"AM", 0}, {"pm", 1}, {"PM", 1}};
  } else {
    NameError(m.component);
  }
  pm.parse = [lookup](const std::string& text) -> std::optional<double> {
    auto it = lookup.find(text);
    if (it == lookup.end()) return std::nullopt;
    return it->second;
  };
  return pm;
}

std::vector<PartMatcher> Matchers(const std::vector<Marker>& spec) {
  std::vector<PartMatcher> out;
  for (const Marker& m : spec) {
    PartMatcher pm;
    if (m.literal) {
      pm.regex = EscapeRegex(Utf32To8(m.text));
    } else if (m.component == U'Z' || m.component == U'z') {
      pm = ZoneMatcher(m);
    } else if (m.format) {
      pm = IntegerMatcher(*m.format);
    } else {
      pm = NameMatcher(m);
    }
    pm.component = m.literal ? 0 : m.component;
    out.push_back(std::move(pm));
  }
  return out;
}

// Parsed components; a present key with no value is JavaScript's undefined.
using Components = std::map<char32_t, std::optional<double>>;

bool Truthy(const Components& c, char32_t k) {
  auto it = c.find(k);
  return it != c.end() && it->second && *it->second != 0 && !std::isnan(*it->second);
}

double Get(const Components& c, char32_t k) {
  auto it = c.find(k);
  return it != c.end() && it->second ? *it->second : NAN;
}

int Mask(const Components& c, std::u32string_view order) {
  int mask = 0;
  for (char32_t k : order) mask = (mask << 1) | (Truthy(c, k) ? 1 : 0);
  return mask;
}

// Fills unspecified components: from `now` before the first given one, zero (or 1 for months
// and days) after the last; a gap between given components is D3136.
void Default(Components& c, std::u32string_view comps, const std::function<double()>& now) {
  std::optional<DateParts> today;
  bool started = false, ended = false;
  for (char32_t k : comps) {
    auto it = c.find(k);
    if (it == c.end() || !it->second) {
      if (started) {
        c[k] = In(k, U"MDd") ? 1 : 0;
        ended = true;
      } else {
        if (!today) today = DateOf(now());
        c[k] = Fragment(*today, k);
      }
    } else {
      started = true;
      if (ended)
        Throw("D3136",
              "The date/time picture string is missing specifiers required to parse the timestamp",
              -1);
    }
  }
}

constexpr size_t kMaxParseLength = 2048;  // std::regex recursion grows with the input

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public entry points.

std::string FormatInteger(double value, const std::string& picture) {
  IntegerFormat f = AnalyseIntegerPicture(Utf8To32(picture));
  return Utf32To8(FormatIntegerValue(std::floor(value), f));
}

std::optional<double> ParseInteger(const std::string& text, const std::string& picture) {
  IntegerFormat f = AnalyseIntegerPicture(Utf8To32(picture));
  if (f.primary == Primary::kSequence) SequenceError(f.token);
  double v = ParseIntegerValue(Utf8To32(text), f);
  if (!std::isfinite(v)) return std::nullopt;
  return v;
}

std::string FormatDateTime(double millis, const std::optional<std::string>& picture,
                           const std::optional<std::string>& timezone) {
  Offset tz;
  if (timezone) {
    double offset = JsParseInt(Utf8To32(*timezone));
    if (!std::isnan(offset)) {
      tz.hours = std::floor(offset / 100);
      tz.minutes = std::fmod(offset, 100);
    }
  }
  static const std::vector<Marker> kIso =
      AnalyseDateTimePicture(U"[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]");
  std::vector<Marker> spec = picture ? AnalyseDateTimePicture(Utf8To32(*picture)) : kIso;
  DateParts date = DateOf(millis + (60 * tz.hours + tz.minutes) * 60000);
  std::string out;
  for (const Marker& m : spec) out += m.literal ? Utf32To8(m.text) : FormatComponent(date, m, tz);
  return out;
}

std::optional<double> ParseDateTime(const std::string& text, const std::string& picture,
                                    const std::function<double()>& now) {
  std::vector<Marker> spec = AnalyseDateTimePicture(Utf8To32(picture));
  std::vector<PartMatcher> parts = Matchers(spec);
  std::string pattern = "^";
  for (const PartMatcher& p : parts) pattern += "(" + p.regex + ")";
  pattern += "$";
  if (text.size() > kMaxParseLength) return std::nullopt;
  std::smatch m;
  try {
    std::regex re(pattern, std::regex::ECMAScript | std::regex::icase);
    if (!std::regex_search(text, m, re)) return std::nullopt;
  } catch (const std::regex_error&) {
    Throw("D3136", "The date/time picture string cannot be used to parse a timestamp", -1);
  }
  Components c;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].parse) c[parts[i].component] = parts[i].parse(m[i + 1].str());
  }
  if (c.empty()) return std::nullopt;
  // Which combination of date and time components was given (see jsonata-js parseDateTime).
  int date_mask = Mask(c, U"YXMxWwdD");
  auto is = [](int mask, int type) { return !(~type & mask) && (type & mask); };
  bool date_a = is(date_mask, 161);
  bool date_b = !date_a && is(date_mask, 130);
  bool date_c = is(date_mask, 84);
  bool date_d = !date_c && is(date_mask, 72);
  int time_mask = Mask(c, U"PHhmsf");
  bool time_a = is(time_mask, 23);
  bool time_b = !time_a && is(time_mask, 47);
  std::u32string comps = date_b ? U"YD" : date_c ? U"XxwF" : date_d ? U"XWF" : U"YMD";
  comps += time_b ? U"Phmsf" : U"Hmsf";
  Default(c, comps, now);
  c[U'M'] = Get(c, U'M') > 0 ? Get(c, U'M') - 1 : 0;
  if (date_b) {
    DateParts derived = DateOf(MakeUtc(Get(c, U'Y'), 0) + (Get(c, U'd') - 1) * kDayMs);
    c[U'M'] = derived.month;
    c[U'D'] = derived.day;
  }
  if (date_c || date_d)
    Throw("D3136",
          "The date/time picture string is missing specifiers required to parse the timestamp", -1);
  if (time_b) {
    double h = Get(c, U'h') == 12 ? 0 : Get(c, U'h');
    c[U'H'] = Get(c, U'P') == 1 ? h + 12 : h;
  }
  double millis = MakeUtc(Get(c, U'Y'), Get(c, U'M'), Get(c, U'D'), Get(c, U'H'), Get(c, U'm'),
                          Get(c, U's'), Get(c, U'f'));
  double zone = Truthy(c, U'Z') ? Get(c, U'Z') : Get(c, U'z');
  if (Truthy(c, U'Z') || Truthy(c, U'z')) millis -= zone * 60000;
  if (std::isnan(millis)) return std::nullopt;
  return millis;
}

std::optional<double> ParseIsoMillis(const std::string& text) {
  // The shape jsonata-js accepts, then the ISO forms Date.parse understands.
  static const std::regex kShape(
      R"(^\d{4}(-[01]\d)*(-[0-3]\d)*(T[0-2]\d:[0-5]\d:[0-5]\d)*(\.\d+)?([+-][0-2]\d:?[0-5]\d|Z)?$)");
  static const std::regex kIso(
      R"(^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?)?(Z|([+-])(\d{2}):?(\d{2}))?$)");
  if (text.size() > kMaxParseLength || !std::regex_search(text, kShape))
    Throw("D3110", "The timestamp cannot be parsed: " + text, -1);
  std::smatch m;
  if (!std::regex_search(text, m, kIso)) return std::nullopt;
  auto num = [&m](int i, double def) { return m[i].matched ? std::stod(m[i].str()) : def; };
  double month = num(2, 1), day = num(3, 1), hour = num(4, 0), minute = num(5, 0);
  double second = num(6, 0);
  double ms = m[7].matched ? std::stod((m[7].str() + "00").substr(0, 3)) : 0;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 ||
      (hour == 24 && (minute != 0 || second != 0 || ms != 0)))
    return std::nullopt;
  double millis = MakeUtc(num(1, 0), month - 1, day, hour, minute, second, ms, false);
  if (m[9].matched) {
    double offset = num(10, 0) * 60 + num(11, 0);
    millis -= (m[9].str() == "-" ? -1 : 1) * offset * 60000;
  }
  if (std::isnan(millis)) return std::nullopt;
  return millis;
}

void InstallPictureBuiltins(Env& env) {
  // The engine stays deterministic: the time comes only from the registered $millis.
  std::shared_ptr<const Fn> millis;
  if (auto it = env.vars.find("millis"); it != env.vars.end()) millis = it->second.fn;
  auto clock = [millis](Evaluator& ev, const Value& ctx, int64_t pos) {
    if (!millis || !millis->builtin) Throw("D3137", "No clock is available to $now()", pos);
    std::vector<Value> none;
    Value v = millis->builtin(ev, none, ctx, pos);
    if (!IsNum(v)) Throw("D3137", "No clock is available to $now()", pos);
    return v.j.get<double>();
  };
  AddPictureBuiltin(env, "formatInteger", 2, 2, true,
                    [](Evaluator&, std::vector<Value>& a, const Value&, int64_t pos) -> Value {
                      auto value = OptNumArg(a, 0, "formatInteger", pos);
                      auto picture = OptStrArg(a, 1, "formatInteger", pos);
                      if (!value) return Undef();
                      if (!picture) SignatureError(1, "formatInteger", pos);
                      return Str(FormatInteger(*value, *picture));
                    });
  AddPictureBuiltin(env, "parseInteger", 2, 2, true,
                    [](Evaluator&, std::vector<Value>& a, const Value&, int64_t pos) -> Value {
                      auto text = OptStrArg(a, 0, "parseInteger", pos);
                      auto picture = OptStrArg(a, 1, "parseInteger", pos);
                      if (!text) return Undef();
                      if (!picture) SignatureError(1, "parseInteger", pos);
                      auto v = ParseInteger(*text, *picture);
                      return v ? Num(*v) : Undef();
                    });
  AddPictureBuiltin(env, "fromMillis", 1, 3, true,
                    [](Evaluator&, std::vector<Value>& a, const Value&, int64_t pos) -> Value {
                      auto ms = OptNumArg(a, 0, "fromMillis", pos);
                      auto picture = OptStrArg(a, 1, "fromMillis", pos);
                      auto tz = OptStrArg(a, 2, "fromMillis", pos);
                      if (!ms) return Undef();
                      return Str(FormatDateTime(*ms, picture, tz));
                    });
  AddPictureBuiltin(
      env, "toMillis", 1, 2, true,
      [clock](Evaluator& ev, std::vector<Value>& a, const Value& ctx, int64_t pos) -> Value {
        auto text = OptStrArg(a, 0, "toMillis", pos);
        auto picture = OptStrArg(a, 1, "toMillis", pos);
        if (!text) return Undef();
        auto v = picture ? ParseDateTime(*text, *picture, [&] { return clock(ev, ctx, pos); })
                         : ParseIsoMillis(*text);
        return v ? Num(*v) : Undef();
      });
  AddPictureBuiltin(
      env, "now", 0, 2, false,
      [clock](Evaluator& ev, std::vector<Value>& a, const Value& ctx, int64_t pos) -> Value {
        auto picture = OptStrArg(a, 0, "now", pos);
        auto tz = OptStrArg(a, 1, "now", pos);
        return Str(FormatDateTime(clock(ev, ctx, pos), picture, tz));
      });
  AddNumberFormatBuiltins(env);
}

}  // namespace sluice::asl::jsonata::internal
