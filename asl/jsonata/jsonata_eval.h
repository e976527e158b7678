// Internal evaluator types for the JSONata engine.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "asl/jsonata/jsonata_internal.h"

namespace sluice::asl::jsonata::internal {

struct Fn;
struct Env;

// A JSONata value: undefined, a JSON value (possibly a sequence), a function or a regex.
struct Value {
  enum class K { kUndef, kJson, kFn, kRegex };
  K k = K::kUndef;
  Json j;
  bool seq = false;   // j is an array holding a result sequence
  bool keep = false;  // keep singleton sequences as arrays
  bool cons = false;  // j is an array built by an array constructor
  std::shared_ptr<const Fn> fn;
  std::shared_ptr<std::regex> re;

  bool undef() const { return k == K::kUndef; }
  bool json() const { return k == K::kJson; }
  static Value Of(Json v) {
    Value r;
    r.k = K::kJson;
    r.j = std::move(v);
    return r;
  }
};

struct Evaluator;
using Builtin =
    std::function<Value(Evaluator&, std::vector<Value>&, const Value& ctx, int64_t pos)>;

struct Fn {
  // Builtin when `builtin` is set, lambda otherwise.
  Builtin builtin;
  int required = 0;          // builtin: required argument count
  int max_args = -1;         // builtin: maximum argument count (-1: unlimited)
  bool context_arg = false;  // builtin: a missing first argument defaults to the context
  std::string name;
  NodeP lambda;
  std::shared_ptr<Env> closure;
  std::shared_ptr<Json> closure_ctx;  // the context a lambda was defined in (null: undefined)
  int Arity() const { return builtin ? 3 : static_cast<int>(lambda->params.size()); }
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
  Value Eval(const NodeP& n, const Value& ctx, const EnvP& env);
  Value Call(const Value& fn, std::vector<Value> args, const Value& ctx, int64_t pos);
};

Value Undef();
Value Num(double d);
Value Str(std::string s);
Value Bool(bool b);
bool Truthy(const Value& v);
std::string ToStr(const Value& v, int64_t pos);
std::string TypeOf(const Value& v);
bool IsNum(const Value& v);
bool IsStr(const Value& v);
bool IsArr(const Value& v);
bool IsObj(const Value& v);
Value Finalize(std::vector<Json> items, bool keep);
std::vector<Json> Items(const Value& v);
bool DeepEq(const Json& a, const Json& b);
void InstallBuiltins(Env& env);
std::string StringifyJson(const Json& j, bool pretty, int64_t pos);

}  // namespace sluice::asl::jsonata::internal
