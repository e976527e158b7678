// $formatNumber: XPath F&O 3.1 fn:format-number (§4.7) as jsonata-js 2.0.6 implements it,
// including its quirks (e.g. a picture without a decimal separator treats its suffix as the
// fractional part), so results match the reference implementation character for character.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "asl/jsonata/jsonata_pictures.h"

namespace sluice::asl::jsonata::internal {
namespace {

using U32 = std::u32string;
constexpr size_t kNpos = U32::npos;

U32 Sub(const U32& s, long a) { return JsSubstring(s, a); }
U32 Sub(const U32& s, long a, long b) { return JsSubstring(s, a, b); }

long Find(const U32& s, const U32& needle, size_t from = 0) {
  size_t i = s.find(needle, from);
  return i == kNpos ? -1 : static_cast<long>(i);
}

long RFind(const U32& s, const U32& needle) {
  size_t i = s.rfind(needle);
  return i == kNpos ? -1 : static_cast<long>(i);
}

// The decimal-format properties, overridable through the options argument.
struct Properties {
  U32 decimal = U".";
  U32 grouping = U",";
  U32 exponent = U"e";
  U32 minus = U"-";
  U32 percent = U"%";
  U32 per_mille = U"\u2030";
  U32 zero = U"0";
  U32 digit = U"#";
  U32 pattern = U";";

  // A property matches a character only when it is that single character.
  static bool Is(char32_t c, const U32& prop) { return prop.size() == 1 && prop[0] == c; }
  bool Family(char32_t c) const { return !zero.empty() && c >= zero[0] && c < zero[0] + 10; }
  bool DigitLike(char32_t c) const { return Family(c) || Is(c, digit); }
  bool Active(char32_t c) const {
    return Family(c) || Is(c, decimal) || Is(c, exponent) || Is(c, grouping) || Is(c, digit) ||
           Is(c, pattern);
  }
};

Properties ReadProperties(const Json& options) {
  Properties p;
  if (!options.is_object()) return p;
  const std::pair<const char*, U32 Properties::*> kKeys[] = {
      {"decimal-separator", &Properties::decimal},
      {"grouping-separator", &Properties::grouping},
      {"exponent-separator", &Properties::exponent},
      {"minus-sign", &Properties::minus},
      {"percent", &Properties::percent},
      {"per-mille", &Properties::per_mille},
      {"zero-digit", &Properties::zero},
      {"digit", &Properties::digit},
      {"pattern-separator", &Properties::pattern}};
  for (const auto& [key, member] : kKeys) {
    auto it = options.find(key);
    if (it == options.end()) continue;
    if (!it->is_string())
      Throw("T0410", "Argument 3 of function \"formatNumber\" does not match function signature",
            -1);
    p.*member = Utf8To32(it->get<std::string>());
  }
  return p;
}

// F&O 4.7.3: a sub-picture split into its parts.
struct Parts {
  U32 sub, prefix, suffix, active, mantissa, integer, fractional;
  std::optional<U32> exponent;
};

Parts SplitParts(const U32& sub, const Properties& p) {
  Parts r;
  r.sub = sub;
  long first = -1, last = -1;
  for (size_t i = 0; i < sub.size(); ++i) {
    if (p.Active(sub[i]) && !Properties::Is(sub[i], p.exponent)) {
      if (first < 0) first = static_cast<long>(i);
      last = static_cast<long>(i);
    }
  }
  if (first < 0)
    Throw("D3085",
          "The mantissa part of a sub-picture must contain at least one character that is either "
          "an 'optional digit character' or a member of the 'decimal digit family'",
          -1);
  long n = static_cast<long>(sub.size());
  r.prefix = Sub(sub, 0, first);
  r.suffix = Sub(sub, last + 1);
  r.active = Sub(sub, first, n - static_cast<long>(r.suffix.size()));
  long exp_pos = Find(sub, p.exponent, r.prefix.size());
  if (exp_pos == -1 || exp_pos > n - static_cast<long>(r.suffix.size())) {
    r.mantissa = r.active;
  } else {  // jsonata-js indexes the active part with a position in the whole sub-picture
    r.mantissa = Sub(r.active, 0, exp_pos);
    r.exponent = Sub(r.active, exp_pos + 1);
  }
  long dec = Find(r.mantissa, p.decimal);
  if (dec == -1) {
    r.integer = r.mantissa;
    r.fractional = r.suffix;
  } else {
    r.integer = Sub(r.mantissa, 0, dec);
    r.fractional = Sub(r.mantissa, dec + 1);
  }
  return r;
}

template <typename Pred>
long CountIf(const U32& s, Pred pred) {
  long n = 0;
  for (char32_t c : s) n += pred(c) ? 1 : 0;
  return n;
}

// F&O 4.7.3 validation; like jsonata-js, every rule runs and the last violation wins.
void Validate(const Parts& parts, const Properties& p) {
  const char* error = nullptr;
  const U32& sub = parts.sub;
  auto family = [&p](char32_t c) { return p.Family(c); };
  long dec = Find(sub, p.decimal);
  if (dec != RFind(sub, p.decimal)) error = "D3081";
  if (Find(sub, p.percent) != RFind(sub, p.percent)) error = "D3082";
  if (Find(sub, p.per_mille) != RFind(sub, p.per_mille)) error = "D3083";
  if (Find(sub, p.percent) != -1 && Find(sub, p.per_mille) != -1) error = "D3084";
  if (CountIf(parts.mantissa, [&p](char32_t c) { return p.DigitLike(c); }) == 0) error = "D3085";
  if (CountIf(parts.active, [&p](char32_t c) { return !p.Active(c); }) > 0) error = "D3086";
  auto at = [](const U32& s, long i) {
    return i >= 0 && i < static_cast<long>(s.size()) ? s[static_cast<size_t>(i)] : U'\0';
  };
  if (dec != -1) {
    if (Properties::Is(at(sub, dec - 1), p.grouping) ||
        Properties::Is(at(sub, dec + 1), p.grouping))
      error = "D3087";
  } else if (Properties::Is(at(parts.integer, static_cast<long>(parts.integer.size()) - 1),
                            p.grouping)) {
    error = "D3088";
  }
  if (Find(sub, p.grouping + p.grouping) != -1) error = "D3089";
  long opt = Find(parts.integer, p.digit);
  if (opt != -1 && CountIf(Sub(parts.integer, 0, opt), family) > 0) error = "D3090";
  opt = RFind(parts.fractional, p.digit);
  if (opt != -1 && CountIf(Sub(parts.fractional, opt), family) > 0) error = "D3091";
  bool has_exp = parts.exponent.has_value();
  if (has_exp && !parts.exponent->empty() &&
      (Find(sub, p.percent) != -1 || Find(sub, p.per_mille) != -1))
    error = "D3092";
  if (has_exp && (parts.exponent->empty() ||
                  CountIf(*parts.exponent, [&p](char32_t c) { return !p.Family(c); }) > 0))
    error = "D3093";
  if (!error) return;
  static const std::pair<std::string, const char*> kMessages[] = {
      {"D3081",
       "The sub-picture must not contain more than one instance of the "
       "'decimal-separator' character"},
      {"D3082",
       "The sub-picture must not contain more than one instance of the 'percent' "
       "character"},
      {"D3083",
       "The sub-picture must not contain more than one instance of the 'per-mille' "
       "character"},
      {"D3084", "The sub-picture must not contain both a 'percent' and a 'per-mille' character"},
      {"D3085",
       "The mantissa part of a sub-picture must contain at least one character that is "
       "either an 'optional digit character' or a member of the 'decimal digit family'"},
      {"D3086",
       "The sub-picture must not contain a passive character that is preceded by an "
       "active character and that is followed by another active character"},
      {"D3087",
       "A 'grouping-separator' character must not appear adjacent to a "
       "'decimal-separator' character"},
      {"D3088",
       "The integer part of a sub-picture must not end with a 'grouping-separator' "
       "character"},
      {"D3089",
       "The sub-picture must not contain two adjacent instances of the "
       "'grouping-separator' character"},
      {"D3090",
       "The integer part of a sub-picture must not contain a member of the 'decimal "
       "digit family' that is followed by an instance of the 'optional digit character'"},
      {"D3091",
       "The fractional part of a sub-picture must not contain an instance of the "
       "'optional digit character' that is followed by a member of the 'decimal digit "
       "family'"},
      {"D3092",
       "A sub-picture that contains a 'percent' or 'per-mille' character must not "
       "contain a character treated as an 'exponent-separator'"},
      {"D3093",
       "The exponent part of a sub-picture must comprise only of one or more characters "
       "that are members of the 'decimal digit family'"}};
  for (const auto& [code, message] : kMessages) {
    if (code == error) Throw(error, message, -1);
  }
}

// F&O 4.7.4: the variables derived from a sub-picture.
struct Analysis {
  std::vector<long> integer_groups, fraction_groups;
  long regular = 0, min_int = 0, scaling = 0, min_frac = 0, max_frac = 0, min_exp = 0;
  U32 prefix, suffix, picture;
};

// Digits to the right of each grouping separator (or to the left, for the fractional part).
// jsonata-js finds every separator after the first in the integer part; reproduced as is.
std::vector<long> GroupingPositions(const U32& part, bool to_left, const Parts& parts,
                                    const Properties& p) {
  std::vector<long> positions;
  long gp = Find(part, p.grouping);
  while (gp != -1) {
    U32 side = to_left ? Sub(part, 0, gp) : Sub(part, gp);
    positions.push_back(CountIf(side, [&p](char32_t c) { return p.DigitLike(c); }));
    gp = Find(parts.integer, p.grouping, static_cast<size_t>(gp + 1));
  }
  return positions;
}

long Gcd(long a, long b) { return b == 0 ? a : Gcd(b, a % b); }

// The common interval of evenly spaced grouping positions, or 0.
long RegularInterval(const std::vector<long>& positions) {
  if (positions.empty()) return 0;
  long factor = positions[0];
  for (size_t i = 1; i < positions.size(); ++i) factor = Gcd(factor, positions[i]);
  for (long i = 1; i <= static_cast<long>(positions.size()); ++i) {
    if (std::find(positions.begin(), positions.end(), i * factor) == positions.end()) return 0;
  }
  return factor;
}

Analysis Analyse(const Parts& parts, const Properties& p) {
  Analysis a;
  auto family = [&p](char32_t c) { return p.Family(c); };
  a.integer_groups = GroupingPositions(parts.integer, false, parts, p);
  a.regular = RegularInterval(a.integer_groups);
  a.fraction_groups = GroupingPositions(parts.fractional, true, parts, p);
  a.min_int = CountIf(parts.integer, family);
  a.scaling = a.min_int;
  a.min_frac = CountIf(parts.fractional, family);
  a.max_frac = CountIf(parts.fractional, [&p](char32_t c) { return p.DigitLike(c); });
  bool has_exp = parts.exponent.has_value();
  if (a.min_int == 0 && a.max_frac == 0) {
    if (has_exp) {
      a.min_frac = a.max_frac = 1;
    } else {
      a.min_int = 1;
    }
  }
  if (has_exp && a.min_int == 0 && Find(parts.integer, p.digit) != -1) a.min_int = 1;
  if (a.min_int == 0 && a.min_frac == 0) a.min_frac = 1;
  if (has_exp) a.min_exp = CountIf(*parts.exponent, family);
  a.prefix = parts.prefix;
  a.suffix = parts.suffix;
  a.picture = parts.sub;
  return a;
}

// Moves the decimal point of x's shortest decimal form by `places`, as JSONata's $round does
// (through the string form, so 4.525 stays 4.525).
double ShiftDecimal(double x, int places) {
  if (!std::isfinite(x)) return x;
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific);
  std::string s(buf, res.ptr);
  size_t e = s.find('e');
  int exp = std::atoi(s.c_str() + e + 1);
  std::string shifted = s.substr(0, e) + "e" + std::to_string(exp + places);
  return std::strtod(shifted.c_str(), nullptr);
}

// JSONata's $round: half to even at `precision` decimal places.
double RoundHalfEven(double x, int precision) {
  if (!std::isfinite(x)) return x;
  if (precision != 0) x = ShiftDecimal(x, precision);
  double floor = std::floor(x);
  double result = x - floor >= 0.5 ? floor + 1 : floor;  // Math.round
  if (std::fabs(result - x) == 0.5 && std::fabs(std::fmod(result, 2)) == 1) result -= 1;
  if (precision != 0) result = ShiftDecimal(result, -precision);
  return result == 0 ? 0 : result;
}

// Math.abs(x).toFixed(dp), with its digits mapped onto the decimal digit family.
U32 MakeString(double x, long dp, const Properties& p) {
  x = std::fabs(x);
  std::string s;
  if (x >= 1e21 || !std::isfinite(x)) {
    s = JsNumStr(x);
  } else {
    std::vector<char> buf(static_cast<size_t>(dp) + 400);
    std::snprintf(buf.data(), buf.size(), "%.*f", static_cast<int>(dp), x);
    s = buf.data();
  }
  U32 out = Utf8To32(s);
  if (!p.zero.empty() && p.zero[0] != U'0') {
    for (char32_t& c : out) {
      if (c >= U'0' && c <= U'9') c = p.zero[0] + (c - U'0');
    }
  }
  return out;
}

U32 Repeat(const U32& s, long n) {
  U32 out;
  for (long i = 0; i < n; ++i) out += s;
  return out;
}

void InsertAt(U32& s, long at, const U32& what) {
  at = std::clamp(at, 0L, static_cast<long>(s.size()));
  s.insert(static_cast<size_t>(at), what);
}

// F&O 4.7.5: formats `value` with an analysed sub-picture.
U32 Render(double value, const Analysis& pic, const Properties& p) {
  double adjusted = value;
  if (Find(pic.picture, p.percent) != -1) {
    adjusted = value * 100;
  } else if (Find(pic.picture, p.per_mille) != -1) {
    adjusted = value * 1000;
  }
  double mantissa = adjusted;
  std::optional<long> exponent;
  if (pic.min_exp != 0) {
    // jsonata-js scales the signed value and never terminates for zero or negatives; scaling the
    // magnitude gives the same result wherever it does terminate.
    double max_m = std::pow(10.0, static_cast<double>(pic.scaling));
    double min_m = std::pow(10.0, static_cast<double>(pic.scaling - 1));
    double m = std::fabs(adjusted);
    long e = 0;
    while (m != 0 && std::isfinite(m) && m < min_m) {
      m *= 10;
      --e;
    }
    while (std::isfinite(m) && m > max_m) {
      m /= 10;
      ++e;
    }
    mantissa = adjusted < 0 ? -m : m;
    exponent = e;
  }
  double rounded = RoundHalfEven(mantissa, static_cast<int>(pic.max_frac));
  U32 s = MakeString(rounded, pic.max_frac, p);
  size_t dot = s.find(U'.');
  if (dot == kNpos) {
    s += p.decimal;
  } else {
    s.replace(dot, 1, p.decimal);
  }
  auto is_zero = [&p](char32_t c) { return Properties::Is(c, p.zero); };
  while (!s.empty() && is_zero(s.front())) s.erase(0, 1);
  while (!s.empty() && is_zero(s.back())) s.pop_back();
  long dp = Find(s, p.decimal);
  long pad_left = pic.min_int - dp;
  long pad_right = pic.min_frac - (static_cast<long>(s.size()) - dp - 1);
  s = Repeat(p.zero, pad_left) + s + Repeat(p.zero, pad_right);
  dp = Find(s, p.decimal);
  if (pic.regular > 0) {
    long groups = (dp - 1) / pic.regular;
    if (dp - 1 < 0) groups = 0;
    for (long g = 1; g <= groups; ++g) InsertAt(s, dp - g * pic.regular, p.grouping);
  } else {
    for (long pos : pic.integer_groups) {
      InsertAt(s, dp - pos, p.grouping);
      ++dp;
    }
  }
  dp = Find(s, p.decimal);
  for (long pos : pic.fraction_groups) InsertAt(s, pos + dp + 1, p.grouping);
  dp = Find(s, p.decimal);
  if ((Find(pic.picture, p.decimal) == -1 || dp == static_cast<long>(s.size()) - 1) && !s.empty()) {
    s.pop_back();
  }
  if (exponent) {
    U32 digits = MakeString(static_cast<double>(*exponent), 0, p);
    digits = Repeat(p.zero, pic.min_exp - static_cast<long>(digits.size())) + digits;
    s += p.exponent + (*exponent < 0 ? p.minus : U"") + digits;
  }
  return pic.prefix + s + pic.suffix;
}

std::vector<U32> SplitOn(const U32& s, const U32& sep) {
  std::vector<U32> out;
  if (sep.empty()) {  // String.prototype.split('') yields the characters
    for (char32_t c : s) out.emplace_back(1, c);
    return out;
  }
  size_t last = 0, at;
  while ((at = s.find(sep, last)) != kNpos) {
    out.push_back(s.substr(last, at - last));
    last = at + sep.size();
  }
  out.push_back(s.substr(last));
  return out;
}

}  // namespace

std::string FormatNumber(double value, const std::string& picture, const Json& options) {
  Properties p = ReadProperties(options);
  std::vector<U32> subs = SplitOn(Utf8To32(picture), p.pattern);
  if (subs.size() > 2)
    Throw("D3080", "The picture string must only contain a maximum of two sub-pictures", -1);
  std::vector<Parts> parts;
  for (const U32& sub : subs) parts.push_back(SplitParts(sub, p));
  for (const Parts& part : parts) Validate(part, p);
  std::vector<Analysis> pics;
  for (const Parts& part : parts) pics.push_back(Analyse(part, p));
  if (pics.size() == 1) {
    pics.push_back(pics[0]);
    pics[1].prefix = p.minus + pics[1].prefix;
  }
  return Utf32To8(Render(value, value >= 0 ? pics[0] : pics[1], p));
}

void AddNumberFormatBuiltins(Env& env) {
  AddPictureBuiltin(
      env, "formatNumber", 2, 3, true,
      [](Evaluator&, std::vector<Value>& a, const Value&, int64_t pos) -> Value {
        std::optional<double> value = OptNumArg(a, 0, "formatNumber", pos);
        std::optional<std::string> picture = OptStrArg(a, 1, "formatNumber", pos);
        bool has_options = a.size() > 2 && !a[2].undef();
        if (has_options && !IsObj(a[2]))
          Throw("T0410",
                "Argument 3 of function \"formatNumber\" does not match function signature", pos);
        if (!value) return Undef();
        if (!picture)
          Throw("T0410",
                "Argument 2 of function \"formatNumber\" does not match function signature", pos);
        return Str(FormatNumber(*value, *picture, has_options ? a[2].j : Json()));
      });
}

}  // namespace sluice::asl::jsonata::internal
