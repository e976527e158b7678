// Choice rules (JSONPath mode): compilation with diagnostics, and evaluation with AWS semantics.
//
// A rule compiles into a tree of Impl nodes: comparisons at the leaves, And/Or/Not above them.
// The operator names form a closed table built from families (String, Numeric, Boolean,
// Timestamp, StringMatches and the Is* type tests) and relations (Equals, LessThan, …), each
// comparison family also having a `…Path` form whose operand is read from the input.
#include "asl/choice.h"

#include <algorithm>
#include <cctype>
#include <compare>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "asl/timestamp.h"

namespace sluice::asl {
namespace {

// What kind of value an operator compares, or which type test it performs.
enum class Family {
  kString,         // String{Equals,LessThan,…}: code-unit order of UTF-16, as Java compares
  kNumeric,        // Numeric{Equals,…}: integers and decimals compare by value (1 == 1.0)
  kBoolean,        // BooleanEquals
  kTimestamp,      // Timestamp{Equals,…}: RFC 3339 strings compared as instants
  kStringMatches,  // StringMatches: `*` wildcard, `\*` and `\\` escapes
  kIsNull,         // IsNull
  kIsPresent,      // IsPresent: the only test that tolerates a missing Variable
  kIsNumeric,      // IsNumeric
  kIsString,       // IsString
  kIsBoolean,      // IsBoolean
  kIsTimestamp,    // IsTimestamp: a string that parses as a timestamp
};

enum class Relation {
  kEquals,
  kLessThan,
  kGreaterThan,
  kLessThanEquals,
  kGreaterThanEquals,
};

struct OperatorSpec {
  std::string name;  // e.g. "NumericGreaterThanEqualsPath"
  Family family;
  Relation relation;
  bool path;  // the operand is a path into the input, not a literal
};

std::string_view RelationName(Relation r) {
  switch (r) {
    case Relation::kEquals:
      return "Equals";
    case Relation::kLessThan:
      return "LessThan";
    case Relation::kGreaterThan:
      return "GreaterThan";
    case Relation::kLessThanEquals:
      return "LessThanEquals";
    case Relation::kGreaterThanEquals:
      return "GreaterThanEquals";
  }
  return "";
}

void AddOrdered(std::vector<OperatorSpec>& ops, std::string_view prefix, Family family) {
  for (Relation r : {Relation::kEquals, Relation::kLessThan, Relation::kGreaterThan,
                     Relation::kLessThanEquals, Relation::kGreaterThanEquals}) {
    const std::string name = std::string(prefix) + std::string(RelationName(r));
    ops.push_back({name, family, r, false});
    ops.push_back({name + "Path", family, r, true});
  }
}

const std::vector<OperatorSpec>& Operators() {
  static const std::vector<OperatorSpec> kOperators = [] {
    std::vector<OperatorSpec> ops;
    AddOrdered(ops, "String", Family::kString);
    AddOrdered(ops, "Numeric", Family::kNumeric);
    AddOrdered(ops, "Timestamp", Family::kTimestamp);
    ops.push_back({"BooleanEquals", Family::kBoolean, Relation::kEquals, false});
    ops.push_back({"BooleanEqualsPath", Family::kBoolean, Relation::kEquals, true});
    ops.push_back({"StringMatches", Family::kStringMatches, Relation::kEquals, false});
    ops.push_back({"IsNull", Family::kIsNull, Relation::kEquals, false});
    ops.push_back({"IsPresent", Family::kIsPresent, Relation::kEquals, false});
    ops.push_back({"IsNumeric", Family::kIsNumeric, Relation::kEquals, false});
    ops.push_back({"IsString", Family::kIsString, Relation::kEquals, false});
    ops.push_back({"IsBoolean", Family::kIsBoolean, Relation::kEquals, false});
    ops.push_back({"IsTimestamp", Family::kIsTimestamp, Relation::kEquals, false});
    return ops;
  }();
  return kOperators;
}

const OperatorSpec* FindOperator(std::string_view name) {
  for (const auto& op : Operators()) {
    if (op.name == name) return &op;
  }
  return nullptr;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// The correctly spelled field a misspelled key probably meant, if any.
std::optional<std::string> Suggest(std::string_view key) {
  for (const auto& op : Operators()) {
    if (EqualsIgnoreCase(op.name, key)) return op.name;
  }
  for (std::string_view f : {"Variable", "And", "Or", "Not", "Next", "Assign", "Comment"}) {
    if (EqualsIgnoreCase(f, key)) return std::string(f);
  }
  return std::nullopt;
}

// ---- StringMatches patterns ------------------------------------------------------------------

// A pattern split at its unescaped `*`s: the text matches when it starts with the first piece,
// ends with the last, and holds the middle ones in order in between.
struct Glob {
  std::vector<std::string> pieces;  // pieces.size() == number of stars + 1
};

// `\*` is a literal star and `\\` a literal backslash; any other backslash is itself.
Glob CompileGlob(std::string_view pattern) {
  Glob g;
  g.pieces.emplace_back();
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size() && (pattern[i + 1] == '*' || pattern[i + 1] == '\\')) {
      g.pieces.back() += pattern[++i];
    } else if (c == '*') {
      g.pieces.emplace_back();
    } else {
      g.pieces.back() += c;
    }
  }
  return g;
}

// Byte-wise matching is exact for UTF-8: a valid piece can only match at character boundaries.
bool GlobMatches(const Glob& g, std::string_view text) {
  const auto& first = g.pieces.front();
  if (g.pieces.size() == 1) return text == first;
  const auto& last = g.pieces.back();
  if (text.size() < first.size() + last.size()) return false;
  if (!text.starts_with(first) || !text.ends_with(last)) return false;
  size_t pos = first.size();
  const size_t end = text.size() - last.size();
  for (size_t i = 1; i + 1 < g.pieces.size(); ++i) {
    const auto& piece = g.pieces[i];
    const size_t found = text.substr(0, end).find(piece, pos);
    if (found == std::string_view::npos) return false;
    pos = found + piece.size();
  }
  return true;
}

// ---- value comparisons -----------------------------------------------------------------------

bool Holds(Relation r, std::partial_ordering c) {
  switch (r) {
    case Relation::kEquals:
      return c == 0;
    case Relation::kLessThan:
      return c < 0;
    case Relation::kGreaterThan:
      return c > 0;
    case Relation::kLessThanEquals:
      return c <= 0;
    case Relation::kGreaterThanEquals:
      return c >= 0;
  }
  return false;
}

// Appends the UTF-16 code units of a UTF-8 string (invalid bytes map to themselves).
std::u16string ToUtf16(std::string_view s) {
  std::u16string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    const int len = b < 0x80           ? 1
                    : (b >> 5) == 0x6  ? 2
                    : (b >> 4) == 0xE  ? 3
                    : (b >> 3) == 0x1E ? 4
                                       : 1;
    if (len == 1 || i + len > s.size()) {
      out += static_cast<char16_t>(b);
      ++i;
      continue;
    }
    uint32_t cp = b & (0xFF >> (len + 1));
    for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out += static_cast<char16_t>(0xD800 + (cp >> 10));
      out += static_cast<char16_t>(0xDC00 + (cp & 0x3FF));
    } else {
      out += static_cast<char16_t>(cp);
    }
    i += len;
  }
  return out;
}

// Java's String.compareTo: lexicographic over UTF-16 code units. It differs from UTF-8 byte order
// only between supplementary characters and U+E000..U+FFFF.
std::partial_ordering CompareStrings(const std::string& a, const std::string& b) {
  if (a == b) return std::partial_ordering::equivalent;
  return ToUtf16(a) <=> ToUtf16(b);
}

// Integers compare exactly (also beyond 2^53); anything involving a decimal compares as double.
std::partial_ordering CompareNumbers(const Json& a, const Json& b) {
  if (a.is_number_integer() && b.is_number_integer()) {
    const bool a_neg = a.is_number_unsigned() ? false : a.get<int64_t>() < 0;
    const bool b_neg = b.is_number_unsigned() ? false : b.get<int64_t>() < 0;
    if (a_neg != b_neg) return a_neg ? std::partial_ordering::less : std::partial_ordering::greater;
    if (a_neg) return a.get<int64_t>() <=> b.get<int64_t>();
    return a.get<uint64_t>() <=> b.get<uint64_t>();
  }
  return a.get<double>() <=> b.get<double>();
}

std::optional<int64_t> AsTimestamp(const Json& v) {
  if (!v.is_string()) return std::nullopt;
  return ParseTimestamp(v.get_ref<const std::string&>());
}

AslError InvalidPath(const Path& path) {
  return AslError{std::string(errors::kRuntime),
                  "Invalid path '" + path.text() +
                      "': The choice state's condition path references an invalid value."};
}

enum class RuleKind {
  kComparison,  // Variable <operator> operand
  kAnd,         // all children hold (evaluated in order, stops at the first false)
  kOr,          // some child holds (evaluated in order, stops at the first true)
  kNot,         // the single child does not hold
};

}  // namespace

// ---- the compiled rule -----------------------------------------------------------------------

struct ChoiceRule::Impl {
  RuleKind kind = RuleKind::kComparison;
  // kComparison:
  Path variable;
  const OperatorSpec* op = nullptr;
  Json operand;                      // the literal, or the path text for `…Path` operators
  std::optional<Path> operand_path;  // `…Path` operators
  std::optional<int64_t> timestamp;  // literal Timestamp* operands, parsed once
  Glob glob;                         // StringMatches
  // kAnd / kOr / kNot:
  std::vector<std::shared_ptr<const Impl>> children;
};

namespace {

using Impl = ChoiceRule::Impl;

// ---- compilation -----------------------------------------------------------------------------

class RuleCompiler {
 public:
  explicit RuleCompiler(Diagnostics& diags) : diags_(diags) {}

  std::shared_ptr<Impl> Compile(const Json& rule, const std::string& pointer, bool top_level) {
    if (!rule.is_object()) {
      Report(pointer, "a Choice rule must be a JSON object");
      return nullptr;
    }
    const Fields fields = ScanFields(rule, pointer, top_level);
    if (!CheckOperatorCount(fields.operators, pointer)) return nullptr;
    std::shared_ptr<Impl> impl;
    // With several operators, each one's operand is still checked so that every problem is
    // reported; the rule itself is unusable.
    for (const auto& name : fields.operators) {
      auto node = CompileOperator(rule, pointer, name, fields.variable);
      if (!impl) impl = std::move(node);
    }
    return fields.operators.size() == 1 ? impl : nullptr;
  }

 private:
  struct Fields {
    const Json* variable = nullptr;
    std::vector<std::string> operators;  // And/Or/Not and comparisons, in document order
  };

  // Sorts the rule's keys into Variable and operators, reporting keys that do not belong.
  Fields ScanFields(const Json& rule, const std::string& pointer, bool top_level) {
    Fields fields;
    for (const auto& [key, value] : rule.items()) {
      const std::string at = JoinPointer(pointer, key);
      if (key == "Variable") {
        fields.variable = &value;
      } else if (key == "And" || key == "Or" || key == "Not" || FindOperator(key)) {
        fields.operators.push_back(key);
      } else if (key == "Next" || key == "Assign") {
        if (!top_level) Report(at, key + " is only allowed in a top-level Choice rule");
      } else if (key == "Comment") {
        if (!value.is_string()) Report(at, "Comment must be a string");
      } else {
        UnknownField(at, key);
      }
    }
    return fields;
  }

  // False when the rule has no operator at all (nothing more to check).
  bool CheckOperatorCount(const std::vector<std::string>& operators, const std::string& pointer) {
    if (operators.empty()) {
      Report(pointer,
             "a Choice rule needs one operator: And, Or, Not, or a comparison such as "
             "StringEquals with a Variable");
      return false;
    }
    if (operators.size() > 1) {
      std::string list;
      for (const auto& o : operators) list += (list.empty() ? "'" : ", '") + o + "'";
      Report(pointer, "a Choice rule has exactly one operator, found " +
                          std::to_string(operators.size()) + ": " + list);
    }
    return true;
  }

  void Report(const std::string& pointer, std::string message) {
    diags_.push_back({pointer, std::move(message)});
  }

  void UnknownField(const std::string& at, const std::string& key) {
    std::string message = "unknown field '" + key + "' in a Choice rule";
    if (auto s = Suggest(key)) message += " (did you mean '" + *s + "'?)";
    Report(at, std::move(message));
  }

  std::shared_ptr<Impl> CompileOperator(const Json& rule, const std::string& pointer,
                                        const std::string& name, const Json* variable) {
    const std::string at = JoinPointer(pointer, name);
    if (name == "And" || name == "Or" || name == "Not") {
      if (variable) {
        Report(JoinPointer(pointer, "Variable"), "Variable is not allowed with " + name);
      }
      return name == "Not" ? CompileNot(rule.at(name), at) : CompileList(rule.at(name), at, name);
    }
    const OperatorSpec& op = *FindOperator(name);
    auto impl = std::make_shared<Impl>();
    impl->op = &op;
    if (!variable) {
      Report(pointer, "a Choice rule with " + name + " needs a Variable");
    } else if (auto path = CompilePath(*variable, JoinPointer(pointer, "Variable"))) {
      impl->variable = *path;
    }
    const bool operand_ok = CompileOperand(rule.at(name), at, *impl);
    return variable && operand_ok ? impl : nullptr;
  }

  std::shared_ptr<Impl> CompileList(const Json& list, const std::string& at,
                                    const std::string& name) {
    if (!list.is_array() || list.empty()) {
      Report(at, name + " must be a non-empty array of Choice rules");
      return nullptr;
    }
    auto impl = std::make_shared<Impl>();
    impl->kind = name == "And" ? RuleKind::kAnd : RuleKind::kOr;
    for (size_t i = 0; i < list.size(); ++i) {
      impl->children.push_back(Compile(list[i], JoinPointer(at, std::to_string(i)), false));
    }
    return impl;
  }

  std::shared_ptr<Impl> CompileNot(const Json& inner, const std::string& at) {
    if (!inner.is_object()) {
      Report(at, "Not must be a Choice rule (a JSON object)");
      return nullptr;
    }
    auto impl = std::make_shared<Impl>();
    impl->kind = RuleKind::kNot;
    impl->children.push_back(Compile(inner, at, false));
    return impl;
  }

  std::optional<Path> CompilePath(const Json& text, const std::string& at) {
    if (!text.is_string()) {
      Report(at, "must be a string holding a JSONPath, e.g. \"$.field\"");
      return std::nullopt;
    }
    const auto& s = text.get_ref<const std::string&>();
    auto path = Path::Parse(s);
    if (!path.ok()) {
      Report(at, "invalid path '" + s + "': " + path.error());
      return std::nullopt;
    }
    return std::move(path).value();
  }

  // Checks the operand's type for the operator and stores it; false when it is unusable.
  bool CompileOperand(const Json& operand, const std::string& at, Impl& impl) {
    const OperatorSpec& op = *impl.op;
    impl.operand = operand;
    if (op.path) {
      impl.operand_path = CompilePath(operand, at);
      return impl.operand_path.has_value();
    }
    switch (op.family) {
      case Family::kString:
        return Expect(operand.is_string(), at, "a string");
      case Family::kStringMatches:
        if (!Expect(operand.is_string(), at, "a string")) return false;
        impl.glob = CompileGlob(operand.get_ref<const std::string&>());
        return true;
      case Family::kNumeric:
        return Expect(operand.is_number(), at, "a number");
      case Family::kTimestamp:
        impl.timestamp = AsTimestamp(operand);
        return Expect(impl.timestamp.has_value(), at,
                      "a timestamp string such as \"2016-03-14T01:59:00Z\" (RFC 3339 with 'T' "
                      "and an offset)");
      case Family::kBoolean:
      case Family::kIsNull:
      case Family::kIsPresent:
      case Family::kIsNumeric:
      case Family::kIsString:
      case Family::kIsBoolean:
      case Family::kIsTimestamp:
        return Expect(operand.is_boolean(), at, "a boolean");
    }
    return false;
  }

  bool Expect(bool ok, const std::string& at, std::string_view what) {
    if (!ok) Report(at, std::string("must be ") + std::string(what));
    return ok;
  }

  Diagnostics& diags_;
};

// ---- evaluation ------------------------------------------------------------------------------

Result<bool, AslError> Evaluate(const Impl& rule, const EvalScope& scope);

bool TypeTest(Family family, const Json& value) {
  switch (family) {
    case Family::kIsNull:
      return value.is_null();
    case Family::kIsNumeric:
      return value.is_number();
    case Family::kIsString:
      return value.is_string();
    case Family::kIsBoolean:
      return value.is_boolean();
    case Family::kIsTimestamp:
      return AsTimestamp(value).has_value();
    case Family::kIsPresent:
      return true;
    case Family::kString:
    case Family::kNumeric:
    case Family::kBoolean:
    case Family::kTimestamp:
    case Family::kStringMatches:
      break;
  }
  return false;
}

// Compares the Variable's value with the operand; a value of the wrong type is simply false.
bool Compare(const Impl& rule, const Json& value, const Json& operand) {
  const OperatorSpec& op = *rule.op;
  switch (op.family) {
    case Family::kString:
      return value.is_string() && operand.is_string() &&
             Holds(op.relation, CompareStrings(value.get_ref<const std::string&>(),
                                               operand.get_ref<const std::string&>()));
    case Family::kStringMatches:
      return value.is_string() && GlobMatches(rule.glob, value.get_ref<const std::string&>());
    case Family::kNumeric:
      return value.is_number() && operand.is_number() &&
             Holds(op.relation, CompareNumbers(value, operand));
    case Family::kBoolean:
      return value.is_boolean() && operand.is_boolean() && value.get<bool>() == operand.get<bool>();
    case Family::kTimestamp: {
      const auto a = AsTimestamp(value);
      const auto b = op.path ? AsTimestamp(operand) : rule.timestamp;
      return a && b && Holds(op.relation, *a <=> *b);
    }
    case Family::kIsNull:
    case Family::kIsPresent:
    case Family::kIsNumeric:
    case Family::kIsString:
    case Family::kIsBoolean:
    case Family::kIsTimestamp:
      return TypeTest(op.family, value) == operand.get<bool>();
  }
  return false;
}

Result<bool, AslError> EvaluateComparison(const Impl& rule, const EvalScope& scope) {
  auto value = rule.variable.Select(scope);
  if (rule.op->family == Family::kIsPresent) return value.ok() == rule.operand.get<bool>();
  if (!value.ok()) return Fail(InvalidPath(rule.variable));
  if (!rule.operand_path) return Compare(rule, value.value(), rule.operand);
  auto operand = rule.operand_path->Select(scope);
  if (!operand.ok()) return Fail(InvalidPath(*rule.operand_path));
  return Compare(rule, value.value(), operand.value());
}

// And stops at the first false child, Or at the first true one; later children are not
// evaluated, so they cannot fail.
Result<bool, AslError> EvaluateList(const Impl& rule, const EvalScope& scope, bool stop_on) {
  for (const auto& child : rule.children) {
    auto r = Evaluate(*child, scope);
    if (!r.ok() || r.value() == stop_on) return r;
  }
  return !stop_on;
}

Result<bool, AslError> Evaluate(const Impl& rule, const EvalScope& scope) {
  switch (rule.kind) {
    case RuleKind::kComparison:
      return EvaluateComparison(rule, scope);
    case RuleKind::kAnd:
      return EvaluateList(rule, scope, false);
    case RuleKind::kOr:
      return EvaluateList(rule, scope, true);
    case RuleKind::kNot: {
      auto r = Evaluate(*rule.children.front(), scope);
      if (!r.ok()) return r;
      return !r.value();
    }
  }
  return false;
}

std::string Describe(const Impl& rule) {
  switch (rule.kind) {
    case RuleKind::kComparison:
      return rule.variable.text() + " " + rule.op->name + " " +
             (rule.operand_path ? rule.operand_path->text() : rule.operand.dump());
    case RuleKind::kAnd:
    case RuleKind::kOr: {
      const std::string sep = rule.kind == RuleKind::kAnd ? " And " : " Or ";
      std::string out = "(";
      for (size_t i = 0; i < rule.children.size(); ++i) {
        if (i > 0) out += sep;
        out += Describe(*rule.children[i]);
      }
      return out + ")";
    }
    case RuleKind::kNot:
      return "Not (" + Describe(*rule.children.front()) + ")";
  }
  return "";
}

}  // namespace

Result<ChoiceRule, Diagnostics> ChoiceRule::Compile(const Json& rule, const std::string& pointer,
                                                    bool top_level) {
  Diagnostics diags;
  auto impl = RuleCompiler(diags).Compile(rule, pointer, top_level);
  if (!diags.empty()) return Fail(std::move(diags));
  ChoiceRule compiled;
  compiled.impl_ = std::move(impl);
  return compiled;
}

Result<bool, AslError> ChoiceRule::Evaluate(const EvalScope& scope) const {
  if (!impl_) return false;  // a default-constructed rule never matches
  return asl::Evaluate(*impl_, scope);
}

std::string ChoiceRule::Describe() const { return impl_ ? asl::Describe(*impl_) : ""; }

}  // namespace sluice::asl
