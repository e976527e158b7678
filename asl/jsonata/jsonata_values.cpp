// JSONata value helpers: construction, casting, stringifying, sequences and equality.
#include <pthread.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "asl/jsonata/jsonata_eval.h"

namespace sluice::asl::jsonata::internal {
namespace {

constexpr std::uint8_t kMarkerSubtype = 0x6A;

// Room left on the machine stack below which evaluation stops (whatever the build's frames).
constexpr size_t kStackReserve = 256 * 1024;

std::vector<Value>* OpaqueTable() {
  Evaluator* ev = CurrentEvaluator();
  return ev ? &ev->opaque : nullptr;
}

Json Marker(const Value& v) {
  std::vector<Value>* table = OpaqueTable();
  if (!table) return Json("");
  uint64_t id = table->size();
  table->push_back(v);
  std::vector<std::uint8_t> bytes(8);
  for (int i = 0; i < 8; ++i)
    bytes[static_cast<size_t>(i)] = static_cast<std::uint8_t>(id >> (8 * i));
  return Json::binary(std::move(bytes), kMarkerSubtype);
}

Value FromMarker(const Json& j) {
  std::vector<Value>* table = OpaqueTable();
  const auto& bytes = j.get_binary();
  uint64_t id = 0;
  for (size_t i = 0; i < bytes.size() && i < 8; ++i)
    id |= static_cast<uint64_t>(bytes[i]) << (8 * i);
  if (!table || id >= table->size()) return Undef();
  return (*table)[id];
}

[[noreturn]] void Infinite(int64_t pos) { Throw("D1001", "Number out of range", pos); }

bool JsonTruthy(const Json& j) {
  CheckResources();
  switch (j.type()) {
    case Json::value_t::boolean:
      return j.get<bool>();
    case Json::value_t::string:
      return !j.get_ref<const std::string&>().empty();
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return j.get<double>() != 0;
    case Json::value_t::number_float: {
      double d = j.get<double>();
      if (std::isinf(d)) Infinite(-1);
      return !std::isnan(d) && d != 0;
    }
    case Json::value_t::array:
      if (j.size() == 1) return JsonTruthy(j[0]);
      for (const auto& x : j) {
        if (JsonTruthy(x)) return true;
      }
      return false;
    case Json::value_t::object:
      return !j.empty();
    default:
      return false;
  }
}

// JSON.stringify of a number after jsonata's toPrecision(15) rounding.
std::string NumStr(double d, int64_t pos) {
  if (!std::isfinite(d)) Infinite(pos);
  if (std::floor(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<int64_t>(d));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15g", d);
  return JsNumStr(std::strtod(buf, nullptr));
}

void NewLine(std::string& out, int indent, int level) {
  if (indent == 0) return;
  out += '\n';
  out.append(static_cast<size_t>(indent * level), ' ');
}

void StringifyJ(const Json& j, std::string& out, int indent, int level, int64_t pos);

void StringifyVal(const Value& v, std::string& out, int indent, int level, int64_t pos) {
  CheckResources();
  if (v.k == Value::K::kFn || v.k == Value::K::kRegex) {
    out += "\"\"";
    return;
  }
  if (v.undef()) {
    out += "null";
    return;
  }
  if (!v.arr) {
    StringifyJ(v.J(), out, indent, level, pos);
    return;
  }
  out += '[';
  size_t n = Len(v);
  for (size_t i = 0; i < n; ++i) {
    if (i) out += ',';
    NewLine(out, indent, level + 1);
    StringifyVal(At(v, i), out, indent, level + 1, pos);
  }
  if (n) NewLine(out, indent, level);
  out += ']';
}

void StringifyJ(const Json& j, std::string& out, int indent, int level, int64_t pos) {
  CheckResources();
  if (j.is_number()) {
    out += NumStr(j.get<double>(), pos);
  } else if (j.is_binary()) {
    out += "\"\"";
  } else if (j.is_array()) {
    out += '[';
    bool first = true;
    for (const auto& x : j) {
      if (!first) out += ',';
      first = false;
      NewLine(out, indent, level + 1);
      StringifyJ(x, out, indent, level + 1, pos);
    }
    if (!j.empty()) NewLine(out, indent, level);
    out += ']';
  } else if (j.is_object()) {
    out += '{';
    bool first = true;
    for (const auto& [k, x] : j.items()) {
      if (!first) out += ',';
      first = false;
      NewLine(out, indent, level + 1);
      out += Json(k).dump(-1, ' ', false, Json::error_handler_t::replace);
      out += indent ? ": " : ":";
      StringifyJ(x, out, indent, level + 1, pos);
    }
    if (!j.empty()) NewLine(out, indent, level);
    out += '}';
  } else {
    out += j.dump(-1, ' ', false, Json::error_handler_t::replace);
  }
}

}  // namespace

std::string JsNumStr(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v < 0 ? "-Infinity" : "Infinity";
  if (v == 0) return "0";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, std::fabs(v), std::chars_format::scientific);
  std::string s(buf, res.ptr);
  size_t e = s.find('e');
  std::string digits;
  for (size_t i = 0; i < e; ++i) {
    if (s[i] != '.') digits += s[i];
  }
  int n = std::atoi(s.c_str() + e + 1) + 1;  // position of the decimal point
  int k = static_cast<int>(digits.size());
  std::string out = v < 0 ? "-" : "";
  if (k <= n && n <= 21) {
    out += digits + std::string(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, static_cast<size_t>(n)) + "." + digits.substr(static_cast<size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0." + std::string(static_cast<size_t>(-n), '0') + digits;
  } else {
    out += digits.substr(0, 1);
    if (k > 1) out += "." + digits.substr(1);
    out += n - 1 >= 0 ? "e+" : "e-";
    out += std::to_string(std::abs(n - 1));
  }
  return out;
}

Evaluator*& CurrentEvaluator() {
  thread_local Evaluator* current = nullptr;
  return current;
}

const char* StackFloor() {
  thread_local const char* floor = [] {
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) return static_cast<const char*>(nullptr);
    void* addr = nullptr;
    size_t size = 0;
    int rc = pthread_attr_getstack(&attr, &addr, &size);
    pthread_attr_destroy(&attr);
    if (rc != 0 || size <= 2 * kStackReserve) return static_cast<const char*>(nullptr);
    return static_cast<const char*>(addr) + kStackReserve;
  }();
  return floor;
}

void StackOverflow() {
  Throw("U1001",
        "Stack overflow error: Check for non-terminating recursive function.  Consider "
        "rewriting as tail-recursive.",
        -1);
}

void CheckResources() {
  Evaluator* ev = CurrentEvaluator();
  if (!ev) return;
  if (ev->stack_floor && static_cast<const char*>(__builtin_frame_address(0)) < ev->stack_floor)
    StackOverflow();
  ev->Tick();
}

Value Undef() { return Value(); }
Value Num(double d) { return Value::Of(std::isfinite(d) ? MakeNum(d) : Json(d)); }
Value Str(std::string s) { return Value::Of(Json(std::move(s))); }
Value Bool(bool b) { return Value::Of(Json(b)); }

Value FromJson(Json j) {
  if (j.is_binary()) return FromMarker(j);
  if (!j.is_array() && !j.is_object()) return Value::Of(std::move(j));
  Value v;
  v.k = Value::K::kJson;
  v.ref = std::make_shared<const Json>(std::move(j));
  return v;
}

Value FnValue(std::shared_ptr<const Fn> fn) {
  Value v;
  v.k = Value::K::kFn;
  v.fn = std::move(fn);
  return v;
}

Value NewSeq() {
  Value v;
  v.k = Value::K::kJson;
  v.arr = std::make_shared<Seq>();
  v.seq = true;
  return v;
}

bool IsNum(const Value& v) { return v.json() && !v.arr && v.J().is_number(); }
bool IsStr(const Value& v) { return v.json() && !v.arr && v.J().is_string(); }
bool IsBool(const Value& v) { return v.json() && !v.arr && v.J().is_boolean(); }
bool IsNull(const Value& v) { return v.json() && !v.arr && v.J().is_null(); }
bool IsArr(const Value& v) { return v.json() && (v.arr || v.J().is_array()); }
bool IsObj(const Value& v) { return v.json() && !v.arr && v.J().is_object(); }
bool IsFunc(const Value& v) { return v.k == Value::K::kFn || v.k == Value::K::kRegex; }
bool IsSeqV(const Value& v) { return v.seq && IsArr(v); }

size_t Len(const Value& v) {
  if (v.arr) {
    if (v.tuple) return v.arr->tuples.size();
    return v.arr->numeric ? v.arr->nums.size() : v.arr->items.size();
  }
  if (v.json() && v.J().is_array()) return v.J().size();
  return 0;
}

Value ElemOf(const Value& container, const Json& child) {
  if (child.is_binary()) return FromMarker(child);
  if (!child.is_array() && !child.is_object()) return Value::Of(child);
  Value v;
  v.k = Value::K::kJson;
  if (container.ref) {
    v.ref = std::shared_ptr<const Json>(container.ref, &child);
  } else {
    v.ref = std::make_shared<const Json>(child);
  }
  return v;
}

Value At(const Value& v, size_t i) {
  if (v.arr) {
    if (v.tuple) return *v.arr->tuples[i].Find("@");
    return v.arr->numeric ? Num(v.arr->nums[i]) : v.arr->items[i];
  }
  return ElemOf(v, v.J()[i]);
}

void Push(Value& seq, Value item) { seq.arr->items.push_back(std::move(item)); }

bool Numeric(const Value& v) {
  if (!IsNum(v)) return false;
  double d = v.J().get<double>();
  if (std::isnan(d)) return false;
  if (std::isinf(d)) Infinite(-1);
  return true;
}

bool Truthy(const Value& v) {
  CheckResources();
  if (!v.json()) return false;
  if (!v.arr) return JsonTruthy(v.J());
  size_t n = Len(v);
  if (n == 1) return Truthy(At(v, 0));
  for (size_t i = 0; i < n; ++i) {
    if (Truthy(At(v, i))) return true;
  }
  return false;
}

std::string StringifyJson(const Json& j, bool pretty, int64_t pos) {
  std::string out;
  StringifyJ(j, out, pretty ? 2 : 0, 0, pos);
  return out;
}

std::string StringifyV(const Value& v, bool pretty, int64_t pos) {
  std::string out;
  StringifyVal(v, out, pretty ? 2 : 0, 0, pos);
  return out;
}

std::string ToStr(const Value& v, int64_t pos) {
  if (v.undef()) return "";
  if (IsStr(v)) return v.J().get<std::string>();
  if (IsFunc(v)) return "";
  if (IsNum(v) && !std::isfinite(v.J().get<double>()))
    Throw("D3001", "Attempting to invoke string function on Infinity or NaN", pos);
  if (v.outer && Len(v) > 0) return StringifyV(At(v, 0), false, pos);
  return StringifyV(v, false, pos);
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
  if (v.arr) return "array";
  const Json& j = v.J();
  if (j.is_null()) return "null";
  if (j.is_number()) {
    Numeric(v);
    return "number";
  }
  if (j.is_string()) return "string";
  if (j.is_boolean()) return "boolean";
  if (j.is_array()) return "array";
  if (j.is_binary()) return "function";
  return "object";
}

Json ToJson(const Value& v) {
  CheckResources();
  if (IsFunc(v)) return Marker(v);
  if (v.undef()) return Json();
  if (!v.arr) return v.J();
  Json out = Json::array();
  size_t n = Len(v);
  for (size_t i = 0; i < n; ++i) {
    Value item = At(v, i);
    if (!item.undef()) out.push_back(ToJson(item));
  }
  return out;
}

void Sanitize(Json& j) {
  CheckResources();
  if (j.is_array()) {
    for (auto& x : j) {
      if (x.is_binary()) {
        x = nullptr;
      } else {
        Sanitize(x);
      }
    }
  } else if (j.is_object()) {
    std::vector<std::string> drop;
    for (auto& [k, x] : j.items()) {
      if (x.is_binary()) {
        drop.push_back(k);
      } else {
        Sanitize(x);
      }
    }
    for (const auto& k : drop) j.erase(k);
  } else if (j.is_binary()) {
    j = nullptr;
  }
}

Value Finalize(std::vector<Json> items, bool keep) {
  if (items.empty()) return Undef();
  if (items.size() == 1 && !keep) return FromJson(std::move(items[0]));
  Value v = NewSeq();
  for (auto& x : items) Push(v, FromJson(std::move(x)));
  v.keep = keep;
  return v;
}

std::vector<Json> Items(const Value& v) {
  std::vector<Json> out;
  if (!v.json() && !IsFunc(v)) return out;
  if (!IsArr(v)) {
    out.push_back(ToJson(v));
    return out;
  }
  size_t n = Len(v);
  for (size_t i = 0; i < n; ++i) out.push_back(ToJson(At(v, i)));
  return out;
}

std::vector<Value> ValItems(const Value& v) {
  std::vector<Value> out;
  if (v.undef()) return out;
  if (!IsArr(v)) {
    out.push_back(v);
    return out;
  }
  if (v.arr && !v.tuple && !v.arr->numeric) return v.arr->items;
  size_t n = Len(v);
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(At(v, i));
  return out;
}

bool DeepEq(const Json& a, const Json& b) {
  CheckResources();
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

bool DeepEqV(const Value& a, const Value& b) {
  CheckResources();
  if (a.undef() || b.undef()) return a.undef() && b.undef();
  if (IsFunc(a) || IsFunc(b)) {
    if (a.k != b.k) return false;
    return a.k == Value::K::kFn ? a.fn == b.fn : a.re == b.re;
  }
  if (IsArr(a) && IsArr(b)) {
    size_t n = Len(a);
    if (n != Len(b)) return false;
    if (!a.arr && !b.arr) return DeepEq(a.J(), b.J());
    for (size_t i = 0; i < n; ++i) {
      if (!DeepEqV(At(a, i), At(b, i))) return false;
    }
    return true;
  }
  if (a.arr || b.arr) return false;
  return DeepEq(a.J(), b.J());
}

Value Append(const Value& a, const Value& b) {
  if (a.undef()) return b;
  if (b.undef()) return a;
  Value out = NewSeq();
  out.seq = false;
  auto add = [&out](const Value& v) {
    if (!IsArr(v)) {
      Push(out, v);
      return;
    }
    size_t n = Len(v);
    for (size_t i = 0; i < n; ++i) {
      CheckResources();
      Push(out, At(v, i));
    }
  };
  add(a);
  add(b);
  return out;
}

}  // namespace sluice::asl::jsonata::internal
