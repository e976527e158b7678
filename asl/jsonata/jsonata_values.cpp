// JSONata value helpers: casting, stringifying, sequences and equality.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "asl/jsonata/jsonata_eval.h"

namespace sluice::asl::jsonata::internal {

Value Undef() { return Value(); }
Value Num(double d) { return Value::Of(MakeNum(d)); }
Value Str(std::string s) { return Value::Of(Json(std::move(s))); }
Value Bool(bool b) { return Value::Of(Json(b)); }
bool IsNum(const Value& v) { return v.json() && v.j.is_number(); }
bool IsStr(const Value& v) { return v.json() && v.j.is_string(); }
bool IsArr(const Value& v) { return v.json() && v.j.is_array(); }
bool IsObj(const Value& v) { return v.json() && v.j.is_object(); }

namespace {

bool JsonTruthy(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null:
      return false;
    case Json::value_t::boolean:
      return j.get<bool>();
    case Json::value_t::string:
      return !j.get<std::string>().empty();
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return j.get<double>() != 0;
    case Json::value_t::array:
      for (const auto& x : j) {
        if (JsonTruthy(x)) return true;
      }
      return false;
    case Json::value_t::object:
      return !j.empty();
    case Json::value_t::binary:
    case Json::value_t::discarded:
      return false;
  }
  return false;
}

std::string NumStr(double d, int64_t pos) {
  if (!std::isfinite(d))
    Throw("D3001", "Attempting to invoke string function on Infinity or NaN", pos);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15g", d);
  double r = std::strtod(buf, nullptr);
  if (std::floor(r) == r && std::fabs(r) < 1e21) {
    std::snprintf(buf, sizeof buf, "%.0f", r);
    return std::string(buf) == "-0" ? "0" : buf;
  }
  double a = std::fabs(r);
  auto fmt = (a >= 1e-6 && a < 1e21) ? std::chars_format::fixed : std::chars_format::scientific;
  auto res = std::to_chars(buf, buf + sizeof buf, r, fmt);
  std::string s(buf, res.ptr);
  size_t e = s.find('e');
  if (e != std::string::npos) {
    size_t digits = e + 2;
    while (digits + 1 < s.size() && s[digits] == '0') s.erase(digits, 1);
  }
  return s;
}

void Stringify(const Json& j, std::string& out, int indent, int level, int64_t pos) {
  auto nl = [&](int lvl) {
    if (indent == 0) return;
    out += '\n';
    out.append(static_cast<size_t>(indent * lvl), ' ');
  };
  if (j.is_number()) {
    out += NumStr(j.get<double>(), pos);
  } else if (j.is_array()) {
    out += '[';
    bool first = true;
    for (const auto& x : j) {
      if (!first) out += ',';
      first = false;
      nl(level + 1);
      Stringify(x, out, indent, level + 1, pos);
    }
    if (!j.empty()) nl(level);
    out += ']';
  } else if (j.is_object()) {
    out += '{';
    bool first = true;
    for (const auto& [k, x] : j.items()) {
      if (!first) out += ',';
      first = false;
      nl(level + 1);
      out += Json(k).dump();
      out += indent ? ": " : ":";
      Stringify(x, out, indent, level + 1, pos);
    }
    if (!j.empty()) nl(level);
    out += '}';
  } else {
    out += j.dump(-1, ' ', false, Json::error_handler_t::replace);
  }
}

}  // namespace

std::string StringifyJson(const Json& j, bool pretty, int64_t pos) {
  std::string out;
  Stringify(j, out, pretty ? 2 : 0, 0, pos);
  return out;
}

bool Truthy(const Value& v) {
  // JSONata casts functions to false.
  if (v.k == Value::K::kFn || v.k == Value::K::kRegex) return false;
  if (!v.json()) return false;
  return JsonTruthy(v.j);
}

std::string ToStr(const Value& v, int64_t pos) {
  if (!v.json()) return "";
  if (v.j.is_string()) return v.j.get<std::string>();
  return StringifyJson(v.j, false, pos);
}

std::string TypeOf(const Value& v) {
  switch (v.k) {
    case Value::K::kUndef:
      return "undefined";
    case Value::K::kFn:
    case Value::K::kRegex:
      return "function";
    case Value::K::kJson:
      break;
  }
  if (v.j.is_null()) return "null";
  if (v.j.is_number()) return "number";
  if (v.j.is_string()) return "string";
  if (v.j.is_boolean()) return "boolean";
  if (v.j.is_array()) return "array";
  return "object";
}

Value Finalize(std::vector<Json> items, bool keep) {
  if (items.empty()) return Undef();
  if (items.size() == 1 && !keep) return Value::Of(std::move(items[0]));
  Value v = Value::Of(Json(std::move(items)));
  v.seq = true;
  v.keep = keep;
  return v;
}

std::vector<Json> Items(const Value& v) {
  if (!v.json()) return {};
  if (v.j.is_array()) return v.j.get<std::vector<Json>>();
  return {v.j};
}

bool DeepEq(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!DeepEq(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (const auto& [k, x] : a.items()) {
      auto it = b.find(k);
      if (it == b.end() || !DeepEq(x, *it)) return false;
    }
    return true;
  }
  return a == b;
}

}  // namespace sluice::asl::jsonata::internal
