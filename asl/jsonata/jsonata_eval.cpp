// JSONata evaluator: sequence semantics, paths, operators and the public API.
#include "asl/jsonata/jsonata_eval.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "asl/jsonata/jsonata.h"

namespace sluice::asl::jsonata {
namespace internal {
namespace {

constexpr int kMaxDepth = 300;

struct DepthGuard {
  explicit DepthGuard(Evaluator& e, int64_t pos) : e_(e) {
    if (++e_.depth > kMaxDepth) {
      --e_.depth;
      Throw("U1001",
            "Stack overflow error: Check for non-terminating recursive function.  Consider "
            "rewriting as tail-recursive.",
            pos);
    }
  }
  ~DepthGuard() { --e_.depth; }
  Evaluator& e_;
};

// Appends a step result to a path sequence, flattening arrays one level.
void PushFlat(std::vector<Json>& out, const Value& r) {
  if (!r.json()) return;
  if (r.j.is_array() && !r.cons) {
    for (const auto& x : r.j) out.push_back(x);
  } else {
    out.push_back(r.j);
  }
}

void Lookup(const Json& c, const std::string& name, std::vector<Json>& out) {
  if (c.is_array()) {
    for (const auto& x : c) Lookup(x, name, out);
  } else if (c.is_object()) {
    auto it = c.find(name);
    if (it == c.end()) return;
    if (it->is_array()) {
      for (const auto& x : *it) out.push_back(x);
    } else {
      out.push_back(*it);
    }
  }
}

void Descend(const Json& c, std::vector<Json>& out) {
  if (c.is_array()) {
    for (const auto& x : c) Descend(x, out);
    return;
  }
  out.push_back(c);
  if (c.is_object()) {
    for (const auto& [k, x] : c.items()) Descend(x, out);
  }
}

double AsNum(const Value& v, const char* code, const std::string& op, int64_t pos) {
  if (!IsNum(v)) {
    Throw(code,
          std::string("The ") + (code[4] == '1' ? "left" : "right") + " side of the \"" + op +
              "\" operator must evaluate to a number",
          pos);
  }
  return v.j.get<double>();
}

Value Arith(const std::string& op, const Value& l, const Value& r, int64_t pos) {
  if (!l.undef() && !IsNum(l)) AsNum(l, "T2001", op, pos);
  if (!r.undef() && !IsNum(r)) AsNum(r, "T2002", op, pos);
  if (l.undef() || r.undef()) return Undef();
  double a = l.j.get<double>(), b = r.j.get<double>();
  double x = 0;
  if (op == "+") x = a + b;
  if (op == "-") x = a - b;
  if (op == "*") x = a * b;
  if (op == "/") x = a / b;
  if (op == "%") x = std::fmod(a, b);
  if (!std::isfinite(x)) Throw("D1001", "Number out of range", pos);
  return Num(x);
}

Value Compare(const std::string& op, const Value& l, const Value& r, int64_t pos) {
  bool lok = IsNum(l) || IsStr(l), rok = IsNum(r) || IsStr(r);
  if ((!l.undef() && !lok) || (!r.undef() && !rok)) {
    Throw("T2010",
          "The expressions either side of operator \"" + op +
              "\" must evaluate to numbers or strings",
          pos);
  }
  if (l.undef() || r.undef()) return Undef();
  if (IsNum(l) != IsNum(r)) {
    Throw("T2009",
          "The values either side of the operator \"" + op + "\" must be of the same data type",
          pos);
  }
  int c;
  if (IsNum(l)) {
    double a = l.j.get<double>(), b = r.j.get<double>();
    c = a < b ? -1 : (a > b ? 1 : 0);
  } else {
    c = l.j.get<std::string>().compare(r.j.get<std::string>());
  }
  if (op == "<") return Bool(c < 0);
  if (op == "<=") return Bool(c <= 0);
  if (op == ">") return Bool(c > 0);
  return Bool(c >= 0);
}

Value Range(const Value& l, const Value& r, int64_t pos) {
  auto check = [&](const Value& v, const char* code, const char* side) {
    if (v.undef()) return;
    if (!IsNum(v) || std::floor(v.j.get<double>()) != v.j.get<double>()) {
      Throw(code,
            std::string("The ") + side +
                " side of the range operator (..) must evaluate to an integer",
            pos);
    }
  };
  check(l, "T2003", "left");
  check(r, "T2004", "right");
  if (l.undef() || r.undef()) return Undef();
  double a = l.j.get<double>(), b = r.j.get<double>();
  if (b - a > 1e7)
    Throw("D2014",
          "The size of the sequence allocated by the range operator (..) must not exceed 1e7.",
          pos);
  Json arr = Json::array();
  arr.get_ref<Json::array_t&>().reserve(b >= a ? static_cast<size_t>(b - a + 1) : 0);
  for (double x = a; x <= b; x += 1) arr.push_back(MakeNum(x));
  Value v = Value::Of(std::move(arr));
  v.seq = true;
  return v;
}

bool SortLess(const Json& a, const Json& b, int64_t pos) {
  if (a.is_number() && b.is_number()) return a.get<double>() < b.get<double>();
  if (a.is_string() && b.is_string()) return a.get<std::string>() < b.get<std::string>();
  Throw("T2008",
        "The expressions within an order-by clause must evaluate to numeric or string values", pos);
}

}  // namespace

// Partial application: a function of the `?` placeholders, in order.
Value Partial(const Value& f, const NodeP& call, std::vector<Value> bound) {
  if (f.k != Value::K::kFn)
    Throw("T1008", "Attempted to partially apply a non-function", call->pos);
  auto fn = std::make_shared<Fn>();
  int holes = 0;
  for (const auto& a : call->v) holes += a->k == NK::kPlaceholder ? 1 : 0;
  fn->required = holes;
  fn->name = "partial";
  fn->builtin = [f, call, bound](Evaluator& ev, std::vector<Value>& args, const Value& ctx,
                                 int64_t pos) {
    std::vector<Value> full = bound;
    size_t next = 0;
    for (size_t i = 0; i < call->v.size(); ++i) {
      if (call->v[i]->k == NK::kPlaceholder) full[i] = next < args.size() ? args[next++] : Undef();
    }
    return ev.Call(f, std::move(full), ctx, pos);
  };
  Value v;
  v.k = Value::K::kFn;
  v.fn = fn;
  return v;
}

Value Evaluator::Eval(const NodeP& n, const Value& ctx, const EnvP& env) {
  switch (n->k) {
    case NK::kLit:
      return Value::Of(n->lit);
    case NK::kPlaceholder:
      Throw("S0000", "Unexpected placeholder", n->pos);
    case NK::kRegex: {
      Value v;
      v.k = Value::K::kRegex;
      v.re = n->re;
      return v;
    }
    case NK::kName: {
      if (ctx.json() && ctx.j.is_object()) {
        // A single object yields the raw value, so a stored array stays an array.
        auto it = ctx.j.find(n->s);
        return it == ctx.j.end() ? Undef() : Value::Of(*it);
      }
      std::vector<Json> out;
      if (ctx.json()) Lookup(ctx.j, n->s, out);
      return Finalize(std::move(out), false);
    }
    case NK::kVar: {
      if (n->s.empty()) return ctx;
      if (n->s == "$") return root;
      const Value* v = env->Find(n->s);
      return v ? *v : Undef();
    }
    case NK::kWildcard: {
      std::vector<Json> out;
      if (!ctx.json()) return Undef();
      std::vector<Json> in =
          ctx.j.is_array() ? ctx.j.get<std::vector<Json>>() : std::vector<Json>{ctx.j};
      for (const auto& c : in) {
        if (!c.is_object()) continue;
        for (const auto& [k, x] : c.items()) {
          if (x.is_array()) {
            for (const auto& y : x) out.push_back(y);
          } else {
            out.push_back(x);
          }
        }
      }
      return Finalize(std::move(out), false);
    }
    case NK::kDescendant: {
      std::vector<Json> out;
      if (ctx.json()) Descend(ctx.j, out);
      return Finalize(std::move(out), false);
    }
    case NK::kPath: {
      Value l = Eval(n->a, ctx, env);
      if (l.undef()) return Undef();
      std::vector<Json> in;
      if (l.json() && l.j.is_array()) {
        in = l.j.get<std::vector<Json>>();
      } else if (l.json()) {
        in.push_back(l.j);
      }
      std::vector<Json> out;
      bool keep = l.keep;
      for (const auto& item : in) {
        Value r = Eval(n->b, Value::Of(item), env);
        keep = keep || r.keep;
        if (r.k == Value::K::kFn && in.size() == 1 && n->b->k != NK::kName) return r;
        // A lone context producing a stored (non-sequence) array keeps it as an array.
        if (in.size() == 1 && r.json() && r.j.is_array() && !r.seq && !r.cons) {
          r.keep = r.keep || keep;
          return r;
        }
        PushFlat(out, r);
      }
      return Finalize(std::move(out), keep);
    }
    case NK::kFilter: {
      Value l = Eval(n->a, ctx, env);
      if (!n->b) {
        if (l.undef()) return l;
        if (l.cons) {  // a constructed array is one item of the step
          l.keep = true;
          return l;
        }
        Value r = Finalize(Items(l), true);
        r.keep = true;
        return r;
      }
      std::vector<Json> items = Items(l);
      std::vector<Json> out;
      int64_t count = static_cast<int64_t>(items.size());
      auto index_match = [&](double d, int64_t i) {
        int64_t idx = static_cast<int64_t>(std::floor(d));
        if (idx < 0) idx += count;
        return idx == i;
      };
      for (int64_t i = 0; i < count; ++i) {
        Value r = Eval(n->b, Value::Of(items[i]), env);
        bool take = false;
        if (IsNum(r)) {
          take = index_match(r.j.get<double>(), i);
        } else if (IsArr(r) && !r.j.empty() &&
                   std::all_of(r.j.begin(), r.j.end(),
                               [](const Json& x) { return x.is_number(); })) {
          for (const auto& x : r.j) take = take || index_match(x.get<double>(), i);
        } else {
          take = Truthy(r);
        }
        if (take) out.push_back(items[i]);
      }
      return Finalize(std::move(out), l.keep);
    }
    case NK::kBinary: {
      const std::string& op = n->s;
      if (op == "and") {
        if (!Truthy(Eval(n->a, ctx, env))) return Bool(false);
        return Bool(Truthy(Eval(n->b, ctx, env)));
      }
      if (op == "or") {
        if (Truthy(Eval(n->a, ctx, env))) return Bool(true);
        return Bool(Truthy(Eval(n->b, ctx, env)));
      }
      Value l = Eval(n->a, ctx, env);
      Value r = Eval(n->b, ctx, env);
      if (op == "+" || op == "-" || op == "*" || op == "/" || op == "%")
        return Arith(op, l, r, n->pos);
      if (op == "=" || op == "!=") {
        if (l.undef() || r.undef()) return Bool(false);
        bool eq = l.json() && r.json() && DeepEq(l.j, r.j);
        return Bool(op == "=" ? eq : !eq);
      }
      if (op == "<" || op == "<=" || op == ">" || op == ">=") return Compare(op, l, r, n->pos);
      if (op == "&") {
        std::string s = l.undef() ? "" : ToStr(l, n->pos);
        s += r.undef() ? "" : ToStr(r, n->pos);
        return Str(std::move(s));
      }
      if (op == "..") return Range(l, r, n->pos);
      if (op == "in") {
        if (l.undef() || r.undef()) return Bool(false);
        for (const auto& x : Items(r)) {
          if (DeepEq(x, l.j)) return Bool(true);
        }
        return Bool(false);
      }
      Throw("S0201", "Syntax error: \"" + op + "\"", n->pos);
    }
    case NK::kNeg: {
      Value v = Eval(n->a, ctx, env);
      if (v.undef()) return v;
      if (!IsNum(v)) Throw("D1002", "Cannot negate a non-numeric value", n->pos);
      return Num(-v.j.get<double>());
    }
    case NK::kArray: {
      Json arr = Json::array();
      for (const auto& item : n->v) {
        Value r = Eval(item, ctx, env);
        if (!r.json()) continue;
        if (item->k == NK::kArray || !r.j.is_array()) {
          arr.push_back(std::move(r.j));
        } else if (arr.empty()) {
          arr = std::move(r.j);
        } else {
          for (auto& x : r.j) arr.push_back(std::move(x));
        }
      }
      Value v = Value::Of(std::move(arr));
      v.cons = true;
      return v;
    }
    case NK::kObject: {
      std::vector<Json> items;
      if (n->a) {
        items = Items(Eval(n->a, ctx, env));
      } else if (ctx.json()) {
        items = ctx.j.is_array() ? ctx.j.get<std::vector<Json>>() : std::vector<Json>{ctx.j};
      } else {
        items.push_back(Json());  // a placeholder so constant objects still evaluate
      }
      bool no_ctx = !n->a && !ctx.json();
      // Group items by key, remembering which pair produced the key.
      std::vector<std::string> order;
      std::map<std::string, std::pair<size_t, std::vector<Json>>> groups;
      for (const auto& item : items) {
        Value ictx = no_ctx ? Undef() : Value::Of(item);
        for (size_t p = 0; p < n->kv.size(); ++p) {
          Value k = Eval(n->kv[p].first, ictx, env);
          if (k.undef()) continue;
          if (!IsStr(k))
            Throw("T1003",
                  "Key in object structure must evaluate to a string; got: " +
                      (k.json() ? k.j.dump() : std::string("function")),
                  n->pos);
          std::string key = k.j.get<std::string>();
          auto it = groups.find(key);
          if (it == groups.end()) {
            order.push_back(key);
            groups[key] = {p, {item}};
          } else {
            if (it->second.first != p)
              Throw("D1009", "Multiple key definitions evaluate to same key: \"" + key + "\"",
                    n->pos);
            it->second.second.push_back(item);
          }
        }
      }
      Json obj = Json::object();
      for (const auto& key : order) {
        auto& [p, group] = groups[key];
        Value gctx = no_ctx ? Undef() : Finalize(group, false);
        Value r = Eval(n->kv[p].second, gctx, env);
        if (r.json()) obj[key] = r.j;
      }
      return Value::Of(std::move(obj));
    }
    case NK::kCond: {
      if (Truthy(Eval(n->a, ctx, env))) return Eval(n->b, ctx, env);
      return n->c ? Eval(n->c, ctx, env) : Undef();
    }
    case NK::kBind: {
      Value v = Eval(n->a, ctx, env);
      env->vars[n->s] = v;
      return v;
    }
    case NK::kBlock: {
      auto child = std::make_shared<Env>();
      child->parent = env;
      Value last;
      for (const auto& e : n->v) last = Eval(e, ctx, child);
      return last;
    }
    case NK::kLambda: {
      auto fn = std::make_shared<Fn>();
      fn->lambda = n;
      fn->closure = env;
      if (ctx.json()) fn->closure_ctx = std::make_shared<Json>(ctx.j);
      Value v;
      v.k = Value::K::kFn;
      v.fn = fn;
      return v;
    }
    case NK::kCall: {
      Value f = Eval(n->a, ctx, env);
      std::vector<Value> args;
      bool partial = false;
      for (const auto& a : n->v) {
        partial = partial || a->k == NK::kPlaceholder;
        args.push_back(a->k == NK::kPlaceholder ? Undef() : Eval(a, ctx, env));
      }
      if (partial) return Partial(f, n, std::move(args));
      if (f.k != Value::K::kFn) {
        std::string name = n->a->k == NK::kVar ? n->a->s : "";
        Throw("T1006",
              "Attempted to invoke a non-function" + (name.empty() ? std::string() : ": $" + name),
              n->pos);
      }
      return Call(f, std::move(args), ctx, n->pos);
    }
    case NK::kChain: {
      Value l = Eval(n->a, ctx, env);
      if (n->b->k == NK::kCall) {
        Value f = Eval(n->b->a, ctx, env);
        if (f.k != Value::K::kFn)
          Throw("T2006",
                "The right side of the function application operator ~> must be a function",
                n->pos);
        std::vector<Value> args{l};
        for (const auto& a : n->b->v) args.push_back(Eval(a, ctx, env));
        return Call(f, std::move(args), ctx, n->pos);
      }
      Value f = Eval(n->b, ctx, env);
      if (f.k != Value::K::kFn)
        Throw("T2006", "The right side of the function application operator ~> must be a function",
              n->pos);
      return Call(f, {l}, ctx, n->pos);
    }
    case NK::kSort: {
      Value l = Eval(n->a, ctx, env);
      std::vector<Json> items = Items(l);
      std::vector<std::vector<Value>> keys;
      for (const auto& item : items) {
        std::vector<Value> ks;
        for (const auto& term : n->v) ks.push_back(Eval(term, Value::Of(item), env));
        keys.push_back(std::move(ks));
      }
      std::vector<size_t> idx(items.size());
      for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
      std::stable_sort(idx.begin(), idx.end(), [&](size_t x, size_t y) {
        for (size_t t = 0; t < n->v.size(); ++t) {
          const Value& a = keys[x][t];
          const Value& b = keys[y][t];
          if (a.undef() && b.undef()) continue;
          if (a.undef()) return false;
          if (b.undef()) return true;
          bool less = SortLess(a.j, b.j, n->pos), greater = SortLess(b.j, a.j, n->pos);
          if (!less && !greater) continue;
          return n->desc[t] ? greater : less;
        }
        return false;
      });
      std::vector<Json> out;
      for (size_t i : idx) out.push_back(items[i]);
      return Finalize(std::move(out), l.keep);
    }
  }
  return Undef();
}

Value Evaluator::Call(const Value& f, std::vector<Value> args, const Value& ctx, int64_t pos) {
  DepthGuard guard(*this, pos);
  const Fn& fn = *f.fn;
  if (fn.builtin) {
    if (fn.context_arg && static_cast<int>(args.size()) < fn.required)
      args.insert(args.begin(), ctx);
    if (!fn.context_arg && static_cast<int>(args.size()) < fn.required) {
      Throw("T0410",
            "Argument " + std::to_string(args.size() + 1) + " of function \"" + fn.name +
                "\" does not match function signature",
            pos);
    }
    if (fn.max_args >= 0 && static_cast<int>(args.size()) > fn.max_args) {
      Throw("T0410",
            "Argument " + std::to_string(fn.max_args + 1) + " of function \"" + fn.name +
                "\" does not match function signature",
            pos);
    }
    return fn.builtin(*this, args, ctx, pos);
  }
  auto env = std::make_shared<Env>();
  env->parent = fn.closure;
  for (size_t i = 0; i < fn.lambda->params.size(); ++i) {
    env->vars[fn.lambda->params[i]] = i < args.size() ? args[i] : Undef();
  }
  // A lambda body sees the context it was defined in, not the caller's.
  Value body_ctx = fn.closure_ctx ? Value::Of(*fn.closure_ctx) : Undef();
  return Eval(fn.lambda->a, body_ctx, env);
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

Result<std::optional<Json>, Error> Run(const internal::NodeP& root, const internal::Value& input,
                                       const Json& bindings) {
  using internal::Value;
  try {
    internal::Evaluator ev;
    ev.root = input;
    // The function library is immutable, so it is built once and shared.
    static const std::shared_ptr<internal::Env> env = [] {
      auto e = std::make_shared<internal::Env>();
      internal::InstallBuiltins(*e);
      return e;
    }();
    auto scope = std::make_shared<internal::Env>();
    scope->parent = env;
    if (bindings.is_object()) {
      for (const auto& [k, v] : bindings.items()) scope->vars[k] = Value::Of(v);
    }
    Value r = ev.Eval(root, input, scope);
    if (!r.json()) return std::optional<Json>();
    return std::optional<Json>(r.j);
  } catch (const internal::JErr& e) {
    return Fail(Error{e.code, e.message, e.pos});
  } catch (const nlohmann::json::exception& e) {
    return Fail(Error{"D3001", e.what(), -1});
  }
}

}  // namespace

Result<std::optional<Json>, Error> Expression::Evaluate(const Json& input,
                                                        const Json& bindings) const {
  internal::Value in = internal::Value::Of(input);
  return Run(impl_->root, in, bindings);
}

Result<std::optional<Json>, Error> Expression::EvaluateUndefined(const Json& bindings) const {
  return Run(impl_->root, internal::Value(), bindings);
}

}  // namespace sluice::asl::jsonata
