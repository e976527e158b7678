// Internal AST, function signatures and helpers shared by the JSONata parser and evaluator.
//
// The AST mirrors the one jsonata-js 2.0.6 builds after its post-parse stage ("processAST"):
// location paths are flattened into `steps`, predicates become `stages`, and the parent
// operator `%` is resolved to ancestry slots, so the evaluator can follow jsonata-js closely.
#pragma once

#include <cstdint>
#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Internal header (included only by .cpp files), so it may use the full nlohmann header.
#include <nlohmann/json.hpp>

#include "asl/json.h"

namespace sluice::asl::jsonata::internal {

// Thrown internally; converted to jsonata::Error at the API boundary.
struct JErr {
  std::string code;
  std::string message;
  int64_t pos = -1;
};

enum class NK {
  kPath,         // steps
  kBinary,       // op, lhs, rhs (arithmetic, comparison, and/or, &, .., in)
  kNeg,          // unary minus: expr
  kArray,        // array constructor: items
  kObject,       // object constructor: pairs
  kName,         // field name: s
  kLit,          // string / number / true / false / null literal: lit
  kWildcard,     // *
  kDescendant,   // **
  kParent,       // %: slot
  kCond,         // condition: cond, then_, else_
  kBlock,        // ( ...; ... ): items
  kBind,         // $s := rhs
  kRegex,        // /pattern/flags: re
  kCall,         // function call: proc, items (arguments)
  kPartial,      // partial application: proc, items (kPlaceholder for ?)
  kVar,          // $s ("" is the context, "$" the root)
  kLambda,       // function($a, ...)<sig>{ body }: params, sig, body, thunk
  kApply,        // lhs ~> rhs
  kTransform,    // | pattern | update, del |
  kSort,         // order-by step: terms
  kPlaceholder,  // ? in a partial application
  // Parse-only forms (removed by the post-parse stage).
  kRawBinary,  // s in {".", "[", "{", "^", "@", "#", ":=", "~>"}
  kRawOperator,
};

struct Node;
using NodeP = std::shared_ptr<Node>;

// A compiled regex literal (ECMAScript syntax). libstdc++'s backtracking executor recurses once
// per subject character and can take exponential time, so patterns are compiled for its
// polynomial (breadth-first) executor when possible. That executor gets the priority of
// ECMAScript alternation wrong, so a pattern with '|' is matched by backtracking and falls back
// to `poly` only when the subject is too long for the remaining stack (see PickRegex).
#if defined(__GLIBCXX__)
inline constexpr auto kPolynomialRegex = std::regex_constants::__polynomial;
#else
inline constexpr auto kPolynomialRegex = std::regex_constants::syntax_option_type{};
#endif

struct JRegex : std::regex {
  using std::regex::regex;
  std::shared_ptr<std::regex> poly;  // the polynomial form, when the primary one backtracks
};

// An ancestry slot for the parent operator (shared and mutated while resolving, as in
// jsonata-js).
struct Slot {
  std::string label;
  int level = 1;
  int index = 0;
};
using SlotP = std::shared_ptr<Slot>;
using SlotList = std::shared_ptr<std::vector<SlotP>>;  // null: "seekingParent" undefined

struct Stage {
  bool is_index = false;  // an index binding (#$var) rather than a filter
  NodeP expr;             // filter expression
  std::string var;        // index variable name
  int64_t pos = 0;
};

struct SortTerm {
  bool descending = false;
  NodeP expr;
};

struct GroupBy {
  std::vector<std::pair<NodeP, NodeP>> pairs;
  int64_t pos = 0;
};

// A parsed function signature, e.g. <s-nn?:s>.
struct SigParam {
  std::string cls;       // accepted type symbols (the regex character class, plus 'm')
  std::string quant;     // "", "?", "+", "??" (the regex quantifier)
  char type = 0;         // s n b l o a f j x, or '(' for a choice
  bool context = false;  // '-': use the context when the argument is missing
  std::string ctx_cls;   // class for the context check
  std::string subtype;   // for a<...> and f<...>
};

struct Signature {
  std::string definition;
  std::vector<SigParam> params;
};
using SigP = std::shared_ptr<const Signature>;

struct Node {
  NK k = NK::kLit;
  int64_t pos = 0;
  std::string s;  // name, variable name, operator
  Json lit;       // kLit value
  NodeP lhs, rhs, expr;
  NodeP cond, then_, else_;
  NodeP pattern, update, del;
  std::vector<NodeP> items;                    // steps, array items, block, arguments
  std::vector<std::pair<NodeP, NodeP>> pairs;  // object constructor
  std::vector<SortTerm> terms;                 // order-by terms (raw and kSort)
  std::shared_ptr<std::regex> re;              // kRegex
  std::vector<std::string> params;             // kLambda
  SigP sig;                                    // kLambda
  NodeP body;                                  // kLambda
  NodeP proc;                                  // kCall / kPartial
  // Step annotations.
  std::shared_ptr<GroupBy> group;
  std::vector<Stage> predicate;  // filters on a non-path expression
  std::vector<Stage> stages;     // filters / index bindings on a path step
  bool has_predicate = false;
  bool has_stages = false;
  std::string focus;  // @$var
  std::string index;  // #$var
  bool tuple = false;
  bool keep_array = false;
  bool cons_array = false;
  bool keep_singleton = false;  // path: keepSingletonArray
  bool thunk = false;           // lambda: a tail call
  SlotP slot;                   // kParent
  SlotP ancestor;               // name / wildcard step binding a parent label
  SlotList seeking;             // seekingParent

  std::vector<NodeP>& steps() { return items; }
  const std::vector<NodeP>& steps() const { return items; }
};

Json MakeNum(double d);
[[noreturn]] void Throw(const char* code, const std::string& msg, int64_t pos);
NodeP ParseText(std::string_view text);
// Parses a signature such as "<s-nn?:s>"; throws S0401/S0402 with the offset as position.
SigP ParseSignature(const std::string& sig);

// Appends code point `cp` to `out` as UTF-8.
void AppendUtf8(std::string& out, uint32_t cp);

}  // namespace sluice::asl::jsonata::internal
