// The JSONata function library (after jsonata-js 2.0.6's functions.js), plus AWS Step
// Functions' additions ($partition, $range, $hash, $random, $uuid, $parse). Each function is
// registered with its jsonata-js signature, which validates and coerces the arguments before
// the call. $eval is deliberately absent, as on AWS Step Functions.
#include <openssl/evp.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "asl/jsonata/jsonata_eval.h"
#include "asl/jsonata/jsonata_pictures.h"

namespace sluice::asl::jsonata::internal {
namespace {

using Args = std::vector<Value>;

const Value& Arg(const Args& a, size_t i) {
  static const Value kUndef;
  return i < a.size() ? a[i] : kUndef;
}

const std::string& S(const Value& v) { return v.J().get_ref<const std::string&>(); }
double N(const Value& v) { return v.J().get<double>(); }

[[noreturn]] void BadArg(const std::string& fn, size_t i, int64_t pos) {
  Throw("T0410",
        "Argument " + std::to_string(i + 1) + " of function \"" + fn +
            "\" does not match function signature",
        pos);
}

// Defensive accessors: signatures validate types, but partial applications skip validation.
const std::string& StrArg(const Args& a, size_t i, const std::string& fn, int64_t pos) {
  if (!IsStr(Arg(a, i))) BadArg(fn, i, pos);
  return S(a[i]);
}

double NumArg(const Args& a, size_t i, const std::string& fn, int64_t pos) {
  if (!IsNum(Arg(a, i))) BadArg(fn, i, pos);
  return N(a[i]);
}

const Value& FnArg(const Args& a, size_t i, const std::string& fn, int64_t pos) {
  if (!IsFunc(Arg(a, i))) BadArg(fn, i, pos);
  return a[i];
}

// A uniform draw from [0, 1): the top 53 bits of the next value.
double UnitInterval(Random& random) {
  return static_cast<double>(random.Next() >> 11) / static_cast<double>(uint64_t{1} << 53);
}

std::u32string ToU32(const std::string& s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; k < n && i + static_cast<size_t>(k) < s.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<size_t>(k)]) & 0x3F);
    out += cp;
    i += static_cast<size_t>(n);
  }
  return out;
}

std::string ToU8(const std::u32string& s) {
  std::string out;
  for (char32_t cp : s) AppendUtf8(out, static_cast<uint32_t>(cp));
  return out;
}

// UTF-16 code units before byte offset `b` (JavaScript string indices).
int64_t Utf16Index(const std::string& s, size_t b) {
  int64_t units = 0;
  for (size_t i = 0; i < b && i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) == 0x80) continue;
    units += c >= 0xF0 ? 2 : 1;
  }
  return units;
}

// The byte offset of UTF-16 index `u` (clamped).
size_t ByteIndex(const std::string& s, double u) {
  if (!(u > 0)) return 0;
  double units = 0;
  size_t i = 0;
  while (i < s.size() && units < u) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    units += n == 4 ? 2 : 1;
    i += n;
  }
  return std::min(i, s.size());
}

Value Plain(std::vector<Value> items) {
  Value v = NewSeq();
  v.seq = false;
  v.arr->items = std::move(items);
  return v;
}

Value SeqOf(std::vector<Value> items) {
  Value v = NewSeq();
  v.arr->items = std::move(items);
  return v;
}

// JavaScript truthiness (for comparator results and matcher checks).
bool JsTruthy(const Value& v) {
  if (v.undef()) return false;
  if (!v.json() || v.arr) return true;
  const Json& j = v.J();
  if (j.is_null()) return false;
  if (j.is_boolean()) return j.get<bool>();
  if (j.is_number()) return j.get<double>() != 0 && !std::isnan(j.get<double>());
  if (j.is_string()) return !j.get_ref<const std::string&>().empty();
  return true;
}

// Calls a callback with the value, position and whole collection, as far as it declares.
Value HofCall(Evaluator& ev, const Value& fn, const Value& a1, const Value& a2, const Value& a3,
              int64_t pos) {
  std::vector<Value> args{a1};
  int arity = fn.k == Value::K::kFn ? fn.fn->Arity() : 2;
  if (arity >= 2) args.push_back(a2);
  if (arity >= 3) args.push_back(a3);
  return ev.Call(fn, std::move(args), Undef(), pos);
}

class Registry {
 public:
  explicit Registry(Env& env) : env_(env) {}
  void Add(const std::string& name, const char* sig, int arity, Builtin b) {
    auto fn = std::make_shared<Fn>();
    fn->builtin = std::move(b);
    fn->native = true;
    fn->arity = arity;
    fn->sig = ParseSignature(sig);
    fn->name = name;
    env_.vars[name] = FnValue(std::move(fn));
  }

 private:
  Env& env_;
};

// ----- regex / matcher-function protocol -----------------------------------------------------

struct MatchInfo {
  std::string match;
  size_t bstart = 0;  // byte offsets into the subject
  size_t bend = 0;
  int64_t start = 0;  // JavaScript (UTF-16) index
  std::vector<Value> groups;
  Value next;  // matcher functions: the continuation
};

class Matcher {
 public:
  Matcher(Evaluator& ev, const Value& m, const std::string& s, int64_t pos)
      : ev_(ev), m_(m), s_(s), pos_(pos) {}

  std::optional<MatchInfo> First() {
    if (m_.k == Value::K::kRegex) return Search(0, false);
    return FromResult(ev_.Call(m_, {Str(s_)}, Undef(), pos_));
  }

  std::optional<MatchInfo> Next(const MatchInfo& prev) {
    if (m_.k == Value::K::kRegex) {
      if (last_ >= s_.size()) return std::nullopt;
      return Search(last_, true);
    }
    if (!IsFunc(prev.next)) return std::nullopt;
    return FromResult(ev_.Call(prev.next, {}, Undef(), pos_));
  }

 private:
  std::optional<MatchInfo> Search(size_t from, bool again) {
    std::smatch m;
    auto flags =
        from > 0 ? std::regex_constants::match_prev_avail : std::regex_constants::match_default;
    const std::regex& re = PickRegex(*m_.re, s_.size() - from);
    if (!std::regex_search(s_.begin() + static_cast<std::ptrdiff_t>(from), s_.end(), m, re, flags))
      return std::nullopt;
    MatchInfo info;
    info.match = m[0].str();
    if (again && info.match.empty())
      Throw("D1004", "Regular expression matches zero length string", pos_);
    info.bstart = from + static_cast<size_t>(m.position(0));
    info.bend = info.bstart + static_cast<size_t>(m.length(0));
    info.start = Utf16Index(s_, info.bstart);
    for (size_t g = 1; g < m.size(); ++g)
      info.groups.push_back(m[g].matched ? Str(m[g].str()) : Undef());
    last_ = info.bend;
    return info;
  }

  std::optional<MatchInfo> FromResult(const Value& r) {
    if (!JsTruthy(r)) return std::nullopt;
    Value start = IsObj(r) ? LookupKey(r, "start") : Undef();
    Value groups = IsObj(r) ? LookupKey(r, "groups") : Undef();
    Value next = IsObj(r) ? LookupKey(r, "next") : Undef();
    if (!(IsNum(start) || IsArr(groups) || IsFunc(next)))
      Throw("T1010",
            "The matcher function argument passed to function does not return the correct object "
            "structure",
            pos_);
    MatchInfo info;
    Value match = LookupKey(r, "match");
    info.match = IsStr(match) ? S(match) : "";
    info.start = IsNum(start) ? static_cast<int64_t>(N(start)) : 0;
    info.bstart = ByteIndex(s_, IsNum(start) ? N(start) : 0);
    info.bend = std::min(s_.size(), info.bstart + info.match.size());
    info.groups = ValItems(groups);
    info.next = next;
    return info;
  }

  Evaluator& ev_;
  Value m_;
  const std::string& s_;
  int64_t pos_;
  size_t last_ = 0;
};

std::string Substitute(const std::string& repl, const MatchInfo& m) {
  std::string out;
  size_t position = 0;
  size_t index = repl.find('$');
  size_t groups = m.groups.size();
  while (index != std::string::npos && position < repl.size()) {
    out += repl.substr(position, index - position);
    position = index + 1;
    char c = position < repl.size() ? repl[position] : '\0';
    if (c == '$') {
      out += '$';
      ++position;
    } else if (c == '0') {
      out += m.match;
      ++position;
    } else {
      size_t max_digits = groups == 0 ? 1 : static_cast<size_t>(std::floor(std::log10(groups))) + 1;
      auto parse = [&](size_t digits) -> std::optional<size_t> {
        size_t k = 0;
        size_t value = 0;
        while (k < digits && position + k < repl.size() &&
               std::isdigit(static_cast<unsigned char>(repl[position + k]))) {
          value = value * 10 + static_cast<size_t>(repl[position + k] - '0');
          ++k;
        }
        if (k == 0) return std::nullopt;
        return value;
      };
      std::optional<size_t> g = parse(max_digits);
      if (max_digits > 1 && g && *g > groups) g = parse(max_digits - 1);
      if (g) {
        if (groups > 0 && *g >= 1 && *g <= groups && !m.groups[*g - 1].undef())
          out += ToStr(m.groups[*g - 1], -1);
        position += std::to_string(*g).size();
      } else {
        out += '$';
      }
    }
    index = repl.find('$', position);
  }
  out += position < repl.size() ? repl.substr(position) : "";
  return out;
}

// ----- strings ---------------------------------------------------------------------------------

// JavaScript Array.prototype.slice indices.
size_t SliceIndex(double i, size_t n) {
  double len = static_cast<double>(n);
  i = std::trunc(i);
  if (i < 0) return static_cast<size_t>(std::max(0.0, len + i));
  return static_cast<size_t>(std::min(i, len));
}

std::string Substring(const std::string& str, double start, std::optional<double> length) {
  std::u32string s = ToU32(str);
  double n = static_cast<double>(s.size());
  if (n + start < 0) start = 0;
  if (length) {
    if (*length <= 0) return "";
    double end = start >= 0 ? start + *length : n + start + *length;
    size_t b = SliceIndex(start, s.size()), e = SliceIndex(end, s.size());
    return e > b ? ToU8(s.substr(b, e - b)) : "";
  }
  return ToU8(s.substr(SliceIndex(start, s.size())));
}

char32_t CaseMap(char32_t c, bool upper) {
  auto in = [c](char32_t lo, char32_t hi) { return c >= lo && c <= hi; };
  if (upper) {
    if (in(U'a', U'z') || (in(0xE0, 0xFE) && c != 0xF7) || in(0x3B1, 0x3C9) || in(0x430, 0x44F))
      return c == 0x3C2 ? 0x3A3 : c - 32;
    if (in(0x450, 0x45F)) return c - 80;
    if (in(0x100, 0x17F) && c % 2 == 1 && c != 0x131 && c != 0x138 && c != 0x149) return c - 1;
    if (c == 0xFF) return 0x178;
    if (c == 0xB5) return 0x39C;
  } else {
    if (in(U'A', U'Z') || (in(0xC0, 0xDE) && c != 0xD7) || in(0x391, 0x3A9) || in(0x410, 0x42F))
      return c + 32;
    if (in(0x400, 0x40F)) return c + 80;
    if (in(0x100, 0x17F) && c % 2 == 0 && c != 0x130 && c != 0x138) return c + 1;
    if (c == 0x178) return 0xFF;
  }
  return c;
}

std::string ChangeCase(const std::string& s, bool upper) {
  std::string out;
  for (char32_t c : ToU32(s)) {
    if (upper && c == 0xDF) {
      out += "SS";
      continue;
    }
    AppendUtf8(out, static_cast<uint32_t>(CaseMap(c, upper)));
  }
  return out;
}

void AddStringFunctions(Registry& r) {
  r.Add("string", "<x-b?:s>", 1, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    const Value& v = Arg(a, 0);
    if (v.undef()) return Undef();
    if (IsStr(v)) return v;
    if (IsFunc(v)) return Str("");
    if (IsNum(v) && !std::isfinite(N(v)))
      Throw("D3001", "Attempting to invoke string function on Infinity or NaN", pos);
    Value x = v.outer && Len(v) > 0 ? At(v, 0) : v;
    return Str(StringifyV(x, Truthy(Arg(a, 1)), pos));
  });
  r.Add("length", "<s-:n>", 1, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    return Num(static_cast<double>(ToU32(StrArg(a, 0, "length", pos)).size()));
  });
  r.Add("substring", "<s-nn?:s>", 3, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    const std::string& s = StrArg(a, 0, "substring", pos);
    double start = NumArg(a, 1, "substring", pos);
    std::optional<double> len;
    if (!Arg(a, 2).undef()) len = NumArg(a, 2, "substring", pos);
    return Str(Substring(s, start, len));
  });
  r.Add("substringBefore", "<s-s:s>", 2, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    const std::string& s = StrArg(a, 0, "substringBefore", pos);
    size_t i = s.find(StrArg(a, 1, "substringBefore", pos));
    return Str(i == std::string::npos ? s : s.substr(0, i));
  });
  r.Add("substringAfter", "<s-s:s>", 2, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    const std::string& s = StrArg(a, 0, "substringAfter", pos);
    const std::string& c = StrArg(a, 1, "substringAfter", pos);
    size_t i = s.find(c);
    return Str(i == std::string::npos ? s : s.substr(i + c.size()));
  });
  r.Add("lowercase", "<s-:s>", 1, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    return Str(ChangeCase(StrArg(a, 0, "lowercase", pos), false));
  });
  r.Add("uppercase", "<s-:s>", 1, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    return Str(ChangeCase(StrArg(a, 0, "uppercase", pos), true));
  });
  r.Add("trim", "<s-:s>", 1, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    std::string out;
    bool space = false;
    for (char c : StrArg(a, 0, "trim", pos)) {
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        space = true;
        continue;
      }
      if (space) out += ' ';
      space = false;
      out += c;
    }
    if (space) out += ' ';
    if (!out.empty() && out.front() == ' ') out.erase(0, 1);
    if (!out.empty() && out.back() == ' ') out.pop_back();
    return Str(out);
  });
  r.Add("pad", "<s-ns?:s>", 3, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    std::u32string s = ToU32(StrArg(a, 0, "pad", pos));
    double width = NumArg(a, 1, "pad", pos);
    std::u32string ch = Arg(a, 2).undef() ? U"" : ToU32(StrArg(a, 2, "pad", pos));
    if (ch.empty()) ch = U" ";
    double pad = std::fabs(width) - static_cast<double>(s.size());
    if (!(pad > 0)) return Str(ToU8(s));
    if (pad > 1e8) Throw("D3001", "The padding width is too large", pos);
    auto count = static_cast<size_t>(std::trunc(pad));
    std::u32string padding;
    while (padding.size() < count) padding += ch;
    padding.resize(count);
    return Str(ToU8(width > 0 ? s + padding : padding + s));
  });
  r.Add("contains", "<s-(sf):b>", 2, [](Evaluator& ev, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    const std::string& s = StrArg(a, 0, "contains", pos);
    if (IsStr(Arg(a, 1))) return Bool(s.find(S(a[1])) != std::string::npos);
    Matcher m(ev, FnArg(a, 1, "contains", pos), s, pos);
    return Bool(m.First().has_value());
  });
  r.Add("split", "<s-(sf)n?:a<s>>", 3, [](Evaluator& ev, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    const std::string& s = StrArg(a, 0, "split", pos);
    std::optional<double> limit;
    if (!Arg(a, 2).undef()) limit = NumArg(a, 2, "split", pos);
    if (limit && *limit < 0)
      Throw("D3020", "Third argument of split function must evaluate to a positive number", pos);
    std::vector<Value> out;
    if (limit && *limit == 0) return Plain(out);
    auto full = [&] { return limit && static_cast<double>(out.size()) >= *limit; };
    if (IsStr(Arg(a, 1))) {
      if (limit) limit = std::floor(*limit);  // String.prototype.split's ToUint32
      const std::string& sep = S(a[1]);
      if (sep.empty()) {
        for (char32_t c : ToU32(s)) {
          if (full()) break;
          out.push_back(Str(ToU8(std::u32string(1, c))));
        }
      } else {
        size_t last = 0, at;
        while (!full() && (at = s.find(sep, last)) != std::string::npos) {
          out.push_back(Str(s.substr(last, at - last)));
          last = at + sep.size();
        }
        if (!full()) out.push_back(Str(s.substr(last)));
      }
      return Plain(out);
    }
    Matcher m(ev, FnArg(a, 1, "split", pos), s, pos);
    auto match = m.First();
    if (!match) {
      out.push_back(Str(s));
      return Plain(out);
    }
    size_t start = 0;
    while (match && !full()) {
      out.push_back(Str(s.substr(start, match->bstart >= start ? match->bstart - start : 0)));
      start = match->bend;
      match = m.Next(*match);
    }
    if (!full()) out.push_back(Str(start <= s.size() ? s.substr(start) : ""));
    return Plain(out);
  });
  r.Add("join", "<a<s>s?:s>", 2, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    std::string sep = Arg(a, 1).undef() ? "" : StrArg(a, 1, "join", pos);
    std::string out;
    size_t n = Len(a[0]);
    for (size_t i = 0; i < n; ++i) {
      Value x = At(a[0], i);
      if (i) out += sep;
      out += ToStr(x, pos);
    }
    return Str(out);
  });
  r.Add("match", "<s-f<s:o>n?:a<o>>", 3, [](Evaluator& ev, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    const std::string& s = StrArg(a, 0, "match", pos);
    std::optional<double> limit;
    if (!Arg(a, 2).undef()) limit = NumArg(a, 2, "match", pos);
    if (limit && *limit < 0)
      Throw("D3040", "Third argument of match function must evaluate to a positive number", pos);
    Value result = NewSeq();
    if (limit && *limit == 0) return result;
    Matcher m(ev, FnArg(a, 1, "match", pos), s, pos);
    double count = 0;
    for (auto match = m.First(); match && (!limit || count < *limit); match = m.Next(*match)) {
      Json groups = Json::array();
      for (const auto& g : match->groups) groups.push_back(g.undef() ? Json() : ToJson(g));
      Push(result,
           FromJson(Json{{"match", match->match}, {"index", match->start}, {"groups", groups}}));
      ++count;
    }
    return result;
  });
  r.Add("replace", "<s-(sf)(sf)n?:s>", 4, [](Evaluator& ev, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    const std::string& s = StrArg(a, 0, "replace", pos);
    const Value& pattern = Arg(a, 1);
    const Value& rep = Arg(a, 2);
    if (IsStr(pattern) && S(pattern).empty())
      Throw("D3010", "Second argument of replace function cannot be an empty string", pos);
    std::optional<double> limit;
    if (!Arg(a, 3).undef()) limit = NumArg(a, 3, "replace", pos);
    if (limit && *limit < 0)
      Throw("D3011", "Fourth argument of replace function must evaluate to a positive number", pos);
    if (!IsStr(rep) && !IsFunc(rep)) BadArg("replace", 2, pos);
    if (limit && *limit == 0) return Str(s);
    std::string out;
    size_t position = 0;
    double count = 0;
    if (IsStr(pattern)) {
      const std::string& pat = S(pattern);
      std::string with = IsStr(rep) ? S(rep) : "";
      size_t at;
      while ((!limit || count < *limit) && (at = s.find(pat, position)) != std::string::npos) {
        out += s.substr(position, at - position) + with;
        position = at + pat.size();
        ++count;
      }
      return Str(out + s.substr(position));
    }
    Matcher m(ev, FnArg(a, 1, "replace", pos), s, pos);
    auto match = m.First();
    if (!match) return Str(s);
    while (match && (!limit || count < *limit)) {
      if (match->bstart > position) out += s.substr(position, match->bstart - position);
      if (IsStr(rep)) {
        out += Substitute(S(rep), *match);
      } else {
        Json groups = Json::array();
        for (const auto& g : match->groups) groups.push_back(g.undef() ? Json() : ToJson(g));
        Value arg =
            FromJson(Json{{"match", match->match}, {"index", match->start}, {"groups", groups}});
        Value with = ev.Call(rep, {arg}, Undef(), pos);
        if (!IsStr(with))
          Throw("D3012", "Attempted to replace a matched string with a non-string value", pos);
        out += S(with);
      }
      position = std::max(position, match->bstart + match->match.size());
      ++count;
      match = m.Next(*match);
    }
    return Str(out + (position < s.size() ? s.substr(position) : ""));
  });
}

// ----- numbers ---------------------------------------------------------------------------------

double JsRound(double x) {
  double r = std::floor(x);
  if (x - r >= 0.5) r += 1;
  return r;
}

// Shifts the decimal point through the number's JavaScript string form, as jsonata-js does.
double ShiftDecimal(double x, double places) {
  std::string s = JsNumStr(x);
  size_t e = s.find('e');
  double exp = places;
  if (e != std::string::npos) {
    exp += std::strtod(s.c_str() + e + 1, nullptr);
    s = s.substr(0, e);
  }
  return std::strtod((s + "e" + JsNumStr(exp)).c_str(), nullptr);
}

double RoundHalfEven(double arg, double precision) {
  if (precision != 0) arg = ShiftDecimal(arg, precision);
  double result = JsRound(arg);
  double diff = result - arg;
  if (std::fabs(diff) == 0.5 && std::fabs(std::fmod(result, 2)) == 1) result -= 1;
  if (precision != 0) result = ShiftDecimal(result, -precision);
  return result == 0 ? 0 : result;
}

Value NumberOf(const Value& v, int64_t pos) {
  if (v.undef()) return v;
  if (IsNum(v)) return v;
  if (IsBool(v)) return Num(v.J().get<bool>() ? 1 : 0);
  if (IsStr(v)) {
    const std::string& s = S(v);
    static const std::regex kDec(R"(^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$)");
    static const std::regex kRadix(R"(^(0[xX][0-9A-Fa-f]+|0[oO][0-7]+|0[bB][01]+)$)");
    if (std::regex_match(s, kDec)) {
      double d = std::strtod(s.c_str(), nullptr);
      if (std::isfinite(d)) return Num(d);
    } else if (std::regex_match(s, kRadix)) {
      int base = (s[1] == 'x' || s[1] == 'X') ? 16 : (s[1] == 'b' || s[1] == 'B') ? 2 : 8;
      return Num(static_cast<double>(std::strtoull(s.c_str() + 2, nullptr, base)));
    }
  }
  Throw("D3030", "Unable to cast value to a number: " + StringifyV(v, false, pos), pos);
}

std::vector<double> Numbers(const Value& v) {
  if (v.arr && v.arr->numeric) return v.arr->nums;
  std::vector<double> out;
  size_t n = Len(v);
  for (size_t i = 0; i < n; ++i) out.push_back(N(At(v, i)));
  return out;
}

void AddNumericFunctions(Registry& r) {
  r.Add("number", "<(nsb)-:n>", 1,
        [](Evaluator&, Args& a, const Value&, int64_t pos) { return NumberOf(Arg(a, 0), pos); });
  auto unary = [&r](const std::string& name, double (*f)(double)) {
    r.Add(name, "<n-:n>", 1, [name, f](Evaluator&, Args& a, const Value&, int64_t pos) {
      if (Arg(a, 0).undef()) return Undef();
      return Num(f(NumArg(a, 0, name, pos)));
    });
  };
  unary("abs", [](double x) { return std::fabs(x); });
  unary("floor", [](double x) { return std::floor(x); });
  unary("ceil", [](double x) { return std::ceil(x); });
  r.Add("sqrt", "<n-:n>", 1, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    double x = NumArg(a, 0, "sqrt", pos);
    if (x < 0)
      Throw("D3060", "The sqrt function cannot be applied to a negative number: " + JsNumStr(x),
            pos);
    return Num(std::sqrt(x));
  });
  r.Add("power", "<n-n:n>", 2, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    double x = std::pow(NumArg(a, 0, "power", pos), NumArg(a, 1, "power", pos));
    if (!std::isfinite(x))
      Throw("D3061",
            "The power function has resulted in a value that cannot be represented as a JSON "
            "number",
            pos);
    return Num(x);
  });
  r.Add("round", "<n-n?:n>", 2, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    double x = NumArg(a, 0, "round", pos);
    double p = Arg(a, 1).undef() ? 0 : NumArg(a, 1, "round", pos);
    return Num(RoundHalfEven(x, p));
  });
  r.Add("sum", "<a<n>:n>", 1, [](Evaluator&, Args& a, const Value&, int64_t) {
    if (Arg(a, 0).undef()) return Undef();
    double s = 0;
    for (double x : Numbers(a[0])) s += x;
    return Num(s);
  });
  r.Add("max", "<a<n>:n>", 1, [](Evaluator&, Args& a, const Value&, int64_t) {
    if (Arg(a, 0).undef() || Len(a[0]) == 0) return Undef();
    auto v = Numbers(a[0]);
    return Num(*std::max_element(v.begin(), v.end()));
  });
  r.Add("min", "<a<n>:n>", 1, [](Evaluator&, Args& a, const Value&, int64_t) {
    if (Arg(a, 0).undef() || Len(a[0]) == 0) return Undef();
    auto v = Numbers(a[0]);
    return Num(*std::min_element(v.begin(), v.end()));
  });
  r.Add("average", "<a<n>:n>", 1, [](Evaluator&, Args& a, const Value&, int64_t) {
    if (Arg(a, 0).undef() || Len(a[0]) == 0) return Undef();
    double s = 0;
    auto v = Numbers(a[0]);
    for (double x : v) s += x;
    return Num(s / static_cast<double>(v.size()));
  });
  r.Add("count", "<a:n>", 1, [](Evaluator&, Args& a, const Value&, int64_t) {
    return Num(static_cast<double>(Arg(a, 0).undef() ? 0 : Len(a[0])));
  });
  r.Add("formatBase", "<n-n?:s>", 2, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    double value = RoundHalfEven(NumArg(a, 0, "formatBase", pos), 0);
    double radix = Arg(a, 1).undef() ? 10 : RoundHalfEven(NumArg(a, 1, "formatBase", pos), 0);
    if (radix < 2 || radix > 36)
      Throw("D3100",
            "The radix of the formatBase function must be between 2 and 36.  It was given " +
                JsNumStr(radix),
            pos);
    auto base = static_cast<uint64_t>(radix);
    bool neg = value < 0;
    double mag = std::fabs(value);
    std::string out;
    do {
      out += "0123456789abcdefghijklmnopqrstuvwxyz"[static_cast<uint64_t>(std::fmod(mag, radix))];
      mag = std::floor(mag / static_cast<double>(base));
    } while (mag >= 1);
    if (neg) out += '-';
    std::reverse(out.begin(), out.end());
    return Str(out);
  });
  // AWS's $random takes an optional seed: the same seed always gives the same number (not
  // AWS's number for that seed, whose generator is unpublished).
  r.Add("random", "<n?:n>", 1, [](Evaluator& ev, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Num(UnitInterval(ev.Rng()));
    SeededRandom seeded(std::bit_cast<uint64_t>(NumArg(a, 0, "random", pos)));
    return Num(UnitInterval(seeded));
  });
}

// ----- arrays and objects ---------------------------------------------------------------------

void AddArrayFunctions(Registry& r) {
  r.Add("append", "<xx:a>", 2,
        [](Evaluator&, Args& a, const Value&, int64_t) { return Append(Arg(a, 0), Arg(a, 1)); });
  r.Add("exists", "<x:b>", 1,
        [](Evaluator&, Args& a, const Value&, int64_t) { return Bool(!Arg(a, 0).undef()); });
  r.Add("reverse", "<a:a>", 1, [](Evaluator&, Args& a, const Value&, int64_t) {
    if (Arg(a, 0).undef()) return Undef();
    if (Len(a[0]) <= 1) return a[0];
    std::vector<Value> v = ValItems(a[0]);
    std::reverse(v.begin(), v.end());
    return Plain(std::move(v));
  });
  r.Add("distinct", "<x:x>", 1, [](Evaluator& ev, Args& a, const Value&, int64_t) {
    const Value& arr = Arg(a, 0);
    if (arr.undef()) return Undef();
    if (!IsArr(arr) || Len(arr) <= 1) return arr;
    std::vector<Value> out;
    for (const auto& x : ValItems(arr)) {
      bool seen = false;
      for (const auto& y : out) {
        ev.Tick();
        if (DeepEqV(x, y)) {
          seen = true;
          break;
        }
      }
      if (!seen) out.push_back(x);
    }
    return IsSeqV(arr) ? SeqOf(std::move(out)) : Plain(std::move(out));
  });
  r.Add("sort", "<af?:a>", 2, [](Evaluator& ev, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    if (Len(a[0]) <= 1) return a[0];
    std::vector<Value> v = ValItems(a[0]);
    std::vector<size_t> order(v.size());
    for (size_t i = 0; i < v.size(); ++i) order[i] = i;
    if (Arg(a, 1).undef()) {
      bool nums = std::all_of(v.begin(), v.end(), [](const Value& x) { return Numeric(x); });
      bool strs = std::all_of(v.begin(), v.end(), [](const Value& x) { return IsStr(x); });
      if (!nums && !strs)
        Throw("D3070",
              "The single argument form of the sort function can only be applied to an array of "
              "strings or an array of numbers.  Use the second argument to specify a comparison "
              "function",
              pos);
      auto swap = [&](size_t x, size_t y) { return nums ? N(v[x]) > N(v[y]) : S(v[x]) > S(v[y]); };
      MergeSortIndices(order, swap);
    } else {
      const Value& fn = FnArg(a, 1, "sort", pos);
      auto swap = [&](size_t x, size_t y) {
        return JsTruthy(ev.Call(fn, {v[x], v[y]}, Undef(), pos));
      };
      MergeSortIndices(order, swap);
    }
    std::vector<Value> out;
    for (size_t i : order) out.push_back(v[i]);
    return Plain(std::move(out));
  });
  r.Add("shuffle", "<a:a>", 1, [](Evaluator& ev, Args& a, const Value&, int64_t) {
    if (Arg(a, 0).undef()) return Undef();
    if (Len(a[0]) <= 1) return a[0];
    std::vector<Value> v = ValItems(a[0]);
    // Fisher-Yates written out: std::shuffle's draws are the library's choice, and a replay
    // must draw exactly as the original run did.
    for (size_t i = v.size() - 1; i > 0; --i) {
      auto j = static_cast<size_t>(UnitInterval(ev.Rng()) * static_cast<double>(i + 1));
      std::swap(v[i], v[j]);
    }
    return Plain(std::move(v));
  });
  r.Add("zip", "<a+>", 0, [](Evaluator&, Args& a, const Value&, int64_t) {
    std::vector<Value> out;
    size_t n = a.empty() ? 0 : SIZE_MAX;
    for (const auto& v : a) n = std::min(n, IsArr(v) ? Len(v) : 0);
    for (size_t i = 0; i < n; ++i) {
      std::vector<Value> t;
      for (const auto& v : a) t.push_back(At(v, i));
      out.push_back(Plain(std::move(t)));
    }
    return Plain(std::move(out));
  });
  // AWS Step Functions additions.
  r.Add("partition", "<an:a>", 2, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    std::vector<Value> v = ValItems(Arg(a, 0));
    double size = NumArg(a, 1, "partition", pos);
    if (size < 1 || std::floor(size) != size) BadArg("partition", 1, pos);
    auto step = static_cast<size_t>(size);
    std::vector<Value> out;
    for (size_t i = 0; i < v.size(); i += step) {
      std::vector<Value> chunk(
          v.begin() + static_cast<std::ptrdiff_t>(i),
          v.begin() + static_cast<std::ptrdiff_t>(std::min(v.size(), i + step)));
      out.push_back(Plain(std::move(chunk)));
    }
    return Plain(std::move(out));
  });
  r.Add("range", "<nnn?:a>", 3, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    double start = NumArg(a, 0, "range", pos), end = NumArg(a, 1, "range", pos);
    double step = Arg(a, 2).undef() ? 1 : NumArg(a, 2, "range", pos);
    if (step == 0) BadArg("range", 2, pos);
    if ((end - start) / step + 1 > kMaxRangeSize)
      Throw("D2014", "The size of the sequence allocated by $range must not exceed 1e7.", pos);
    // A sequence, as on AWS: a one-number range is that number at the top of an expression.
    Value out = NewSeq();
    out.arr->numeric = true;  // compact, as the range operator's
    for (double x = start; step > 0 ? x <= end : x >= end; x += step) out.arr->nums.push_back(x);
    return out;
  });
}

void AddObjectFunctions(Registry& r) {
  r.Add("keys", "<x-:a<s>>", 1, [](Evaluator&, Args& a, const Value&, int64_t) {
    Value result = NewSeq();
    std::vector<std::string> seen;
    std::function<void(const Value&)> add = [&](const Value& v) {
      CheckResources();
      if (IsArr(v)) {
        for (const auto& item : ValItems(v)) add(item);
      } else if (IsObj(v)) {
        for (const auto& [k, x] : v.J().items()) {
          if (std::find(seen.begin(), seen.end(), k) == seen.end()) seen.push_back(k);
        }
      }
    };
    add(Arg(a, 0));
    for (const auto& k : seen) Push(result, Str(k));
    return result;
  });
  r.Add("lookup", "<x-s:x>", 2, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    return LookupKey(Arg(a, 0), StrArg(a, 1, "lookup", pos));
  });
  r.Add("merge", "<a<o>:o>", 1, [](Evaluator&, Args& a, const Value&, int64_t) {
    if (Arg(a, 0).undef()) return Undef();
    Json out = Json::object();
    for (const auto& o : ValItems(a[0])) {
      if (!IsObj(o)) continue;
      for (const auto& [k, x] : o.J().items()) out[k] = x;
    }
    return FromJson(std::move(out));
  });
  r.Add("spread", "<x-:a<o>>", 1, [](Evaluator&, Args& a, const Value&, int64_t) {
    std::function<Value(const Value&)> spread = [&spread](const Value& v) -> Value {
      if (IsArr(v)) {
        Value result = NewSeq();
        for (const auto& item : ValItems(v)) result = Append(result, spread(item));
        return result;
      }
      if (IsObj(v)) {
        Value result = NewSeq();
        for (const auto& [k, x] : v.J().items()) Push(result, FromJson(Json{{k, x}}));
        return result;
      }
      return v;
    };
    return spread(Arg(a, 0));
  });
  r.Add("each", "<o-f:a>", 2, [](Evaluator& ev, Args& a, const Value&, int64_t pos) {
    Value result = NewSeq();
    if (!IsObj(Arg(a, 0))) return result;
    const Value& fn = FnArg(a, 1, "each", pos);
    for (const auto& [k, x] : a[0].J().items()) {
      Value v = HofCall(ev, fn, ElemOf(a[0], x), Str(k), a[0], pos);
      if (!v.undef()) Push(result, std::move(v));
    }
    return result;
  });
  r.Add("sift", "<o-f?:o>", 2, [](Evaluator& ev, Args& a, const Value&, int64_t pos) {
    if (!IsObj(Arg(a, 0))) return Undef();
    const Value& fn = FnArg(a, 1, "sift", pos);
    Json out = Json::object();
    for (const auto& [k, x] : a[0].J().items()) {
      if (Truthy(HofCall(ev, fn, ElemOf(a[0], x), Str(k), a[0], pos))) out[k] = x;
    }
    if (out.empty()) return Undef();
    return FromJson(std::move(out));
  });
  r.Add("type", "<x:s>", 1, [](Evaluator&, Args& a, const Value&, int64_t) {
    if (Arg(a, 0).undef()) return Undef();
    return Str(TypeOf(a[0]));
  });
  r.Add("boolean", "<x-:b>", 1, [](Evaluator&, Args& a, const Value&, int64_t) {
    if (Arg(a, 0).undef()) return Undef();
    return Bool(Truthy(a[0]));
  });
  r.Add("not", "<x-:b>", 1, [](Evaluator&, Args& a, const Value&, int64_t) {
    if (Arg(a, 0).undef()) return Undef();
    return Bool(!Truthy(a[0]));
  });
  r.Add("error", "<s?:x>", 1, [](Evaluator&, Args& a, const Value&, int64_t pos) -> Value {
    std::string msg = IsStr(Arg(a, 0)) ? S(a[0]) : "";
    Throw("D3137", msg.empty() ? "$error() function evaluated" : msg, pos);
  });
  r.Add("assert", "<bs?:x>", 2, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (!IsBool(Arg(a, 0))) BadArg("assert", 0, pos);
    if (!a[0].J().get<bool>()) {
      std::string msg = IsStr(Arg(a, 1)) ? S(a[1]) : "";
      Throw("D3141", msg.empty() ? "$assert() statement failed" : msg, pos);
    }
    return Undef();
  });
  r.Add("clone", "<(oa)-:o>", 1, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    return FromJson(Json::parse(ToStr(a[0], pos)));
  });
}

// ----- higher-order functions -----------------------------------------------------------------

void AddHigherOrderFunctions(Registry& r) {
  r.Add("map", "<af>", 2, [](Evaluator& ev, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    const Value& fn = FnArg(a, 1, "map", pos);
    Value result = NewSeq();
    size_t n = Len(a[0]);
    for (size_t i = 0; i < n; ++i) {
      Value v = HofCall(ev, fn, At(a[0], i), Num(static_cast<double>(i)), a[0], pos);
      if (!v.undef()) Push(result, std::move(v));
    }
    return result;
  });
  r.Add("filter", "<af>", 2, [](Evaluator& ev, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    const Value& fn = FnArg(a, 1, "filter", pos);
    Value result = NewSeq();
    size_t n = Len(a[0]);
    for (size_t i = 0; i < n; ++i) {
      Value item = At(a[0], i);
      if (Truthy(HofCall(ev, fn, item, Num(static_cast<double>(i)), a[0], pos)))
        Push(result, std::move(item));
    }
    return result;
  });
  r.Add("single", "<af?>", 2, [](Evaluator& ev, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    std::optional<Value> found;
    size_t n = Len(a[0]);
    for (size_t i = 0; i < n; ++i) {
      Value item = At(a[0], i);
      bool take = Arg(a, 1).undef() ||
                  Truthy(HofCall(ev, a[1], item, Num(static_cast<double>(i)), a[0], pos));
      if (!take) continue;
      if (found)
        Throw("D3138",
              "The $single() function expected exactly 1 matching result.  Instead it matched "
              "more.",
              pos);
      found = item;
    }
    if (!found)
      Throw("D3139",
            "The $single() function expected exactly 1 matching result.  Instead it matched 0.",
            pos);
    return *found;
  });
  r.Add("reduce", "<afj?:j>", 3, [](Evaluator& ev, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    const Value& fn = FnArg(a, 1, "reduce", pos);
    int arity = fn.k == Value::K::kFn ? fn.fn->Arity() : 2;
    if (arity < 2)
      Throw("D3050",
            "The second argument of reduce function must be a function with at least two arguments",
            pos);
    size_t n = Len(a[0]);
    size_t i = 0;
    Value acc = Arg(a, 2);
    if (acc.undef() && n > 0) acc = At(a[0], i++);
    for (; i < n; ++i) {
      std::vector<Value> args{acc, At(a[0], i)};
      if (arity >= 3) args.push_back(Num(static_cast<double>(i)));
      if (arity >= 4) args.push_back(a[0]);
      acc = ev.Call(fn, std::move(args), Undef(), pos);
    }
    return acc;
  });
}

// ----- misc, encoding and AWS additions -------------------------------------------------------

std::string Hex(const unsigned char* d, unsigned n) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < n; ++i) {
    out += kHex[d[i] >> 4];
    out += kHex[d[i] & 15];
  }
  return out;
}

void AddMiscFunctions(Registry& r) {
  r.Add("millis", "<:n>", 0, [](Evaluator& ev, Args&, const Value&, int64_t) {
    return Num(static_cast<double>(ev.NowMs()));
  });
  r.Add("hash", "<x-s?:s>", 2, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    std::string data = ToStr(a[0], pos);
    std::string alg = Arg(a, 1).undef() ? "MD5" : StrArg(a, 1, "hash", pos);
    const EVP_MD* md = alg == "MD5"       ? EVP_md5()
                       : alg == "SHA-1"   ? EVP_sha1()
                       : alg == "SHA-256" ? EVP_sha256()
                       : alg == "SHA-384" ? EVP_sha384()
                       : alg == "SHA-512" ? EVP_sha512()
                                          : nullptr;
    if (!md) Throw("D3000", "Unsupported hash algorithm: " + alg, pos);
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    EVP_Digest(data.data(), data.size(), out, &n, md, nullptr);
    return Str(Hex(out, n));
  });
  r.Add("parse", "<s-:x>", 1, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    const std::string& s = StrArg(a, 0, "parse", pos);
    Json j = Json::parse(s, nullptr, false);
    if (j.is_discarded()) Throw("D3001", "Unable to parse JSON string: " + s, pos);
    return FromJson(std::move(j));
  });
  r.Add("uuid", "<:s>", 0, [](Evaluator& ev, Args&, const Value&, int64_t) {
    unsigned char b[16];
    for (int half = 0; half < 2; ++half) {
      uint64_t bits = ev.Rng().Next();
      for (int i = 0; i < 8; ++i) b[half * 8 + i] = static_cast<unsigned char>(bits >> (8 * i));
    }
    b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);
    b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
    std::string h = Hex(b, 16);
    return Str(h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" +
               h.substr(16, 4) + "-" + h.substr(20));
  });
}

// encodeURIComponent / encodeURI: UTF-8 percent-encoding; lone surrogates are malformed.
std::string UrlEncode(const std::string& s, const char* keep, const std::string& name,
                      int64_t pos) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (std::isalnum(c) || (c < 0x80 && std::strchr(keep, c) != nullptr && c != 0)) {
      out += static_cast<char>(c);
      continue;
    }
    if (c == 0xED && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0xA0)
      Throw("D3140", "Malformed URL passed to $" + name + "(): " + s, pos);
    out += '%';
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

// decodeURIComponent / decodeURI: %XX sequences must form valid UTF-8; decodeURI keeps the
// escapes of reserved characters.
std::string UrlDecode(const std::string& s, const char* reserved, const std::string& name,
                      int64_t pos) {
  auto bad = [&]() { Throw("D3140", "Malformed URL passed to $" + name + "(): " + s, pos); };
  auto hex = [&](size_t at) -> int {
    if (at + 2 > s.size() || !std::isxdigit(static_cast<unsigned char>(s[at])) ||
        !std::isxdigit(static_cast<unsigned char>(s[at + 1])))
      bad();
    return std::stoi(s.substr(at, 2), nullptr, 16);
  };
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (s[i] != '%') {
      out += s[i++];
      continue;
    }
    int b = hex(i + 1);
    if (b < 0x80) {
      if (std::strchr(reserved, b) != nullptr && b != 0) {
        out += s.substr(i, 3);
      } else {
        out += static_cast<char>(b);
      }
      i += 3;
      continue;
    }
    int n = (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    if (n == 0) bad();
    std::string seq(1, static_cast<char>(b));
    uint32_t cp = static_cast<uint32_t>(b & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07));
    for (int k = 1; k < n; ++k) {
      size_t at = i + 3 * static_cast<size_t>(k);
      if (at >= s.size() || s[at] != '%') bad();
      int c = hex(at + 1);
      if ((c & 0xC0) != 0x80) bad();
      cp = (cp << 6) | static_cast<uint32_t>(c & 0x3F);
      seq += static_cast<char>(c);
    }
    if ((n == 3 && cp >= 0xD800 && cp < 0xE000) || (n == 2 && cp < 0x80) ||
        (n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
      bad();
    out += seq;
    i += 3 * static_cast<size_t>(n);
  }
  return out;
}

// Node's Buffer "binary" (latin1) conversions used by jsonata-js's base64 functions.
std::string Base64Encode(const std::string& s) {
  std::string bytes;
  for (char32_t c : ToU32(s)) bytes += static_cast<char>(c & 0xFF);
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string Base64Decode(const std::string& in) {
  std::string s;
  for (char c : in) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/') s += c;
    if (c == '-') s += '+';
    if (c == '_') s += '/';
  }
  size_t data = s.size();
  while (s.size() % 4) s += '=';
  std::string out(3 * (s.size() / 4) + 3, '\0');
  int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  size_t len = n < 0 ? 0 : static_cast<size_t>(n);
  len = std::min(len, data * 3 / 4);
  std::string text;
  for (size_t i = 0; i < len; ++i) AppendUtf8(text, static_cast<unsigned char>(out[i]));
  return text;
}

void AddEncodingFunctions(Registry& r) {
  struct Url {
    const char* name;
    bool encode;
    const char* chars;  // kept (encode) or reserved (decode)
  };
  static const Url kUrls[] = {{"encodeUrlComponent", true, "-_.!~*'()"},
                              {"encodeUrl", true, "-_.!~*'();/?:@&=+$,#"},
                              {"decodeUrlComponent", false, ""},
                              {"decodeUrl", false, ";/?:@&=+$,#"}};
  for (const Url& u : kUrls) {
    std::string name = u.name;
    r.Add(name, "<s-:s>", 1, [name, u](Evaluator&, Args& a, const Value&, int64_t pos) {
      if (Arg(a, 0).undef()) return Undef();
      const std::string& s = StrArg(a, 0, name, pos);
      return Str(u.encode ? UrlEncode(s, u.chars, name, pos) : UrlDecode(s, u.chars, name, pos));
    });
  }
  r.Add("base64encode", "<s-:s>", 1, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    return Str(Base64Encode(StrArg(a, 0, "base64encode", pos)));
  });
  r.Add("base64decode", "<s-:s>", 1, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    return Str(Base64Decode(StrArg(a, 0, "base64decode", pos)));
  });
}

// jsonata-js signatures for functions registered elsewhere without one.
void AttachSignatures(Env& env) {
  struct Known {
    const char* name;
    const char* sig;
    int arity;
  };
  static const Known kKnown[] = {{"formatNumber", "<n-so?:s>", 3}, {"formatInteger", "<n-s:s>", 2},
                                 {"parseInteger", "<s-s:n>", 2},   {"fromMillis", "<n-s?s?:s>", 3},
                                 {"toMillis", "<s-s?:n>", 2},      {"now", "<s?s?:s>", 2}};
  for (const Known& k : kKnown) {
    auto it = env.vars.find(k.name);
    if (it == env.vars.end() || it->second.k != Value::K::kFn || it->second.fn->sig) continue;
    auto fn = std::make_shared<Fn>(*it->second.fn);
    fn->sig = ParseSignature(k.sig);
    if (fn->arity < 0) fn->arity = k.arity;
    it->second = FnValue(std::move(fn));
  }
}

}  // namespace

void InstallBuiltins(Env& env) {
  Registry r(env);
  AddStringFunctions(r);
  AddNumericFunctions(r);
  AddArrayFunctions(r);
  AddObjectFunctions(r);
  AddHigherOrderFunctions(r);
  AddMiscFunctions(r);
  AddEncodingFunctions(r);
  InstallPictureBuiltins(env);  // after $millis, its only clock
  AttachSignatures(env);
}

}  // namespace sluice::asl::jsonata::internal
