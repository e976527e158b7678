// The JSONata function library (plus AWS Step Functions' additions).
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "asl/jsonata/jsonata_eval.h"

namespace sluice::asl::jsonata::internal {
namespace {

using Args = std::vector<Value>;

const Value& Arg(const Args& a, size_t i) {
  static const Value kUndef;
  return i < a.size() ? a[i] : kUndef;
}

[[noreturn]] void BadArg(const std::string& fn, size_t i, int64_t pos) {
  Throw("T0410",
        "Argument " + std::to_string(i + 1) + " of function \"" + fn +
            "\" does not match function signature",
        pos);
}

std::string StrArg(const Args& a, size_t i, const std::string& fn, int64_t pos) {
  const Value& v = Arg(a, i);
  if (!IsStr(v)) BadArg(fn, i, pos);
  return v.j.get<std::string>();
}

double NumArg(const Args& a, size_t i, const std::string& fn, int64_t pos) {
  const Value& v = Arg(a, i);
  if (!IsNum(v)) BadArg(fn, i, pos);
  return v.j.get<double>();
}

// Array-typed arguments accept a single value as a one-element array.
std::vector<Json> ArrArg(const Args& a, size_t i) { return Items(Arg(a, i)); }

std::u32string ToU32(const std::string& s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
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

std::string ToU8(const std::u32string& s) {
  std::string out;
  for (char32_t cp : s) AppendUtf8(out, static_cast<uint32_t>(cp));
  return out;
}

Value ArrValue(Json arr) {
  Value v = Value::Of(std::move(arr));
  v.cons = true;
  return v;
}

// Calls a callback with as many of `args` as it declares.
Value CallBack(Evaluator& ev, const Value& fn, std::vector<Value> args, const Value& ctx,
               int64_t pos) {
  size_t arity = fn.fn->builtin ? static_cast<size_t>(std::max(fn.fn->required, 1))
                                : fn.fn->lambda->params.size();
  if (args.size() > arity) args.resize(arity);
  return ev.Call(fn, std::move(args), ctx, pos);
}

void FnArg(const Args& a, size_t i, const std::string& name, int64_t pos) {
  if (Arg(a, i).k != Value::K::kFn) BadArg(name, i, pos);
}

// Shifts the decimal point by editing the exponent, as JSONata does, so 4.525 stays 4.525.
double Shift(double x, int places) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15ge%d", x, places);
  std::string s(buf);
  size_t e = s.find('e');
  size_t e2 = s.find('e', e + 1);
  if (e2 != std::string::npos) {  // x itself was printed with an exponent
    int total = std::stoi(s.substr(e + 1, e2 - e - 1)) + places;
    s = s.substr(0, e) + "e" + std::to_string(total);
  }
  return std::strtod(s.c_str(), nullptr);
}

double RoundHalfEven(double x, int precision) {
  double v = Shift(x, precision);
  double r = std::round(v);
  if (std::fabs(v - std::trunc(v)) == 0.5) r = 2.0 * std::round(v / 2.0);
  return Shift(r, -precision);
}

std::string Hex(const unsigned char* d, unsigned n) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < n; ++i) {
    out += kHex[d[i] >> 4];
    out += kHex[d[i] & 15];
  }
  return out;
}

std::string FormatIso(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  int64_t frac = ms - static_cast<int64_t>(secs) * 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(frac));
  return buf;
}

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::optional<int64_t> ParseIso(const std::string& s) {
  static const std::regex kIso(
      R"(^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$)");
  std::smatch m;
  if (!std::regex_match(s, m, kIso)) return std::nullopt;
  auto num = [&](int i, int def) { return m[i].matched ? std::stoi(m[i].str()) : def; };
  int64_t days = DaysFromCivil(num(1, 1970), static_cast<unsigned>(num(2, 1)),
                               static_cast<unsigned>(num(3, 1)));
  int64_t ms = ((days * 24 + num(4, 0)) * 60 + num(5, 0)) * 60 * 1000 + num(6, 0) * 1000;
  if (m[7].matched) {
    std::string f = (m[7].str() + "000").substr(0, 3);
    ms += std::stoi(f);
  }
  if (m[8].matched && m[8].str() != "Z") {
    std::string z = m[8].str();
    int sign = z[0] == '-' ? -1 : 1;
    std::string digits;
    for (char c : z.substr(1)) {
      if (c != ':') digits += c;
    }
    int off = std::stoi(digits.substr(0, 2)) * 60 + std::stoi(digits.substr(2, 2));
    ms -= sign * off * 60 * 1000;
  }
  return ms;
}

Json MatchObject(const std::smatch& m, size_t offset) {
  Json groups = Json::array();
  for (size_t g = 1; g < m.size(); ++g) groups.push_back(m[g].str());
  return Json{{"match", m[0].str()},
              {"index", static_cast<int64_t>(offset + static_cast<size_t>(m.position(0)))},
              {"groups", groups}};
}

// All non-overlapping regex matches, as {match, index, groups} objects (byte offsets).
std::vector<std::pair<std::smatch, size_t>> AllMatches(const std::string& s, const std::regex& re,
                                                       int64_t limit) {
  std::vector<std::pair<std::smatch, size_t>> out;
  size_t offset = 0;
  while (offset <= s.size() && (limit < 0 || static_cast<int64_t>(out.size()) < limit)) {
    std::smatch m;
    auto begin = s.begin() + static_cast<std::ptrdiff_t>(offset);
    if (!std::regex_search(begin, s.end(), m, re)) break;
    if (m.length(0) == 0) Throw("D1004", "Regular expression matches zero length string", -1);
    out.emplace_back(m, offset);
    offset += static_cast<size_t>(m.position(0) + m.length(0));
  }
  return out;
}

std::string Substitute(const std::string& repl, const std::smatch& m) {
  std::string out;
  for (size_t i = 0; i < repl.size(); ++i) {
    if (repl[i] != '$' || i + 1 >= repl.size()) {
      out += repl[i];
      continue;
    }
    char c = repl[i + 1];
    if (c == '$') {
      out += '$';
      ++i;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      size_t g = static_cast<size_t>(c - '0');
      ++i;
      if (i + 1 < repl.size() && std::isdigit(static_cast<unsigned char>(repl[i + 1])) &&
          g * 10 + static_cast<size_t>(repl[i + 1] - '0') < m.size()) {
        g = g * 10 + static_cast<size_t>(repl[i + 1] - '0');
        ++i;
      }
      if (g < m.size()) out += m[g].str();
    } else {
      out += '$';
    }
  }
  return out;
}

Value NumberOf(const Value& v, int64_t pos) {
  if (v.undef()) return v;
  if (IsNum(v)) return v;
  if (v.json() && v.j.is_boolean()) return Num(v.j.get<bool>() ? 1 : 0);
  if (IsStr(v)) {
    std::string s = v.j.get<std::string>();
    static const std::regex kNum(R"(^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([Ee][-+]?[0-9]+)?\s*$)");
    if (std::regex_match(s, kNum)) {
      double d = std::strtod(s.c_str(), nullptr);
      if (std::isfinite(d)) return Num(d);
    }
    if (s.size() > 2 && s[0] == '0' &&
        (s[1] == 'x' || s[1] == 'X' || s[1] == 'b' || s[1] == 'B' || s[1] == 'o' || s[1] == 'O')) {
      int base = (s[1] == 'x' || s[1] == 'X') ? 16 : (s[1] == 'b' || s[1] == 'B') ? 2 : 8;
      char* end = nullptr;
      long long n = std::strtoll(s.c_str() + 2, &end, base);
      if (end && *end == 0) return Num(static_cast<double>(n));
    }
  }
  Throw("D3030",
        "Unable to cast value to a number: " + (v.json() ? v.j.dump() : std::string("function")),
        pos);
}

class Registry {
 public:
  explicit Registry(Env& env) : env_(env) {}
  void Add(const std::string& name, int required, bool context_arg, Builtin b) {
    auto fn = std::make_shared<Fn>();
    fn->builtin = std::move(b);
    fn->required = required;
    fn->context_arg = context_arg;
    fn->name = name;
    Value v;
    v.k = Value::K::kFn;
    v.fn = fn;
    env_.vars[name] = v;
  }

 private:
  Env& env_;
};

void AddStringFunctions(Registry& r) {
  r.Add("string", 1, true, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    const Value& v = Arg(a, 0);
    if (v.undef()) return v;
    if (v.k != Value::K::kJson) return Str("");
    if (v.j.is_string()) return v;
    bool pretty = Truthy(Arg(a, 1));
    return Str(StringifyJson(v.j, pretty, pos));
  });
  r.Add("length", 1, true, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    return Num(static_cast<double>(ToU32(StrArg(a, 0, "length", pos)).size()));
  });
  r.Add("substring", 2, true, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    std::u32string s = ToU32(StrArg(a, 0, "substring", pos));
    double start = NumArg(a, 1, "substring", pos);
    auto n = static_cast<double>(s.size());
    if (start < 0) start = std::max(0.0, n + start);
    start = std::min(start, n);
    double len = Arg(a, 2).undef() ? n : NumArg(a, 2, "substring", pos);
    if (len <= 0) return Str("");
    double end = std::min(n, start + len);
    return Str(ToU8(s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start))));
  });
  r.Add("substringBefore", 2, true, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    std::string s = StrArg(a, 0, "substringBefore", pos);
    std::string c = StrArg(a, 1, "substringBefore", pos);
    size_t i = s.find(c);
    return Str(i == std::string::npos ? s : s.substr(0, i));
  });
  r.Add("substringAfter", 2, true, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    std::string s = StrArg(a, 0, "substringAfter", pos);
    std::string c = StrArg(a, 1, "substringAfter", pos);
    size_t i = s.find(c);
    return Str(i == std::string::npos ? s : s.substr(i + c.size()));
  });
  r.Add("uppercase", 1, true, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    std::string s = StrArg(a, 0, "uppercase", pos);
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return Str(s);
  });
  r.Add("lowercase", 1, true, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    std::string s = StrArg(a, 0, "lowercase", pos);
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return Str(s);
  });
  r.Add("trim", 1, true, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    std::string s = StrArg(a, 0, "trim", pos), out;
    bool space = false;
    for (char c : s) {
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        space = true;
        continue;
      }
      if (space && !out.empty()) out += ' ';
      space = false;
      out += c;
    }
    return Str(out);
  });
  r.Add("pad", 2, true, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    std::u32string s = ToU32(StrArg(a, 0, "pad", pos));
    double w = NumArg(a, 1, "pad", pos);
    std::u32string ch = Arg(a, 2).undef() ? U" " : ToU32(StrArg(a, 2, "pad", pos));
    if (ch.empty()) ch = U" ";
    auto target = static_cast<size_t>(std::fabs(w));
    if (s.size() >= target) return Str(ToU8(s));
    std::u32string padding;
    while (padding.size() < target - s.size()) padding += ch;
    padding.resize(target - s.size());
    return Str(ToU8(w < 0 ? padding + s : s + padding));
  });
  r.Add("contains", 2, true, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    std::string s = StrArg(a, 0, "contains", pos);
    const Value& p = Arg(a, 1);
    if (p.k == Value::K::kRegex) return Bool(std::regex_search(s, *p.re));
    return Bool(s.find(StrArg(a, 1, "contains", pos)) != std::string::npos);
  });
  r.Add("split", 2, true, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    std::string s = StrArg(a, 0, "split", pos);
    int64_t limit = -1;
    if (!Arg(a, 2).undef()) {
      double l = NumArg(a, 2, "split", pos);
      if (l < 0)
        Throw("D3020", "Third argument of split function must evaluate to a positive number", pos);
      limit = static_cast<int64_t>(l);
    }
    Json out = Json::array();
    const Value& p = Arg(a, 1);
    if (p.k == Value::K::kRegex) {
      size_t last = 0;
      for (auto& [m, off] : AllMatches(s, *p.re, -1)) {
        size_t at = off + static_cast<size_t>(m.position(0));
        out.push_back(s.substr(last, at - last));
        last = at + static_cast<size_t>(m.length(0));
      }
      out.push_back(s.substr(last));
    } else {
      std::string sep = StrArg(a, 1, "split", pos);
      if (sep.empty()) {
        for (char32_t c : ToU32(s)) out.push_back(ToU8(std::u32string(1, c)));
      } else {
        size_t last = 0, at;
        while ((at = s.find(sep, last)) != std::string::npos) {
          out.push_back(s.substr(last, at - last));
          last = at + sep.size();
        }
        out.push_back(s.substr(last));
      }
    }
    if (limit >= 0 && static_cast<int64_t>(out.size()) > limit)
      out.erase(out.begin() + limit, out.end());
    return ArrValue(std::move(out));
  });
  r.Add("join", 1, false, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    std::string sep = Arg(a, 1).undef() ? "" : StrArg(a, 1, "join", pos);
    std::string out;
    bool first = true;
    for (const auto& x : ArrArg(a, 0)) {
      if (!x.is_string())
        Throw("T0412", "Argument 1 of function \"join\" must be an array of strings", pos);
      if (!first) out += sep;
      first = false;
      out += x.get<std::string>();
    }
    return Str(out);
  });
  r.Add("match", 2, true, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    std::string s = StrArg(a, 0, "match", pos);
    if (Arg(a, 1).k != Value::K::kRegex) BadArg("match", 1, pos);
    int64_t limit = Arg(a, 2).undef() ? -1 : static_cast<int64_t>(NumArg(a, 2, "match", pos));
    std::vector<Json> out;
    for (auto& [m, off] : AllMatches(s, *Arg(a, 1).re, limit)) out.push_back(MatchObject(m, off));
    return Finalize(std::move(out), false);
  });
  r.Add("replace", 3, true, [](Evaluator& ev, Args& a, const Value& ctx, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    std::string s = StrArg(a, 0, "replace", pos);
    int64_t limit = -1;
    if (!Arg(a, 3).undef()) {
      double l = NumArg(a, 3, "replace", pos);
      if (l < 0)
        Throw("D3011", "Fourth argument of replace function must evaluate to a positive number",
              pos);
      limit = static_cast<int64_t>(l);
    }
    const Value& p = Arg(a, 1);
    const Value& rep = Arg(a, 2);
    if (rep.k != Value::K::kFn && !IsStr(rep)) BadArg("replace", 2, pos);
    if (p.k != Value::K::kRegex) {
      std::string pat = StrArg(a, 1, "replace", pos);
      if (pat.empty())
        Throw("D3010", "Second argument of replace function cannot be an empty string", pos);
      if (!IsStr(rep)) BadArg("replace", 2, pos);
      std::string with = rep.j.get<std::string>(), out;
      size_t last = 0, at;
      int64_t n = 0;
      while ((limit < 0 || n < limit) && (at = s.find(pat, last)) != std::string::npos) {
        out += s.substr(last, at - last) + with;
        last = at + pat.size();
        ++n;
      }
      return Str(out + s.substr(last));
    }
    std::string out;
    size_t last = 0;
    for (auto& [m, off] : AllMatches(s, *p.re, limit)) {
      size_t at = off + static_cast<size_t>(m.position(0));
      out += s.substr(last, at - last);
      if (rep.k == Value::K::kFn) {
        Value r = CallBack(ev, rep, {Value::Of(MatchObject(m, off))}, ctx, pos);
        if (!IsStr(r))
          Throw("D3012", "Attempted to replace a matched string with a non-string value", pos);
        out += r.j.get<std::string>();
      } else {
        out += Substitute(rep.j.get<std::string>(), m);
      }
      last = at + static_cast<size_t>(m.length(0));
    }
    return Str(out + s.substr(last));
  });
}

void AddNumericFunctions(Registry& r) {
  r.Add("number", 1, true, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    const Value& v = Arg(a, 0);
    if (v.k == Value::K::kFn || v.k == Value::K::kRegex) BadArg("number", 0, pos);
    if (v.json() && (v.j.is_array() || v.j.is_object() || v.j.is_null())) BadArg("number", 0, pos);
    return NumberOf(v, pos);
  });
  auto unary = [&r](const std::string& name, double (*f)(double)) {
    r.Add(name, 1, true, [name, f](Evaluator&, Args& a, const Value&, int64_t pos) {
      if (Arg(a, 0).undef()) return Undef();
      return Num(f(NumArg(a, 0, name, pos)));
    });
  };
  unary("abs", [](double x) { return std::fabs(x); });
  unary("floor", [](double x) { return std::floor(x); });
  unary("ceil", [](double x) { return std::ceil(x); });
  r.Add("sqrt", 1, true, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    double x = NumArg(a, 0, "sqrt", pos);
    if (x < 0)
      Throw("D3060",
            "The sqrt function cannot be applied to a negative number: " + std::to_string(x), pos);
    return Num(std::sqrt(x));
  });
  r.Add("power", 2, true, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    double x = std::pow(NumArg(a, 0, "power", pos), NumArg(a, 1, "power", pos));
    if (!std::isfinite(x))
      Throw(
          "D3061",
          "The power function has resulted in a value that cannot be represented as a JSON number",
          pos);
    return Num(x);
  });
  r.Add("round", 1, true, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    double x = NumArg(a, 0, "round", pos);
    int p = Arg(a, 1).undef() ? 0 : static_cast<int>(NumArg(a, 1, "round", pos));
    return Num(RoundHalfEven(x, p));
  });
  auto numbers = [](const Args& a, const std::string& name, int64_t pos) {
    std::vector<double> out;
    for (const auto& x : ArrArg(a, 0)) {
      if (!x.is_number()) {
        Throw("T0412", "Argument 1 of function \"" + name + "\" must be an array of numbers", pos);
      }
      out.push_back(x.get<double>());
    }
    return out;
  };
  r.Add("sum", 1, false, [numbers](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    double s = 0;
    for (double x : numbers(a, "sum", pos)) s += x;
    return Num(s);
  });
  r.Add("max", 1, false, [numbers](Evaluator&, Args& a, const Value&, int64_t pos) {
    auto v = numbers(a, "max", pos);
    if (v.empty()) return Undef();
    return Num(*std::max_element(v.begin(), v.end()));
  });
  r.Add("min", 1, false, [numbers](Evaluator&, Args& a, const Value&, int64_t pos) {
    auto v = numbers(a, "min", pos);
    if (v.empty()) return Undef();
    return Num(*std::min_element(v.begin(), v.end()));
  });
  r.Add("average", 1, false, [numbers](Evaluator&, Args& a, const Value&, int64_t pos) {
    auto v = numbers(a, "average", pos);
    if (v.empty()) return Undef();
    double s = 0;
    for (double x : v) s += x;
    return Num(s / static_cast<double>(v.size()));
  });
  r.Add("count", 0, false, [](Evaluator&, Args& a, const Value&, int64_t) {
    const Value& v = Arg(a, 0);
    if (v.undef()) return Num(0);
    return Num(v.j.is_array() ? static_cast<double>(v.j.size()) : 1.0);
  });
  r.Add("formatBase", 1, true, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    auto n = static_cast<int64_t>(RoundHalfEven(NumArg(a, 0, "formatBase", pos), 0));
    int radix = Arg(a, 1).undef() ? 10 : static_cast<int>(NumArg(a, 1, "formatBase", pos));
    if (radix < 2 || radix > 36)
      Throw("D3100",
            "The radix of the formatBase function must be between 2 and 36.  It was given " +
                std::to_string(radix),
            pos);
    bool neg = n < 0;
    uint64_t u = static_cast<uint64_t>(neg ? -n : n);
    std::string out;
    do {
      out += "0123456789abcdefghijklmnopqrstuvwxyz"[u % static_cast<uint64_t>(radix)];
      u /= static_cast<uint64_t>(radix);
    } while (u);
    if (neg) out += '-';
    std::reverse(out.begin(), out.end());
    return Str(out);
  });
}

void AddArrayFunctions(Registry& r) {
  r.Add("append", 2, false, [](Evaluator&, Args& a, const Value&, int64_t) {
    if (Arg(a, 1).undef()) return Arg(a, 0);
    if (Arg(a, 0).undef()) return Arg(a, 1);
    Json out = Json(ArrArg(a, 0));
    for (const auto& x : ArrArg(a, 1)) out.push_back(x);
    return ArrValue(std::move(out));
  });
  r.Add("reverse", 1, false, [](Evaluator&, Args& a, const Value&, int64_t) {
    if (Arg(a, 0).undef()) return Undef();
    auto v = ArrArg(a, 0);
    std::reverse(v.begin(), v.end());
    return ArrValue(Json(v));
  });
  r.Add("distinct", 1, false, [](Evaluator&, Args& a, const Value&, int64_t) {
    if (Arg(a, 0).undef()) return Undef();
    if (!IsArr(Arg(a, 0))) return Arg(a, 0);
    Json out = Json::array();
    for (const auto& x : ArrArg(a, 0)) {
      bool seen = false;
      for (const auto& y : out) seen = seen || DeepEq(x, y);
      if (!seen) out.push_back(x);
    }
    return ArrValue(std::move(out));
  });
  r.Add("sort", 1, false, [](Evaluator& ev, Args& a, const Value& ctx, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    auto v = ArrArg(a, 0);
    if (Arg(a, 1).undef()) {
      bool nums = std::all_of(v.begin(), v.end(), [](const Json& x) { return x.is_number(); });
      bool strs = std::all_of(v.begin(), v.end(), [](const Json& x) { return x.is_string(); });
      if (!nums && !strs)
        Throw("D3070",
              "The single argument form of the sort function can only be applied to an array of "
              "strings or an array of numbers.  Use the second argument to specify a comparison "
              "function",
              pos);
      std::stable_sort(v.begin(), v.end(), [nums](const Json& x, const Json& y) {
        return nums ? x.get<double>() < y.get<double>()
                    : x.get<std::string>() < y.get<std::string>();
      });
    } else {
      FnArg(a, 1, "sort", pos);
      Value fn = Arg(a, 1);
      // The comparator returns true when x should come after y.
      std::stable_sort(v.begin(), v.end(), [&](const Json& x, const Json& y) {
        return Truthy(CallBack(ev, fn, {Value::Of(y), Value::Of(x)}, ctx, pos));
      });
    }
    return ArrValue(Json(v));
  });
  r.Add("zip", 0, false, [](Evaluator&, Args& a, const Value&, int64_t) {
    Json out = Json::array();
    if (a.empty()) return ArrValue(out);
    size_t n = SIZE_MAX;
    std::vector<std::vector<Json>> arrays;
    for (const auto& v : a) {
      arrays.push_back(Items(v));
      n = std::min(n, arrays.back().size());
    }
    for (size_t i = 0; i < n; ++i) {
      Json t = Json::array();
      for (const auto& arr : arrays) t.push_back(arr[i]);
      out.push_back(t);
    }
    return ArrValue(out);
  });
  r.Add("partition", 2, false, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    auto v = ArrArg(a, 0);
    double size = NumArg(a, 1, "partition", pos);
    if (size < 1 || std::floor(size) != size) BadArg("partition", 1, pos);
    Json out = Json::array();
    for (size_t i = 0; i < v.size(); i += static_cast<size_t>(size)) {
      Json chunk = Json::array();
      for (size_t k = i; k < std::min(v.size(), i + static_cast<size_t>(size)); ++k)
        chunk.push_back(v[k]);
      out.push_back(chunk);
    }
    return ArrValue(out);
  });
  r.Add("range", 2, false, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    double start = NumArg(a, 0, "range", pos), end = NumArg(a, 1, "range", pos);
    double step = Arg(a, 2).undef() ? 1 : NumArg(a, 2, "range", pos);
    if (step == 0) BadArg("range", 2, pos);
    Json out = Json::array();
    for (double x = start; step > 0 ? x <= end : x >= end; x += step) {
      out.push_back(MakeNum(x));
      if (out.size() > 10000000)
        Throw("D2014", "The size of the sequence allocated by $range must not exceed 1e7.", pos);
    }
    return ArrValue(out);
  });
}

void AddObjectFunctions(Registry& r) {
  r.Add("keys", 1, true, [](Evaluator&, Args& a, const Value&, int64_t) {
    std::vector<Json> out;
    for (const auto& o : ArrArg(a, 0)) {
      if (!o.is_object()) continue;
      for (const auto& [k, x] : o.items()) {
        if (std::find(out.begin(), out.end(), Json(k)) == out.end()) out.push_back(k);
      }
    }
    return Finalize(std::move(out), false);
  });
  r.Add("lookup", 2, false, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    std::string key = StrArg(a, 1, "lookup", pos);
    std::vector<Json> out;
    for (const auto& o : ArrArg(a, 0)) {
      if (!o.is_object()) continue;
      auto it = o.find(key);
      if (it == o.end()) continue;
      if (it->is_array()) {
        for (const auto& x : *it) out.push_back(x);
      } else {
        out.push_back(*it);
      }
    }
    return Finalize(std::move(out), false);
  });
  r.Add("merge", 1, false, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    Json out = Json::object();
    for (const auto& o : ArrArg(a, 0)) {
      if (!o.is_object()) BadArg("merge", 0, pos);
      for (const auto& [k, x] : o.items()) out[k] = x;
    }
    return Value::Of(out);
  });
  r.Add("spread", 1, false, [](Evaluator&, Args& a, const Value&, int64_t) {
    if (Arg(a, 0).undef()) return Undef();
    std::vector<Json> out;
    for (const auto& o : ArrArg(a, 0)) {
      if (!o.is_object()) {
        out.push_back(o);
        continue;
      }
      for (const auto& [k, x] : o.items()) out.push_back(Json{{k, x}});
    }
    return Finalize(std::move(out), false);
  });
  r.Add("each", 2, true, [](Evaluator& ev, Args& a, const Value& ctx, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    if (!IsObj(Arg(a, 0))) BadArg("each", 0, pos);
    FnArg(a, 1, "each", pos);
    std::vector<Json> out;
    for (const auto& [k, x] : Arg(a, 0).j.items()) {
      Value r = CallBack(ev, Arg(a, 1), {Value::Of(x), Str(k), Arg(a, 0)}, ctx, pos);
      if (r.json()) out.push_back(r.j);
    }
    return Finalize(std::move(out), false);
  });
  r.Add("sift", 2, true, [](Evaluator& ev, Args& a, const Value& ctx, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    FnArg(a, 1, "sift", pos);
    Json out = Json::object();
    for (const auto& [k, x] : Arg(a, 0).j.items()) {
      if (Truthy(CallBack(ev, Arg(a, 1), {Value::Of(x), Str(k), Arg(a, 0)}, ctx, pos))) out[k] = x;
    }
    if (out.empty()) return Undef();
    return Value::Of(out);
  });
  r.Add("exists", 1, false, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (a.size() != 1)
      Throw("T0410", "Argument 2 of function \"exists\" does not match function signature", pos);
    return Bool(!Arg(a, 0).undef());
  });
  r.Add("type", 1, false, [](Evaluator&, Args& a, const Value&, int64_t) {
    if (Arg(a, 0).undef()) return Undef();
    return Str(TypeOf(Arg(a, 0)));
  });
  r.Add("boolean", 1, true, [](Evaluator&, Args& a, const Value&, int64_t) {
    if (Arg(a, 0).undef()) return Undef();
    return Bool(Truthy(Arg(a, 0)));
  });
  r.Add("not", 1, true, [](Evaluator&, Args& a, const Value&, int64_t) {
    if (Arg(a, 0).undef()) return Undef();
    return Bool(!Truthy(Arg(a, 0)));
  });
  r.Add("error", 0, false, [](Evaluator&, Args& a, const Value&, int64_t pos) -> Value {
    Throw("D3137", Arg(a, 0).undef() ? "$error() function evaluated" : ToStr(Arg(a, 0), pos), pos);
  });
  r.Add("assert", 1, false, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (!Arg(a, 0).json() || !Arg(a, 0).j.is_boolean()) BadArg("assert", 0, pos);
    if (!Arg(a, 0).j.get<bool>())
      Throw("D3141", Arg(a, 1).undef() ? "$assert() statement failed" : ToStr(Arg(a, 1), pos), pos);
    return Undef();
  });
}

void AddHigherOrderFunctions(Registry& r) {
  r.Add("map", 2, false, [](Evaluator& ev, Args& a, const Value& ctx, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    FnArg(a, 1, "map", pos);
    auto v = ArrArg(a, 0);
    Value whole = ArrValue(Json(v));
    std::vector<Json> out;
    for (size_t i = 0; i < v.size(); ++i) {
      Value r =
          CallBack(ev, Arg(a, 1), {Value::Of(v[i]), Num(static_cast<double>(i)), whole}, ctx, pos);
      if (r.json()) out.push_back(r.j);
    }
    return Finalize(std::move(out), false);
  });
  r.Add("filter", 2, false, [](Evaluator& ev, Args& a, const Value& ctx, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    FnArg(a, 1, "filter", pos);
    auto v = ArrArg(a, 0);
    Value whole = ArrValue(Json(v));
    std::vector<Json> out;
    for (size_t i = 0; i < v.size(); ++i) {
      if (Truthy(CallBack(ev, Arg(a, 1), {Value::Of(v[i]), Num(static_cast<double>(i)), whole}, ctx,
                          pos)))
        out.push_back(v[i]);
    }
    return Finalize(std::move(out), false);
  });
  r.Add("single", 1, false, [](Evaluator& ev, Args& a, const Value& ctx, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    auto v = ArrArg(a, 0);
    Value whole = ArrValue(Json(v));
    std::vector<Json> out;
    for (size_t i = 0; i < v.size(); ++i) {
      bool take = Arg(a, 1).undef() ||
                  Truthy(CallBack(ev, Arg(a, 1),
                                  {Value::Of(v[i]), Num(static_cast<double>(i)), whole}, ctx, pos));
      if (take) out.push_back(v[i]);
    }
    if (out.size() > 1)
      Throw("D3138",
            "The $single() function expected exactly 1 matching result.  Instead it matched more.",
            pos);
    if (out.empty())
      Throw("D3139",
            "The $single() function expected exactly 1 matching result.  Instead it matched 0.",
            pos);
    return Value::Of(out[0]);
  });
  r.Add("reduce", 2, false, [](Evaluator& ev, Args& a, const Value& ctx, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    FnArg(a, 1, "reduce", pos);
    const Value& fn = Arg(a, 1);
    if (!fn.fn->builtin && fn.fn->lambda->params.size() < 2)
      Throw("D3050",
            "The second argument of reduce function must be a function with at least two arguments",
            pos);
    auto v = ArrArg(a, 0);
    Value whole = ArrValue(Json(v));
    size_t i = 0;
    Value acc = Arg(a, 2);
    if (acc.undef() && !v.empty()) acc = Value::Of(v[i++]);
    for (; i < v.size(); ++i) {
      acc = CallBack(ev, fn, {acc, Value::Of(v[i]), Num(static_cast<double>(i)), whole}, ctx, pos);
    }
    return acc;
  });
}

void AddMiscFunctions(Registry& r) {
  r.Add("now", 0, false, [](Evaluator&, Args&, const Value&, int64_t) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
    return Str(FormatIso(ms));
  });
  r.Add("millis", 0, false, [](Evaluator&, Args&, const Value&, int64_t) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
    return Num(static_cast<double>(ms));
  });
  r.Add("toMillis", 1, false, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    std::string s = StrArg(a, 0, "toMillis", pos);
    if (!Arg(a, 1).undef()) Throw("S0000", "$toMillis with a picture string is not supported", pos);
    auto ms = ParseIso(s);
    if (!ms) Throw("D3110", "Failed to parse date/time: " + s, pos);
    return Num(static_cast<double>(*ms));
  });
  r.Add("fromMillis", 1, false, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    double ms = NumArg(a, 0, "fromMillis", pos);
    if (!Arg(a, 1).undef() || !Arg(a, 2).undef())
      Throw("S0000", "$fromMillis with a picture string is not supported", pos);
    return Str(FormatIso(static_cast<int64_t>(std::floor(ms))));
  });
  r.Add("hash", 1, false, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    std::string data = IsStr(Arg(a, 0)) ? Arg(a, 0).j.get<std::string>() : ToStr(Arg(a, 0), pos);
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
  r.Add("parse", 1, false, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    std::string s = StrArg(a, 0, "parse", pos);
    Json j = Json::parse(s, nullptr, false);
    if (j.is_discarded()) Throw("D3001", "Unable to parse JSON string: " + s, pos);
    return Value::Of(j);
  });
  r.Add("uuid", 0, false, [](Evaluator&, Args&, const Value&, int64_t) {
    std::random_device rd;
    unsigned char b[16];
    for (auto& x : b) x = static_cast<unsigned char>(rd() & 0xFF);
    b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);
    b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
    std::string h = Hex(b, 16);
    return Str(h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" +
               h.substr(16, 4) + "-" + h.substr(20));
  });
  r.Add("random", 0, false, [](Evaluator&, Args&, const Value&, int64_t) {
    std::random_device rd;
    std::uniform_real_distribution<double> dist(0.0, 1.0);
    return Value::Of(Json(dist(rd)));
  });
}

std::string UrlEncode(const std::string& s, const char* keep, int64_t pos) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (std::isalnum(c) || std::strchr(keep, c) != nullptr) {
      out += static_cast<char>(c);
      continue;
    }
    // A lone surrogate (encoded as ED A0..BF xx) cannot be URI-encoded.
    if (c == 0xED && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0xA0) {
      Throw("D3140", "Malformed URL passed to $encodeUrlComponent(): " + s, pos);
    }
    out += '%';
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string UrlDecode(const std::string& s, const std::string& name, int64_t pos) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      Throw("D3140", "Malformed URL passed to $" + name + "(): " + s, pos);
    }
    out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
    i += 2;
  }
  return out;
}

void AddEncodingFunctions(Registry& r) {
  struct Url {
    const char* name;
    bool encode;
    const char* keep;
  };
  static const Url kUrls[] = {{"encodeUrlComponent", true, "-_.!~*'()"},
                              {"encodeUrl", true, "-_.!~*'();/?:@&=+$,#"},
                              {"decodeUrlComponent", false, ""},
                              {"decodeUrl", false, ""}};
  for (const Url& u : kUrls) {
    std::string name = u.name;
    r.Add(name, 1, true, [name, u](Evaluator&, Args& a, const Value&, int64_t pos) {
      if (Arg(a, 0).undef()) return Undef();
      std::string s = StrArg(a, 0, name, pos);
      return Str(u.encode ? UrlEncode(s, u.keep, pos) : UrlDecode(s, name, pos));
    });
  }
  r.Add("base64encode", 1, true, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    std::string s = StrArg(a, 0, "base64encode", pos);
    std::string out(4 * ((s.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(s.data()),
                            static_cast<int>(s.size()));
    out.resize(static_cast<size_t>(n));
    return Str(out);
  });
  r.Add("base64decode", 1, true, [](Evaluator&, Args& a, const Value&, int64_t pos) {
    if (Arg(a, 0).undef()) return Undef();
    std::string s = StrArg(a, 0, "base64decode", pos);
    std::string out(3 * (s.size() / 4) + 3, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(s.data()),
                            static_cast<int>(s.size()));
    if (n < 0) Throw("D3137", "Invalid base64 string", pos);
    size_t len = static_cast<size_t>(n);
    for (size_t i = s.size(); i > 0 && s[i - 1] == '='; --i) --len;  // padding bytes
    out.resize(len);
    return Str(out);
  });
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
  // Maximum argument counts, from the JSONata signatures.
  static const std::pair<const char*, int> kMax[] = {{"string", 2},
                                                     {"length", 1},
                                                     {"substring", 3},
                                                     {"substringBefore", 2},
                                                     {"substringAfter", 2},
                                                     {"uppercase", 1},
                                                     {"lowercase", 1},
                                                     {"trim", 1},
                                                     {"pad", 3},
                                                     {"contains", 2},
                                                     {"split", 3},
                                                     {"join", 2},
                                                     {"match", 3},
                                                     {"replace", 4},
                                                     {"number", 1},
                                                     {"abs", 1},
                                                     {"floor", 1},
                                                     {"ceil", 1},
                                                     {"sqrt", 1},
                                                     {"power", 2},
                                                     {"round", 2},
                                                     {"sum", 1},
                                                     {"max", 1},
                                                     {"min", 1},
                                                     {"average", 1},
                                                     {"count", 1},
                                                     {"formatBase", 2},
                                                     {"append", 2},
                                                     {"reverse", 1},
                                                     {"distinct", 1},
                                                     {"sort", 2},
                                                     {"partition", 2},
                                                     {"range", 3},
                                                     {"keys", 1},
                                                     {"lookup", 2},
                                                     {"merge", 1},
                                                     {"spread", 1},
                                                     {"each", 2},
                                                     {"sift", 2},
                                                     {"type", 1},
                                                     {"boolean", 1},
                                                     {"not", 1},
                                                     {"error", 1},
                                                     {"assert", 2},
                                                     {"map", 2},
                                                     {"filter", 2},
                                                     {"single", 2},
                                                     {"reduce", 3},
                                                     {"now", 2},
                                                     {"millis", 0},
                                                     {"toMillis", 2},
                                                     {"fromMillis", 3},
                                                     {"hash", 2},
                                                     {"parse", 1},
                                                     {"uuid", 0},
                                                     {"random", 0}};
  for (const auto& [name, max] : kMax) {
    auto it = env.vars.find(name);
    if (it == env.vars.end()) continue;
    const_cast<Fn&>(*it->second.fn).max_args = max;
  }
}

}  // namespace sluice::asl::jsonata::internal
