// JSONata evaluator (after jsonata-js 2.0.6's evaluate()): paths and tuple streams, operators,
// functions, signatures, transforms, bounded evaluation and the public API.
#include "asl/jsonata/jsonata_eval.h"

#include <algorithm>
#include <cmath>
#include <new>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "asl/jsonata/jsonata.h"

namespace sluice::asl::jsonata {
namespace internal {
namespace {

EnvP Frame(const EnvP& parent) {
  auto e = std::make_shared<Env>();
  e->parent = parent;
  return e;
}

EnvP FrameFromTuple(const EnvP& parent, const Tuple& t) {
  EnvP e = Frame(parent);
  for (const auto& [k, v] : t.b) e->vars[k] = v;
  return e;
}

Value NewTupleStream() {
  Value v = NewSeq();
  v.tuple = true;
  return v;
}

const std::vector<Tuple>& TuplesOf(const Value& v) {
  static const std::vector<Tuple> kNone;
  return v.arr && v.tuple ? v.arr->tuples : kNone;
}

Value TupleAt(const Tuple& t) {
  const Value* v = t.Find("@");
  return v ? *v : Undef();
}

struct DepthGuard {
  explicit DepthGuard(Evaluator& e) : e_(e) {
    if (++e_.depth > e_.limits.max_depth) {
      --e_.depth;
      StackOverflow();
    }
    CheckResources();
  }
  ~DepthGuard() { --e_.depth; }
  Evaluator& e_;
};

}  // namespace

const std::regex& PickRegex(const std::regex& re, size_t length) {
  // The backtracking executor needs up to ~1KB of stack per subject byte.
  const char* floor = StackFloor();
  auto here = static_cast<const char*>(__builtin_frame_address(0));
  bool fits = !floor || (here > floor && static_cast<size_t>(here - floor) / 1024 > length);
  if (fits || (re.flags() & kPolynomialRegex)) return re;
  const auto* j = static_cast<const JRegex*>(&re);  // every regex value comes from the parser
  if (j && j->poly) return *j->poly;
  Throw("U1001", "The subject is too long for this regular expression", -1);
}

Value LookupKey(const Value& input, const std::string& key) {
  if (IsArr(input)) {
    Value result = NewSeq();
    size_t n = Len(input);
    for (size_t i = 0; i < n; ++i) {
      CheckResources();
      Value res = LookupKey(At(input, i), key);
      if (res.undef()) continue;
      if (IsArr(res)) {
        size_t m = Len(res);
        for (size_t j = 0; j < m; ++j) Push(result, At(res, j));
      } else {
        Push(result, std::move(res));
      }
    }
    return result;
  }
  if (IsObj(input)) {
    const Json& o = input.J();
    auto it = o.find(key);
    if (it == o.end()) return Undef();
    return ElemOf(input, *it);
  }
  return Undef();
}

namespace {

void FlattenInto(const Value& v, Value& out) {
  CheckResources();
  if (IsArr(v)) {
    size_t n = Len(v);
    for (size_t i = 0; i < n; ++i) FlattenInto(At(v, i), out);
  } else {
    Push(out, v);
  }
}

// The values of an object's (or array's) members; array values are flattened.
[[gnu::noinline]] Value Wildcard(const Value& in) {
  Value results = NewSeq();
  Value input = in;
  if (IsArr(input) && input.outer && Len(input) > 0) input = At(input, 0);
  auto add = [&results](Value value) {
    if (!IsArr(value)) {
      Push(results, std::move(value));
      return;
    }
    Value flat = NewSeq();
    FlattenInto(value, flat);
    results = Append(results, flat);
  };
  if (IsObj(input)) {
    for (const auto& [k, x] : input.J().items()) add(ElemOf(input, x));
  } else if (IsArr(input)) {
    size_t n = Len(input);
    for (size_t i = 0; i < n; ++i) add(At(input, i));
  }
  return results;
}

void RecurseDescendants(const Value& input, Value& results) {
  CheckResources();
  if (!IsArr(input)) Push(results, input);
  if (IsArr(input)) {
    size_t n = Len(input);
    for (size_t i = 0; i < n; ++i) RecurseDescendants(At(input, i), results);
  } else if (IsObj(input)) {
    for (const auto& [k, x] : input.J().items()) RecurseDescendants(ElemOf(input, x), results);
  }
}

[[gnu::noinline]] Value Descendants(const Value& input) {
  if (input.undef()) return Undef();
  Value results = NewSeq();
  RecurseDescendants(input, results);
  if (Len(results) == 1) return At(results, 0);
  return results;
}

double NumOf(const Value& v) { return v.J().get<double>(); }

Value Arith(const std::string& op, const Value& l, const Value& r, int64_t pos) {
  if (!l.undef() && !Numeric(l))
    Throw("T2001", "The left side of the \"" + op + "\" operator must evaluate to a number", pos);
  if (!r.undef() && !Numeric(r))
    Throw("T2002", "The right side of the \"" + op + "\" operator must evaluate to a number", pos);
  if (l.undef() || r.undef()) return Undef();
  double a = NumOf(l), b = NumOf(r);
  switch (op[0]) {
    case '+':
      return Num(a + b);
    case '-':
      return Num(a - b);
    case '*':
      return Num(a * b);
    case '/':
      return Num(a / b);
    default:
      return Num(std::fmod(a, b));
  }
}

Value Compare(const std::string& op, const Value& l, const Value& r, int64_t pos) {
  bool lok = l.undef() || IsNum(l) || IsStr(l), rok = r.undef() || IsNum(r) || IsStr(r);
  if (!lok || !rok)
    Throw("T2010",
          "The expressions either side of operator \"" + op +
              "\" must evaluate to numeric or string values",
          pos);
  if (l.undef() || r.undef()) return Undef();
  if (IsNum(l) != IsNum(r))
    Throw("T2009",
          "The values either side of operator \"" + op + "\" must be of the same data type", pos);
  auto cmp = [&op](const auto& a, const auto& b) {
    if (op == "<") return a < b;
    if (op == "<=") return a <= b;
    if (op == ">") return a > b;
    return a >= b;
  };
  if (IsNum(l)) return Bool(cmp(NumOf(l), NumOf(r)));
  return Bool(cmp(l.J().get_ref<const std::string&>(), r.J().get_ref<const std::string&>()));
}

bool IsInteger(const Value& v) {
  if (!IsNum(v)) return false;
  double d = NumOf(v);
  return std::isfinite(d) && std::floor(d) == d;
}

Value Range(const Value& l, const Value& r, int64_t pos) {
  if (!l.undef() && !IsInteger(l))
    Throw("T2003", "The left side of the range operator (..) must evaluate to an integer", pos);
  if (!r.undef() && !IsInteger(r))
    Throw("T2004", "The right side of the range operator (..) must evaluate to an integer", pos);
  if (l.undef() || r.undef()) return Undef();
  double a = NumOf(l), b = NumOf(r);
  if (a > b) return Undef();
  if (b - a + 1 > kMaxRangeSize)
    Throw("D2014",
          "The size of the sequence allocated by the range operator (..) must not exceed 1e7.",
          pos);
  auto size = static_cast<size_t>(b - a + 1);
  Value v = NewSeq();
  v.arr->numeric = true;
  v.arr->nums.reserve(size);
  for (size_t i = 0; i < size; ++i) v.arr->nums.push_back(a + static_cast<double>(i));
  return v;
}

// The `in` operator compares with JavaScript's ===: by value for primitives, by identity for
// arrays and objects.
bool StrictEq(const Value& a, const Value& b) {
  if (IsFunc(a) || IsFunc(b)) return a.k == b.k && (a.fn == b.fn && a.re == b.re);
  if (a.arr || b.arr) return a.arr && a.arr == b.arr;
  if (a.ref || b.ref) return a.ref && b.ref && a.ref.get() == b.ref.get();
  if (IsNum(a) && IsNum(b)) return NumOf(a) == NumOf(b);
  return a.j == b.j;
}

Value Includes(const Value& l, const Value& r) {
  if (l.undef() || r.undef()) return Bool(false);
  if (!IsArr(r)) return Bool(StrictEq(r, l));
  size_t n = Len(r);
  for (size_t i = 0; i < n; ++i) {
    if (StrictEq(At(r, i), l)) return Bool(true);
  }
  return Bool(false);
}

bool IsArrayOfNumbers(const Value& v) {
  if (!IsArr(v)) return false;
  size_t n = Len(v);
  for (size_t i = 0; i < n; ++i) {
    if (!Numeric(At(v, i))) return false;
  }
  return true;
}

char Symbol(const Value& v) {
  if (IsFunc(v)) return 'f';
  if (v.undef()) return 'm';
  if (v.arr) return 'a';
  switch (v.J().type()) {
    case Json::value_t::string:
      return 's';
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return 'n';
    case Json::value_t::boolean:
      return 'b';
    case Json::value_t::null:
      return 'l';
    case Json::value_t::array:
      return 'a';
    case Json::value_t::binary:
      return 'f';
    default:
      return 'o';
  }
}

// Matches `sym` against params[pi..] like the regex jsonata-js builds from a signature
// (greedy, backtracking); records each parameter's span. `full` anchors the end.
bool SigMatch(const std::vector<SigParam>& ps, size_t pi, const std::string& sym, size_t si,
              std::vector<std::pair<size_t, size_t>>& spans, bool full, size_t& end) {
  if (pi == ps.size()) {
    end = si;
    return !full || si == sym.size();
  }
  const SigParam& p = ps[pi];
  auto ok = [&](size_t at) { return at < sym.size() && p.cls.find(sym[at]) != std::string::npos; };
  auto attempt = [&](size_t len) {
    spans[pi] = {si, len};
    return SigMatch(ps, pi + 1, sym, si + len, spans, full, end);
  };
  if (p.quant.empty()) return ok(si) && attempt(1);
  if (p.quant[0] == '+') {
    size_t run = 0;
    while (ok(si + run)) ++run;
    if (p.quant == "+?") {
      for (size_t len = 1; len <= run; ++len) {
        if (attempt(len)) return true;
      }
      return false;
    }
    for (size_t len = run; len >= 1; --len) {
      if (attempt(len)) return true;
    }
    return false;
  }
  if (p.quant == "??") return attempt(0) || (ok(si) && attempt(1));
  return (ok(si) && attempt(1)) || attempt(0);
}

[[noreturn]] void BadSignature(const std::string& fname, size_t index, int64_t pos) {
  Throw("T0410",
        "Argument " + std::to_string(index + 1) + " of function \"" + fname +
            "\" does not match function signature",
        pos);
}

[[gnu::noinline]] std::vector<Value> Validate(const Signature& sig, const std::vector<Value>& args,
                                              const Value& ctx, const std::string& fname,
                                              int64_t pos) {
  std::string sym;
  for (const auto& a : args) sym += Symbol(a);
  const auto& ps = sig.params;
  std::vector<std::pair<size_t, size_t>> spans(ps.size());
  size_t end = 0;
  if (!SigMatch(ps, 0, sym, 0, spans, true, end)) {
    size_t good = 0;
    for (size_t i = 0; i < ps.size(); ++i) {
      std::vector<SigParam> prefix(ps.begin(), ps.begin() + static_cast<std::ptrdiff_t>(i) + 1);
      std::vector<std::pair<size_t, size_t>> sp(prefix.size());
      if (!SigMatch(prefix, 0, sym, 0, sp, false, end)) BadSignature(fname, good, pos);
      good = end;
    }
    BadSignature(fname, good, pos);
  }
  std::vector<Value> out;
  size_t arg_index = 0;
  auto arg_at = [&](size_t i) { return i < args.size() ? args[i] : Undef(); };
  for (size_t i = 0; i < ps.size(); ++i) {
    const SigParam& p = ps[i];
    Value arg = arg_at(arg_index);
    std::string match = sym.substr(spans[i].first, spans[i].second);
    if (match.empty()) {
      if (p.context) {
        if (p.ctx_cls.find(Symbol(ctx)) == std::string::npos)
          Throw("T0411",
                "Context value is not a compatible type with argument " +
                    std::to_string(arg_index + 1) + " of function \"" + fname + "\"",
                pos);
        out.push_back(ctx);
      } else {
        out.push_back(arg);
        ++arg_index;
      }
      continue;
    }
    for (char single : match) {
      if (p.type != 'a') {
        out.push_back(arg);
        ++arg_index;
        continue;
      }
      if (single == 'm') {
        arg = Undef();
      } else {
        arg = arg_at(arg_index);
        bool ok = true;
        if (!p.subtype.empty()) {
          if (single != 'a' && match != p.subtype) {
            ok = false;
          } else if (single == 'a' && arg.arr && arg.arr->numeric) {
            ok = p.subtype[0] == 'n';
          } else if (single == 'a' && Len(arg) > 0) {
            char item_type = Symbol(At(arg, 0));
            if (item_type != p.subtype[0]) {
              ok = false;
            } else {
              size_t n = Len(arg);
              for (size_t k = 1; k < n && ok; ++k) ok = Symbol(At(arg, k)) == item_type;
            }
          }
        }
        if (!ok) {
          static const std::pair<char, const char*> kPlural[] = {
              {'a', "arrays"},  {'b', "booleans"}, {'f', "functions"},
              {'n', "numbers"}, {'o', "objects"},  {'s', "strings"}};
          std::string type;
          for (const auto& [c, name] : kPlural) {
            if (!p.subtype.empty() && p.subtype[0] == c) type = name;
          }
          Throw("T0412",
                "Argument " + std::to_string(arg_index + 1) + " of function \"" + fname +
                    "\" must be an array of " + type,
                pos);
        }
        if (single != 'a') {
          Value wrap = NewSeq();
          wrap.seq = false;
          Push(wrap, arg);
          arg = wrap;
        }
      }
      out.push_back(arg);
      ++arg_index;
    }
  }
  return out;
}

// Converts arguments for a builtin written against the Json-only interface.
void Materialize(std::vector<Value>& args) {
  for (auto& a : args) {
    if (!a.json() || (!a.ref && !a.arr)) continue;
    Value m = Value::Of(ToJson(a));
    m.seq = a.seq;
    m.keep = a.keep;
    m.cons = a.cons;
    a = std::move(m);
  }
}

Value Normalize(Value v) {
  if (v.json() && !v.arr && !v.ref && (v.j.is_array() || v.j.is_object() || v.j.is_binary())) {
    Value n = FromJson(std::move(v.j));
    n.seq = v.seq;
    n.keep = v.keep;
    n.cons = v.cons;
    return n;
  }
  return v;
}

// The evaluator proper (jsonata-js's evaluate* functions); the free functions above are the
// value-level operators.
class Machine {
 public:
  explicit Machine(Evaluator& ev) : ev_(ev) {}

  Value Dispatch(const NodeP& np, const Value& input, const EnvP& env) {
    const internal::Node& n = *np;
    switch (n.k) {
      case NK::kPath:
        return Path(n, input, env);
      case NK::kBinary:
        return Binary(n, input, env);
      case NK::kNeg: {
        Value v = ev_.Eval(n.expr, input, env);
        if (v.undef()) return v;
        if (!Numeric(v)) Throw("D1002", "Cannot negate a non-numeric value", n.pos);
        return Num(-NumOf(v));
      }
      case NK::kArray:
        return Array(n, input, env);
      case NK::kObject:
        return Group(n.pairs, n.pos, input, env);
      case NK::kName:
        return LookupKey(input, n.s);
      case NK::kLit:
        return Value::Of(n.lit);
      case NK::kWildcard:
        return Wildcard(input);
      case NK::kDescendant:
        return Descendants(input);
      case NK::kParent: {
        const Value* v = env->Find(n.slot->label);
        return v ? *v : Undef();
      }
      case NK::kCond: {
        if (Truthy(ev_.Eval(n.cond, input, env))) return ev_.Eval(n.then_, input, env);
        return n.else_ ? ev_.Eval(n.else_, input, env) : Undef();
      }
      case NK::kBlock: {
        EnvP frame = Frame(env);
        Value result;
        for (const auto& e : n.items) result = ev_.Eval(e, input, frame);
        return result;
      }
      case NK::kBind: {
        Value v = ev_.Eval(n.rhs, input, env);
        env->vars[n.s] = v;
        return v;
      }
      case NK::kRegex: {
        Value v;
        v.k = Value::K::kRegex;
        v.re = n.re;
        return v;
      }
      case NK::kCall:
        return Function(n, input, env, nullptr);
      case NK::kVar: {
        if (n.s.empty()) return input.outer && Len(input) > 0 ? At(input, 0) : input;
        const Value* v = env->Find(n.s);
        return v ? *v : Undef();
      }
      case NK::kLambda:
        return Lambda(np, input, env);
      case NK::kPartial:
        return Partial(n, input, env);
      case NK::kApply:
        return ApplyExpr(n, input, env);
      case NK::kTransform:
        return Transform(np, env);
      case NK::kPlaceholder:
      case NK::kSort:
      case NK::kRawBinary:
      case NK::kRawOperator:
        break;
    }
    Throw("S0206", "Unknown expression type", n.pos);
  }

  [[gnu::noinline]] Value Filter(const NodeP& predicate, const Value& input, const EnvP& env) {
    Value results = NewSeq();
    results.tuple = input.tuple;
    Value in = input;
    if (!IsArr(in)) {
      in = NewSeq();
      Push(in, input);
    }
    size_t n = Len(in);
    if (predicate->k == NK::kLit && predicate->lit.is_number()) {
      double d = std::floor(predicate->lit.get<double>());
      if (d < 0) d += static_cast<double>(n);
      if (d >= 0 && d < static_cast<double>(n)) {
        auto idx = static_cast<size_t>(d);
        if (in.tuple) {
          results.arr->tuples.push_back(in.arr->tuples[idx]);
        } else {
          Value item = At(in, idx);
          if (IsArr(item)) return item;
          if (!item.undef()) Push(results, std::move(item));
        }
      }
      return results;
    }
    for (size_t index = 0; index < n; ++index) {
      Value res;
      if (in.tuple) {
        const Tuple& t = in.arr->tuples[index];
        res = ev_.Eval(predicate, TupleAt(t), FrameFromTuple(env, t));
      } else {
        res = ev_.Eval(predicate, At(in, index), env);
      }
      bool take = false;
      if (Numeric(res)) {
        take = Matches(NumOf(res), index, n);
      } else if (IsArrayOfNumbers(res)) {
        size_t m = Len(res);
        for (size_t k = 0; k < m; ++k) {
          if (Matches(NumOf(At(res, k)), index, n)) {
            AddFiltered(results, in, index);
          }
        }
        continue;
      } else {
        take = Truthy(res);
      }
      if (take) AddFiltered(results, in, index);
    }
    return results;
  }

  [[gnu::noinline]] Value Group(const std::vector<std::pair<NodeP, NodeP>>& pairs, int64_t pos,
                                const Value& in, const EnvP& env) {
    bool reduce = in.tuple;
    std::vector<Value> items;
    const std::vector<Tuple>& tuples = TuplesOf(in);
    if (!reduce) items = IsArr(in) ? ValItems(in) : std::vector<Value>{in};
    size_t count = reduce ? tuples.size() : items.size();
    if (count == 0 && !reduce) {
      items.push_back(Undef());
      count = 1;
    }
    struct Entry {
      Value data;
      std::vector<Tuple> tuples;
      size_t expr_index = 0;
    };
    std::vector<std::string> order;
    std::map<std::string, Entry> groups;
    for (size_t i = 0; i < count; ++i) {
      EnvP item_env = reduce ? FrameFromTuple(env, tuples[i]) : env;
      Value ctx = reduce ? TupleAt(tuples[i]) : items[i];
      for (size_t p = 0; p < pairs.size(); ++p) {
        Value key = ev_.Eval(pairs[p].first, ctx, item_env);
        if (key.undef()) continue;
        if (!IsStr(key))
          Throw("T1003",
                "Key in object structure must evaluate to a string; got: " +
                    StringifyV(key, false, pos),
                pos);
        const std::string& k = key.J().get_ref<const std::string&>();
        auto it = groups.find(k);
        if (it == groups.end()) {
          Entry e;
          e.expr_index = p;
          if (reduce) {
            e.tuples.push_back(tuples[i]);
          } else {
            e.data = items[i];
          }
          groups.emplace(k, std::move(e));
          order.push_back(k);
          continue;
        }
        if (it->second.expr_index != p)
          Throw("D1009", "Multiple key definitions evaluate to same key: \"" + k + "\"", pos);
        if (reduce) {
          it->second.tuples.push_back(tuples[i]);
        } else {
          it->second.data = Append(it->second.data, items[i]);
        }
      }
    }
    Json result = Json::object();
    for (const auto& k : order) {
      Entry& e = groups[k];
      Value ctx = e.data;
      EnvP value_env = env;
      if (reduce) {
        Tuple t = ReduceTuples(e.tuples);
        ctx = TupleAt(t);
        t.b.erase(
            std::remove_if(t.b.begin(), t.b.end(), [](const auto& kv) { return kv.first == "@"; }),
            t.b.end());
        value_env = FrameFromTuple(env, t);
      }
      Value v = ev_.Eval(pairs[e.expr_index].second, ctx, value_env);
      if (!v.undef()) result[k] = ToJson(v);
    }
    return FromJson(std::move(result));
  }

  Value Apply(const Value& proc, std::vector<Value> args, const Value& input, int64_t pos) {
    Value result = ApplyInner(proc, std::move(args), input, pos);
    while (result.k == Value::K::kFn && result.fn->thunk) {
      const Fn& t = *result.fn;
      const internal::Node& call = *t.body;
      Value next = ev_.Eval(call.proc, t.input, t.closure);
      std::vector<Value> next_args;
      for (const auto& a : call.items) next_args.push_back(ev_.Eval(a, t.input, t.closure));
      result = ApplyInner(next, std::move(next_args), input, call.pos);
    }
    return result;
  }

 private:
  static bool Matches(double d, size_t index, size_t n) {
    double ii = std::floor(d);
    if (ii < 0) ii += static_cast<double>(n);
    return ii == static_cast<double>(index);
  }

  static void AddFiltered(Value& results, const Value& in, size_t index) {
    if (in.tuple) {
      results.arr->tuples.push_back(in.arr->tuples[index]);
    } else {
      Push(results, At(in, index));
    }
  }

  static Tuple ReduceTuples(const std::vector<Tuple>& ts) {
    Tuple result = ts[0];
    for (size_t i = 1; i < ts.size(); ++i) {
      for (const auto& [k, v] : ts[i].b) {
        const Value* cur = result.Find(k);
        result.Set(k, Append(cur ? *cur : Undef(), v));
      }
    }
    return result;
  }

  [[gnu::noinline]] Value Path(const internal::Node& expr, const Value& input, const EnvP& env) {
    const auto& steps = expr.steps();
    Value input_seq;
    if (IsArr(input) && steps[0]->k != NK::kVar) {
      input_seq = input;
    } else {
      input_seq = NewSeq();
      Push(input_seq, input);
    }
    Value result;
    Value tuples;
    bool tuple_stream = false;
    for (size_t ii = 0; ii < steps.size(); ++ii) {
      const NodeP& step = steps[ii];
      if (step->tuple) tuple_stream = true;
      if (ii == 0 && step->cons_array) {
        result = ev_.Eval(step, input_seq, env);
      } else if (tuple_stream) {
        tuples = TupleStep(*step, step, input_seq, tuples, env);
      } else {
        result = Step(step, input_seq, env, ii == steps.size() - 1);
      }
      if (!tuple_stream && (result.undef() || (IsArr(result) && Len(result) == 0) ||
                            (IsStr(result) && result.J().get_ref<const std::string&>().empty())))
        break;
      if (step->focus.empty()) input_seq = result;
    }
    if (tuple_stream) {
      if (expr.tuple) {
        result = tuples.undef() ? NewTupleStream() : tuples;
      } else {
        result = NewSeq();
        for (const auto& t : TuplesOf(tuples)) Push(result, TupleAt(t));
      }
    }
    if (expr.keep_singleton && !result.undef()) {
      if (IsArr(result) && result.cons && !result.seq) {
        Value wrap = NewSeq();
        Push(wrap, result);
        result = wrap;
      }
      result.keep = true;
    }
    if (expr.group)
      result = Group(expr.group->pairs, expr.group->pos, tuple_stream ? tuples : result, env);
    return result;
  }

  Value Step(const NodeP& step, const Value& input, const EnvP& env, bool last) {
    if (step->k == NK::kSort) {
      Value r = Sort(*step, input, env);
      if (step->has_stages) r = Stages(step->stages, r, env);
      return r;
    }
    std::vector<Value> results;
    size_t n = IsArr(input) ? Len(input) : 0;
    results.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      Value res = ev_.Eval(step, At(input, i), env);
      for (const auto& st : step->stages) {
        if (!st.is_index) res = Filter(st.expr, res, env);
      }
      if (!res.undef()) results.push_back(std::move(res));
    }
    if (last && results.size() == 1 && IsArr(results[0]) && !IsSeqV(results[0])) return results[0];
    Value out = NewSeq();
    out.arr->items.reserve(results.size());
    for (auto& res : results) {
      if (!IsArr(res) || res.cons) {
        Push(out, std::move(res));
      } else {
        size_t m = Len(res);
        for (size_t j = 0; j < m; ++j) Push(out, At(res, j));
      }
    }
    return out;
  }

  Value Stages(const std::vector<Stage>& stages, Value input, const EnvP& env) {
    Value result = std::move(input);
    for (const auto& st : stages) {
      if (!st.is_index) {
        result = Filter(st.expr, result, env);
      } else if (result.tuple) {
        auto& ts = result.arr->tuples;
        for (size_t ee = 0; ee < ts.size(); ++ee) ts[ee].Set(st.var, Num(static_cast<double>(ee)));
      }
    }
    return result;
  }

  Value TupleStep(const internal::Node& step, const NodeP& stepp, const Value& input,
                  const Value& tuple_bindings, const EnvP& env) {
    if (step.k == NK::kSort) {
      Value result;
      if (!tuple_bindings.undef()) {
        result = Sort(step, tuple_bindings, env);
      } else {
        Value sorted = Sort(step, input, env);
        result = NewTupleStream();
        size_t n = Len(sorted);
        for (size_t ss = 0; ss < n; ++ss) {
          Tuple t;
          t.Set("@", At(sorted, ss));
          if (!step.index.empty()) t.Set(step.index, Num(static_cast<double>(ss)));
          result.arr->tuples.push_back(std::move(t));
        }
      }
      if (step.has_stages) result = Stages(step.stages, result, env);
      return result;
    }
    Value result = NewTupleStream();
    std::vector<Tuple> bindings;
    if (tuple_bindings.undef()) {
      size_t n = IsArr(input) ? Len(input) : 0;
      for (size_t i = 0; i < n; ++i) {
        Tuple t;
        t.Set("@", At(input, i));
        bindings.push_back(std::move(t));
      }
    }
    const std::vector<Tuple>& tb = tuple_bindings.undef() ? bindings : TuplesOf(tuple_bindings);
    for (const Tuple& te : tb) {
      Value context = TupleAt(te);
      Value res = ev_.Eval(stepp, context, FrameFromTuple(env, te));
      if (res.undef()) continue;
      if (res.tuple) {
        for (const Tuple& rt : TuplesOf(res)) {
          Tuple t = te;
          for (const auto& [k, v] : rt.b) t.Set(k, v);
          result.arr->tuples.push_back(std::move(t));
        }
        continue;
      }
      std::vector<Value> items = IsArr(res) ? ValItems(res) : std::vector<Value>{res};
      for (size_t bb = 0; bb < items.size(); ++bb) {
        Tuple t = te;
        if (!step.focus.empty()) {
          t.Set(step.focus, items[bb]);
          t.Set("@", context);
        } else {
          t.Set("@", items[bb]);
        }
        if (!step.index.empty()) t.Set(step.index, Num(static_cast<double>(bb)));
        if (step.ancestor) t.Set(step.ancestor->label, context);
        result.arr->tuples.push_back(std::move(t));
      }
    }
    if (step.has_stages) result = Stages(step.stages, result, env);
    return result;
  }

  // Order-by: jsonata-js's merge sort with its comparator (true means "swap").
  [[gnu::noinline]] Value Sort(const internal::Node& expr, const Value& input, const EnvP& env) {
    if (input.undef()) return input;
    bool tuples = input.tuple;
    size_t n = Len(input);
    if (n <= 1) return input;
    auto term_value = [&](const NodeP& e, size_t which, const std::vector<Value>& vals,
                          const std::vector<Tuple>& ts) {
      if (tuples) return ev_.Eval(e, TupleAt(ts[which]), FrameFromTuple(env, ts[which]));
      return ev_.Eval(e, vals[which], env);
    };
    std::vector<Value> vals;
    std::vector<Tuple> ts;
    if (tuples) {
      ts = TuplesOf(input);
    } else {
      vals = ValItems(input);
    }
    auto comp = [&](size_t a, size_t b) {
      int c = 0;
      for (size_t t = 0; c == 0 && t < expr.terms.size(); ++t) {
        const SortTerm& term = expr.terms[t];
        Value aa = term_value(term.expr, a, vals, ts);
        Value bb = term_value(term.expr, b, vals, ts);
        if (aa.undef()) {
          c = bb.undef() ? 0 : 1;
          continue;
        }
        if (bb.undef()) {
          c = -1;
          continue;
        }
        bool aok = IsNum(aa) || IsStr(aa), bok = IsNum(bb) || IsStr(bb);
        if (!aok || !bok)
          Throw("T2008",
                "The expressions within an order-by clause must evaluate to numeric or string "
                "values",
                expr.pos);
        if (IsNum(aa) != IsNum(bb))
          Throw("T2007", "Type mismatch when comparing values in order-by clause", expr.pos);
        if (IsNum(aa)) {
          double x = NumOf(aa), y = NumOf(bb);
          if (x == y) continue;
          c = x < y ? -1 : 1;
        } else {
          const auto& x = aa.J().get_ref<const std::string&>();
          const auto& y = bb.J().get_ref<const std::string&>();
          if (x == y) continue;
          c = x < y ? -1 : 1;
        }
        if (term.descending) c = -c;
      }
      return c == 1;
    };
    std::vector<size_t> order(n);
    for (size_t i = 0; i < n; ++i) order[i] = i;
    MergeSortIndices(order, comp);
    Value out = tuples ? NewTupleStream() : NewSeq();
    if (!tuples) out.seq = false;
    for (size_t i : order) {
      if (tuples) {
        out.arr->tuples.push_back(ts[i]);
      } else {
        Push(out, vals[i]);
      }
    }
    return out;
  }

 private:
  [[gnu::noinline]] Value Binary(const internal::Node& n, const Value& input, const EnvP& env) {
    const std::string& op = n.s;
    Value l = ev_.Eval(n.lhs, input, env);
    if (op == "and") return Bool(Truthy(l) && Truthy(ev_.Eval(n.rhs, input, env)));
    if (op == "or") return Bool(Truthy(l) || Truthy(ev_.Eval(n.rhs, input, env)));
    Value r = ev_.Eval(n.rhs, input, env);
    switch (op[0]) {
      case '+':
      case '-':
      case '*':
      case '/':
      case '%':
        return Arith(op, l, r, n.pos);
      case '&': {
        std::string s = l.undef() ? "" : ToStr(l, n.pos);
        s += r.undef() ? "" : ToStr(r, n.pos);
        return Str(std::move(s));
      }
      case '.':
        return Range(l, r, n.pos);
      default:
        break;
    }
    if (op == "=" || op == "!=") {
      if (l.undef() || r.undef()) return Bool(false);
      bool eq = DeepEqV(l, r);
      return Bool(op == "=" ? eq : !eq);
    }
    if (op == "in") return Includes(l, r);
    return Compare(op, l, r, n.pos);
  }

  [[gnu::noinline]] Value Array(const internal::Node& n, const Value& input, const EnvP& env) {
    Value result = NewSeq();
    result.seq = false;
    for (const auto& item : n.items) {
      Value v = ev_.Eval(item, input, env);
      if (v.undef()) continue;
      if (item->k == NK::kArray) {
        Push(result, std::move(v));
      } else if (IsArr(v)) {
        if (n.items.size() == 1 && (v.ref || (v.arr && v.arr->numeric))) {  // share (e.g. a range)
          v.seq = v.keep = v.outer = false;
          v.cons = n.cons_array;
          return v;
        }
        size_t m = Len(v);
        for (size_t j = 0; j < m; ++j) Push(result, At(v, j));
      } else {
        Push(result, std::move(v));
      }
    }
    result.cons = n.cons_array;
    return result;
  }

  [[gnu::noinline]] Value Lambda(const NodeP& np, const Value& input, const EnvP& env) {
    auto fn = std::make_shared<Fn>();
    fn->lambda = np;
    fn->closure = env;
    fn->input = input;
    fn->params = np->params;
    fn->sig = np->sig;
    fn->body = np->body;
    fn->thunk = np->thunk;
    return FnValue(std::move(fn));
  }

  [[gnu::noinline]] Value Function(const internal::Node& n, const Value& input, const EnvP& env,
                                   const Value* applyto) {
    Value proc = ev_.Eval(n.proc, input, env);
    if (proc.undef() && n.proc->k == NK::kPath && n.proc->steps()[0]->k == NK::kName &&
        env->Find(n.proc->steps()[0]->s))
      Throw("T1005",
            "Attempted to invoke a non-function. Did you mean $" + n.proc->steps()[0]->s + "?",
            n.pos);
    std::vector<Value> args;
    if (applyto) args.push_back(*applyto);
    for (const auto& a : n.items) args.push_back(ev_.Eval(a, input, env));
    try {
      return Apply(proc, std::move(args), input, n.pos);
    } catch (JErr& e) {
      // As in jsonata-js, errors raised while applying a function report the call's position.
      if (e.pos < 0 || proc.k == Value::K::kFn) e.pos = n.pos;
      throw;
    }
  }

  [[gnu::noinline]] Value Partial(const internal::Node& n, const Value& input, const EnvP& env) {
    std::vector<Value> args;
    std::vector<bool> holes;
    for (const auto& a : n.items) {
      bool hole = a->k == NK::kPlaceholder;
      holes.push_back(hole);
      args.push_back(hole ? Undef() : ev_.Eval(a, input, env));
    }
    Value proc = ev_.Eval(n.proc, input, env);
    if (proc.undef() && n.proc->k == NK::kPath && n.proc->steps()[0]->k == NK::kName &&
        env->Find(n.proc->steps()[0]->s))
      Throw("T1007",
            "Attempted to partially apply a non-function. Did you mean $" + n.proc->steps()[0]->s +
                "?",
            n.pos);
    if (proc.k != Value::K::kFn)
      Throw("T1008", "Attempted to partially apply a non-function", n.pos);
    const Fn& f = *proc.fn;
    auto fn = std::make_shared<Fn>();
    if (!f.builtin) {
      fn->closure = Frame(f.closure);
      for (size_t i = 0; i < f.params.size(); ++i) {
        if (i < holes.size() && holes[i]) {
          fn->params.push_back(f.params[i]);
        } else {
          fn->closure->vars[f.params[i]] = i < args.size() ? args[i] : Undef();
        }
      }
      fn->lambda = f.lambda;
      fn->input = f.input;
      fn->body = f.body;
      return FnValue(std::move(fn));
    }
    int count = 0;
    for (bool h : holes) count += h ? 1 : 0;
    fn->name = f.name;
    fn->native = true;
    fn->arity = count;
    fn->builtin = [proc, holes, args](Evaluator& ev, std::vector<Value>& call_args,
                                      const Value& ctx, int64_t pos) {
      std::vector<Value> full = args;
      size_t next = 0;
      for (size_t i = 0; i < holes.size(); ++i) {
        if (holes[i]) full[i] = next < call_args.size() ? call_args[next++] : Undef();
      }
      return ev.Call(proc, std::move(full), ctx, pos);
    };
    return FnValue(std::move(fn));
  }

  [[gnu::noinline]] Value ApplyExpr(const internal::Node& n, const Value& input, const EnvP& env) {
    Value lhs = ev_.Eval(n.lhs, input, env);
    if (n.rhs->k == NK::kCall) return Function(*n.rhs, input, env, &lhs);
    Value func = ev_.Eval(n.rhs, input, env);
    if (!IsFunc(func))
      Throw("T2006", "The right side of the function application operator ~> must be a function",
            n.pos);
    if (IsFunc(lhs)) {
      static const NodeP kChain = ParseText("function($f, $g) { function($x){ $g($f($x)) } }");
      Value chain = ev_.Eval(kChain, Undef(), env);
      return Apply(chain, {lhs, func}, Undef(), n.pos);
    }
    return Apply(func, {lhs}, Undef(), n.pos);
  }

  [[gnu::noinline]] Value Transform(const NodeP& np, const EnvP& env) {
    auto fn = std::make_shared<Fn>();
    fn->name = "transform";
    fn->native = true;
    fn->arity = 1;
    static const SigP kSig = ParseSignature("<(oa):o>");
    fn->sig = kSig;
    fn->builtin = [np, env](Evaluator& ev, std::vector<Value>& args, const Value&, int64_t) {
      return Machine(ev).RunTransform(*np, args.empty() ? Undef() : args[0], env);
    };
    return FnValue(std::move(fn));
  }

 public:
  [[gnu::noinline]] Value RunTransform(const internal::Node& n, const Value& obj, const EnvP& env) {
    if (obj.undef()) return Undef();
    const Value* clone_fn = env->Find("clone");
    if (!clone_fn || !IsFunc(*clone_fn))
      Throw("T2013",
            "The transform expression clones the input object using the $clone() function.  This "
            "has been overridden in the current scope by a non-function.",
            n.pos);
    Value cloned = Apply(*clone_fn, {obj}, Undef(), n.pos);
    // The clone is a fresh tree this transform owns; matches are found by identity inside it.
    auto root = std::make_shared<Json>(ToJson(cloned));
    Value result;
    result.k = Value::K::kJson;
    if (root->is_array() || root->is_object()) {
      result.ref = root;
    } else {
      result = FromJson(*root);
    }
    Value matches = ev_.Eval(n.pattern, result, env);
    if (matches.undef()) return result;
    std::vector<Value> items = IsArr(matches) ? ValItems(matches) : std::vector<Value>{matches};
    std::vector<Json::object_t*> targets;
    for (const auto& m : items) {
      bool inside = IsObj(m) && m.ref && !m.ref.owner_before(root) && !root.owner_before(m.ref);
      targets.push_back(
          inside ? const_cast<Json::object_t*>(&m.J().get_ref<const Json::object_t&>()) : nullptr);
    }
    std::vector<Json> graveyard;  // replaced values stay alive, as detached JS objects do
    for (size_t i = 0; i < items.size(); ++i) {
      Json::object_t* target = targets[i];
      Value match = target ? FromJson(Json(*target)) : items[i];
      Value update = ev_.Eval(n.update, match, env);
      if (!update.undef()) {
        if (!IsObj(update))
          Throw("T2011",
                "The insert/update clause of the transform expression must evaluate to an object",
                n.update->pos);
        if (target) {
          for (const auto& [k, v] : update.J().items()) {
            auto it = target->find(k);
            if (it != target->end()) {
              graveyard.push_back(std::move(it->second));
              it->second = v;
            } else {
              (*target)[k] = v;
            }
          }
        }
      }
      if (!n.del) continue;
      Value deletions = ev_.Eval(n.del, match, env);
      if (deletions.undef()) continue;
      std::vector<Value> names =
          IsArr(deletions) ? ValItems(deletions) : std::vector<Value>{deletions};
      for (const auto& name : names) {
        if (!IsStr(name))
          Throw("T2012",
                "The delete clause of the transform expression must evaluate to a string or array "
                "of strings",
                n.del->pos);
      }
      if (!target) continue;
      for (const auto& name : names) {
        auto it = target->find(name.J().get_ref<const std::string&>());
        if (it == target->end()) continue;
        graveyard.push_back(std::move(it->second));
        target->erase(it);
      }
    }
    return result;
  }

  Value ApplyInner(const Value& proc, std::vector<Value> args, const Value& input, int64_t pos) {
    if (proc.k == Value::K::kRegex) return RegexCall(proc, args);
    if (proc.k != Value::K::kFn) Throw("T1006", "Attempted to invoke a non-function", pos);
    const Fn& fn = *proc.fn;
    if (fn.sig) {
      args = Validate(*fn.sig, args, input, fn.name, pos);
    } else if (fn.builtin) {
      LegacyArity(fn, args, input, pos);
    }
    if (!fn.builtin) return ApplyLambda(fn, args);
    return CallBuiltin(fn, args, input, pos);
  }

 private:
  [[gnu::noinline]] Value ApplyLambda(const Fn& fn, const std::vector<Value>& args) {
    EnvP env = Frame(fn.closure);
    for (size_t i = 0; i < fn.params.size(); ++i)
      env->vars[fn.params[i]] = i < args.size() ? args[i] : Undef();
    return ev_.Eval(fn.body, fn.input, env);
  }

  [[gnu::noinline]] Value CallBuiltin(const Fn& fn, std::vector<Value>& args, const Value& input,
                                      int64_t pos) {
    if (fn.native) return fn.builtin(ev_, args, input, pos);
    Materialize(args);
    return Normalize(fn.builtin(ev_, args, input, pos));
  }

  static void LegacyArity(const Fn& fn, std::vector<Value>& args, const Value& input, int64_t pos) {
    auto count = static_cast<int>(args.size());
    if (fn.context_arg && count < fn.required) args.insert(args.begin(), input);
    count = static_cast<int>(args.size());
    if (count < fn.required) BadSignature(fn.name, args.size(), pos);
    if (fn.max_args >= 0 && count > fn.max_args)
      BadSignature(fn.name, static_cast<size_t>(fn.max_args), pos);
  }

  // Invoking a regex directly returns jsonata-js's match structure for the first match.
  static Value RegexCall(const Value& proc, const std::vector<Value>& args) {
    if (args.empty() || !IsStr(args[0])) return Undef();
    const std::string& s = args[0].J().get_ref<const std::string&>();
    std::smatch m;
    if (!std::regex_search(s, m, PickRegex(*proc.re, s.size()))) return Undef();
    Json groups = Json::array();
    for (size_t g = 1; g < m.size(); ++g) groups.push_back(m[g].str());
    auto start = static_cast<int64_t>(m.position(0));
    return FromJson(Json{{"match", m[0].str()},
                         {"start", start},
                         {"end", start + static_cast<int64_t>(m.length(0))},
                         {"groups", groups}});
  }

  Evaluator& ev_;
};

}  // namespace

void Evaluator::Tick() {
  if ((++steps & 1023) != 0) return;
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - start)
                     .count();
  if (elapsed > limits.time_limit_ms)
    Throw("U1001", "Expression evaluation timeout: Check for infinite loop", -1);
}

int64_t Evaluator::NowMs() {
  if (!now_ms) {
    now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  }
  return *now_ms;
}

Random& Evaluator::Rng() {
  if (random) return *random;
  thread_local SeededRandom fallback{[] {
    std::random_device device;
    return (uint64_t{device()} << 32) | device();
  }()};
  return fallback;
}

Value Evaluator::Eval(const NodeP& n, const Value& ctx, const EnvP& env) {
  Value result;
  {
    DepthGuard guard(*this);
    Machine m(*this);
    result = m.Dispatch(n, ctx, env);
    for (const auto& st : n->predicate) result = m.Filter(st.expr, result, env);
    if (n->k != NK::kPath && n->group)
      result = m.Group(n->group->pairs, n->group->pos, result, env);
  }
  if (result.seq && !result.tuple && IsArr(result)) {
    if (n->keep_array) result.keep = true;
    size_t len = Len(result);
    if (len == 0) return Undef();
    if (len == 1 && !result.keep) return At(result, 0);
  }
  return result;
}

Value Evaluator::Call(const Value& fn, std::vector<Value> args, const Value& ctx, int64_t pos) {
  return Machine(*this).Apply(fn, std::move(args), ctx, pos);
}

}  // namespace internal

struct Expression::Impl {
  internal::NodeP root;
};

Result<Expression, Error> Expression::Parse(std::string_view text) {
  try {
    auto impl = std::make_shared<Impl>();
    impl->root = internal::ParseText(text);
    Expression e;
    e.impl_ = std::move(impl);
    return e;
  } catch (const internal::JErr& e) {
    return Fail(Error{e.code, e.message, e.pos});
  }
}

namespace {

// The function library: built once, immutable, shared by every evaluation.
const internal::EnvP& Library() {
  static const internal::EnvP env = [] {
    auto e = std::make_shared<internal::Env>();
    internal::InstallBuiltins(*e);
    return e;
  }();
  return env;
}

Result<Outcome, Error> EvaluateTree(const internal::NodeP& root, const Json* input,
                                    const Json& bindings, const Environment& env, Json* result,
                                    const Limits& limits) {
  using internal::Value;
  internal::Evaluator ev;
  ev.limits = limits;
  ev.now_ms = env.now_ms;
  ev.random = env.random;
  ev.stack_floor = internal::StackFloor();
  struct Current {
    explicit Current(internal::Evaluator* e) : saved(internal::CurrentEvaluator()) {
      internal::CurrentEvaluator() = e;
    }
    ~Current() { internal::CurrentEvaluator() = saved; }
    internal::Evaluator* saved;
  } current(&ev);
  try {
    auto scope = std::make_shared<internal::Env>();
    scope->parent = Library();
    if (bindings.is_object()) {
      for (const auto& [k, v] : bindings.items()) scope->vars[k] = internal::FromJson(v);
    }
    Value in;
    if (input) {
      if (input->is_array() || input->is_object()) {
        in.k = Value::K::kJson;
        in.ref = std::shared_ptr<const Json>(std::shared_ptr<const Json>(), input);
      } else {
        in = Value::Of(*input);
      }
    }
    scope->vars["$"] = in;
    if (input && input->is_array()) {
      Value wrap = internal::NewSeq();
      internal::Push(wrap, in);
      wrap.outer = true;
      in = wrap;
    }
    ev.root = in;
    Value r = ev.Eval(root, in, scope);
    if (internal::IsFunc(r)) return Outcome::kFunction;
    if (!r.json()) return Outcome::kUndefined;
    Json out = internal::ToJson(r);
    internal::Sanitize(out);
    *result = std::move(out);
    return Outcome::kValue;
  } catch (const internal::JErr& e) {
    return Fail(Error{e.code, e.message, e.pos});
  } catch (const nlohmann::json::exception& e) {
    return Fail(Error{"D3001", e.what(), -1});
  } catch (const std::bad_alloc&) {
    return Fail(Error{"U1001", "Expression evaluation exhausted memory", -1});
  } catch (const std::length_error&) {
    return Fail(Error{"U1001", "Expression evaluation exhausted memory", -1});
  }
}

// The optional-JSON form of the older entry points: a function result is undefined there.
Result<std::optional<Json>, Error> EvaluateOptional(const internal::NodeP& root, const Json* input,
                                                    const Json& bindings, const Limits& limits) {
  Json out;
  auto r = EvaluateTree(root, input, bindings, Environment(), &out, limits);
  if (!r.ok()) return Fail(std::move(r).error());
  if (r.value() != Outcome::kValue) return std::optional<Json>();
  return std::optional<Json>(std::move(out));
}

}  // namespace

Result<Outcome, Error> Expression::Run(const Json* input, const Json& bindings,
                                       const Environment& env, Json* result,
                                       const Limits& limits) const {
  return EvaluateTree(impl_->root, input, bindings, env, result, limits);
}

Result<std::optional<Json>, Error> Expression::Evaluate(const Json& input,
                                                        const Json& bindings) const {
  return EvaluateOptional(impl_->root, &input, bindings, Limits());
}

Result<std::optional<Json>, Error> Expression::EvaluateUndefined(const Json& bindings) const {
  return EvaluateOptional(impl_->root, nullptr, bindings, Limits());
}

Result<std::optional<Json>, Error> Expression::Evaluate(const Json& input, const Json& bindings,
                                                        const Limits& limits) const {
  return EvaluateOptional(impl_->root, &input, bindings, limits);
}

Result<std::optional<Json>, Error> Expression::EvaluateUndefined(const Json& bindings,
                                                                 const Limits& limits) const {
  return EvaluateOptional(impl_->root, nullptr, bindings, limits);
}

}  // namespace sluice::asl::jsonata
