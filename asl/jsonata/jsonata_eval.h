// Internal evaluator types for the JSONata engine.
//
// A Value is undefined, a JSON value, a function or a regex. JSON data is either a scalar held
// in `j`, a shared JSON array/object in `ref` (navigation aliases subtrees instead of copying,
// which also gives transforms JavaScript's object identity), or an array of Values in `arr`
// (result sequences, constructed arrays, tuple streams, compact ranges). Arrays carry the
// jsonata-js sequence flags. Functions stored inside JSON containers become opaque markers
// that index the running evaluation's table (functions are dropped from the final result).
//
// Builtins receive their arguments after signature validation. A builtin registered with
// `native == false` receives every argument materialized into `j` (the original interface).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "asl/jsonata/jsonata.h"
#include "asl/jsonata/jsonata_internal.h"

namespace sluice::asl::jsonata::internal {

struct Fn;
struct Env;
struct Seq;

struct Value {
  enum class K : uint8_t { kUndef, kJson, kFn, kRegex };
  K k = K::kUndef;
  Json j;              // a JSON scalar (or, from non-native builtins, any JSON value)
  bool seq = false;    // a result sequence
  bool keep = false;   // keep singleton sequences as arrays
  bool cons = false;   // built by an array constructor at the end of a path
  bool outer = false;  // the sequence wrapping an input array
  bool tuple = false;  // a tuple stream (items in arr->tuples)
  std::shared_ptr<const Fn> fn;
  std::shared_ptr<std::regex> re;
  std::shared_ptr<const Json> ref;  // a JSON array/object, possibly aliasing a subtree
  std::shared_ptr<Seq> arr;         // an array of values

  bool undef() const { return k == K::kUndef; }
  bool json() const { return k == K::kJson; }
  // The JSON value (not for `arr` values).
  const Json& J() const { return ref ? *ref : j; }
  static Value Of(Json v) {
    Value r;
    r.k = K::kJson;
    r.j = std::move(v);
    return r;
  }
};

// One binding set of a tuple stream ("@" is the context item).
struct Tuple {
  std::vector<std::pair<std::string, Value>> b;
  const Value* Find(const std::string& name) const {
    for (const auto& [k, v] : b) {
      if (k == name) return &v;
    }
    return nullptr;
  }
  void Set(const std::string& name, Value v) {
    for (auto& [k, x] : b) {
      if (k == name) {
        x = std::move(v);
        return;
      }
    }
    b.emplace_back(name, std::move(v));
  }
};

struct Seq {
  std::vector<Value> items;
  std::vector<Tuple> tuples;  // for tuple streams
  std::vector<double> nums;   // for ranges (compact)
  bool numeric = false;
};

struct Evaluator;
using Builtin =
    std::function<Value(Evaluator&, std::vector<Value>&, const Value& ctx, int64_t pos)>;

struct Fn {
  // Builtin when `builtin` is set, lambda otherwise.
  Builtin builtin;
  int required = 0;          // builtin without signature: required argument count
  int max_args = -1;         // builtin without signature: maximum argument count (-1: unlimited)
  bool context_arg = false;  // builtin without signature: a missing first argument is the context
  std::string name;
  NodeP lambda;
  std::shared_ptr<Env> closure;
  std::shared_ptr<Json> closure_ctx;  // unused (kept for source compatibility)
  bool native = false;                // builtin: takes Values as they are
  int arity = -1;                     // builtin: declared parameter count (for callbacks)
  SigP sig;                           // validated before the call
  Value input;                        // lambda: the context it was defined in
  std::vector<std::string> params;    // lambda: parameter names
  NodeP body;                         // lambda: body
  bool thunk = false;                 // lambda: a tail call to trampoline
  int Arity() const {
    if (builtin) return arity >= 0 ? arity : 3;
    return static_cast<int>(params.size());
  }
};

struct Env {
  std::map<std::string, Value> vars;
  std::shared_ptr<Env> parent;
  const Value* Find(const std::string& name) const {
    for (const Env* e = this; e; e = e->parent.get()) {
      auto it = e->vars.find(name);
      if (it != e->vars.end()) return &it->second;
    }
    return nullptr;
  }
};
using EnvP = std::shared_ptr<Env>;

struct Evaluator {
  Value root;
  int depth = 0;
  Limits limits;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  uint64_t steps = 0;
  std::vector<Value> opaque;          // functions stored inside JSON containers
  std::optional<int64_t> now_ms;      // Environment::now_ms, or the clock once read
  Random* random = nullptr;           // Environment::random (null: a nondeterministic one)
  const char* stack_floor = nullptr;  // evaluation stops (U1001) below this stack address

  Value Eval(const NodeP& n, const Value& ctx, const EnvP& env);
  // Applies a function (with signature validation and tail-call trampolining).
  Value Call(const Value& fn, std::vector<Value> args, const Value& ctx, int64_t pos);
  // Checks the time budget; called from long-running builtins too.
  void Tick();
  // The time $millis and $now report: the injected one, else the system clock read once.
  int64_t NowMs();
  // The random source of $random, $shuffle and $uuid.
  Random& Rng();
};

// Value construction and inspection (jsonata_values.cpp).
Value Undef();
Value Num(double d);
Value Str(std::string s);
Value Bool(bool b);
Value FromJson(Json j);  // arrays/objects become shared
Value FnValue(std::shared_ptr<const Fn> fn);
Value NewSeq();  // an empty result sequence
bool IsNum(const Value& v);
bool IsStr(const Value& v);
bool IsBool(const Value& v);
bool IsNull(const Value& v);
bool IsArr(const Value& v);
bool IsObj(const Value& v);
bool IsFunc(const Value& v);  // function or regex
bool IsSeqV(const Value& v);  // an array flagged as a sequence
size_t Len(const Value& v);   // array length
Value At(const Value& v, size_t i);
Value ElemOf(const Value& container, const Json& child);
void Push(Value& seq, Value item);  // appends to an `arr` value
bool Truthy(const Value& v);        // fn.boolean (undefined -> false)
bool Numeric(const Value& v);       // isNumeric: a number, not NaN (D1001 when infinite)
std::string ToStr(const Value& v, int64_t pos);  // fn.string
std::string TypeOf(const Value& v);
Json ToJson(const Value& v);  // materialize (functions become opaque markers)
void Sanitize(Json& j);       // drops opaque markers (as JSON.stringify drops functions)
Value Finalize(std::vector<Json> items, bool keep);
std::vector<Json> Items(const Value& v);
std::vector<Value> ValItems(const Value& v);  // array items, or the value itself
bool DeepEq(const Json& a, const Json& b);
bool DeepEqV(const Value& a, const Value& b);
Value Append(const Value& a, const Value& b);  // fn.append
void InstallBuiltins(Env& env);
std::string StringifyJson(const Json& j, bool pretty, int64_t pos);
std::string StringifyV(const Value& v, bool pretty, int64_t pos);
// ECMAScript Number::prototype.toString (shortest round trip; exponent form below 1e-6 and from
// 1e21).
std::string JsNumStr(double v);
// fn.lookup: the value of `key` in an object, or in each object of an array (flattened).
Value LookupKey(const Value& input, const std::string& key);
// The form of a regex literal to run on a subject of `length` bytes (see JRegex); U1001 when
// no form fits in the remaining stack.
const std::regex& PickRegex(const std::regex& re, size_t length);

// jsonata-js's merge sort (over indices); `swap(a, b)` is true when b must precede a.
template <typename Swap>
void MergeSortIndices(std::vector<size_t>& v, Swap& swap) {
  if (v.size() <= 1) return;
  auto middle = static_cast<std::ptrdiff_t>(v.size() / 2);
  std::vector<size_t> left(v.begin(), v.begin() + middle);
  std::vector<size_t> right(v.begin() + middle, v.end());
  MergeSortIndices(left, swap);
  MergeSortIndices(right, swap);
  size_t l = 0, r = 0, o = 0;
  while (l < left.size() && r < right.size())
    v[o++] = swap(left[l], right[r]) ? right[r++] : left[l++];
  while (l < left.size()) v[o++] = left[l++];
  while (r < right.size()) v[o++] = right[r++];
}

// The evaluation running on this thread (set by the API entry points), or null.
Evaluator*& CurrentEvaluator();
// The lowest stack address evaluation may use on this thread (null: unknown).
const char* StackFloor();
[[noreturn]] void StackOverflow();  // U1001
// Throws U1001 when the machine stack is nearly exhausted or the time budget is spent; every
// recursive or long-running helper calls it.
void CheckResources();

}  // namespace sluice::asl::jsonata::internal
