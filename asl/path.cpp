// Path: a JSONPath compiler and evaluator that behaves like Jayway JsonPath, which AWS Step
// Functions uses in JSONPath mode (see asl/path.h).
//
// The evaluator mirrors Jayway's token chain (PathToken.evaluate, handleObjectProperty,
// handleArrayIndex, ScanPathToken.walk, PredicatePathToken) under the default configuration
// (no options), because AWS's observable behaviour, including its error messages, comes from
// that structure:
//   - a missing leaf property yields no result; a definite path without a result fails with
//     "No results for path: $['a']['b']";
//   - a missing property in the middle of a definite path fails with
//     "Missing property in path $['a']";
//   - after an indefinite token (wildcard, scan, filter, slice, union) misses are silent.
#include "asl/path.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <vector>

namespace sluice::asl {

namespace path_internal {

// One step of a compiled path. A closed set: each kind is evaluated by one function below.
enum class TokenKind {
  kProperty,  // .name, ['name'], ['a','b'] (several names: a union)
  kWildcard,  // .*, [*]
  kIndex,     // [0], [-1], [0,2] (several indexes: a union)
  kSlice,     // [1:3], [:2], [-2:]
  kFilter,    // [?(@.x > 1)]
  kScan,      // .. (deep scan; always followed by another token)
  kFunction,  // .length() and Jayway's other no-argument functions
};

enum class Function { kLength, kMin, kMax, kAvg, kStddev, kSum, kFirst, kLast, kKeys };

struct FilterNode;

struct Token {
  TokenKind kind = TokenKind::kProperty;
  std::vector<std::string> names{};            // kProperty
  std::vector<long long> indexes{};            // kIndex
  std::optional<long long> from{};             // kSlice
  std::optional<long long> to{};               // kSlice
  std::shared_ptr<const FilterNode> filter{};  // kFilter
  Function function = Function::kLength;       // kFunction
  std::string function_name{};                 // kFunction, as written

  // Jayway's definiteness: a token that can select at most one node.
  bool IsDefinite() const {
    switch (kind) {
      case TokenKind::kProperty:
        return names.size() == 1;
      case TokenKind::kIndex:
        return indexes.size() == 1;
      case TokenKind::kFunction:
        return true;
      case TokenKind::kWildcard:
      case TokenKind::kSlice:
      case TokenKind::kFilter:
      case TokenKind::kScan:
        return false;
    }
    return false;
  }

  // Jayway's getPathFragment(), used in normalized paths and error messages.
  std::string Fragment() const {
    switch (kind) {
      case TokenKind::kProperty: {
        std::string out = "[";
        for (size_t i = 0; i < names.size(); ++i) {
          out += (i == 0 ? "'" : ",'") + names[i] + "'";
        }
        return out + "]";
      }
      case TokenKind::kWildcard:
        return "[*]";
      case TokenKind::kIndex: {
        std::string out = "[";
        for (size_t i = 0; i < indexes.size(); ++i) {
          out += (i == 0 ? "" : ",") + std::to_string(indexes[i]);
        }
        return out + "]";
      }
      case TokenKind::kSlice:
        return "[" + (from ? std::to_string(*from) : "") + ":" + (to ? std::to_string(*to) : "") +
               "]";
      case TokenKind::kFilter:
        return "[?]";
      case TokenKind::kScan:
        return "..";
      case TokenKind::kFunction:
        return "." + function_name + "()";
    }
    return "";
  }
};

}  // namespace path_internal

struct Path::Impl {
  std::string text;
  PathRoot root = PathRoot::kData;
  bool current_item = false;  // '@' root: only inside filters
  std::string variable;
  std::vector<path_internal::Token> tokens;
  bool definite = true;
  bool reference = true;
  std::string normalized;  // Jayway's path.toString(), e.g. "$['a'][0]"
};

namespace path_internal {

// ---------------------------------------------------------------------------------------------
// Filter expressions
// ---------------------------------------------------------------------------------------------

// Jayway's RelationalOperator.
enum class FilterOp {
  kEq,        // ==
  kNe,        // !=
  kTypeEq,    // ===
  kTypeNe,    // !==
  kLt,        // <
  kLe,        // <=
  kGt,        // >
  kGe,        // >=
  kRegex,     // =~
  kIn,        // in
  kNin,       // nin
  kContains,  // contains
  kSubsetOf,  // subsetof
  kAnyOf,     // anyof
  kNoneOf,    // noneof
  kSize,      // size
  kEmpty,     // empty
};

struct Operand {
  enum class Kind { kPath, kLiteral, kPattern };
  Kind kind = Kind::kLiteral;
  std::shared_ptr<const Path::Impl> path;     // kPath
  Json literal;                               // kLiteral
  std::shared_ptr<const std::regex> pattern;  // kPattern
  std::string pattern_text;                   // kPattern, e.g. "/a.*/i"
};

struct FilterNode {
  enum class Kind { kOr, kAnd, kNot, kExists, kCompare };
  Kind kind = Kind::kExists;
  std::vector<std::shared_ptr<const FilterNode>> children;  // kOr, kAnd, kNot
  Operand left;                                             // kExists, kCompare
  Operand right;                                            // kCompare
  FilterOp op = FilterOp::kEq;                              // kCompare
};

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

bool IsIdentStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string Quote(char c) { return std::string("'") + c + "'"; }

// Index of the bracket closing the one at `open` (one of "([{"), skipping quoted strings;
// npos when unbalanced or mismatched.
size_t MatchingClose(std::string_view s, size_t open) {
  std::string expected;  // the closing brackets still open, innermost last
  for (size_t i = open; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\'' || c == '"') {
      for (++i; i < s.size() && s[i] != c; ++i) {
        if (s[i] == '\\') ++i;
      }
      continue;
    }
    if (c == '(' || c == '[' || c == '{') {
      expected += c == '(' ? ')' : (c == '[' ? ']' : '}');
    } else if (c == ')' || c == ']' || c == '}') {
      if (expected.empty() || expected.back() != c) return std::string_view::npos;
      expected.pop_back();
      if (expected.empty()) return i;
    }
  }
  return std::string_view::npos;
}

bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Encodes a BMP code point as UTF-8 (surrogate pairs are not combined).
void AppendUtf8(std::string& out, unsigned long code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

// Jayway's Utils.unescape for string literals in filters.
std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    char c = s[++i];
    switch (c) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'u':
        if (i + 4 < s.size() && std::all_of(s.begin() + i + 1, s.begin() + i + 5, IsHexDigit)) {
          AppendUtf8(out, std::stoul(std::string(s.substr(i + 1, 4)), nullptr, 16));
          i += 4;
        } else {
          out += c;
        }
        break;
      default:
        out += c;  // \' \" \\ \/ and anything else: the character itself
        break;
    }
  }
  return out;
}

std::optional<long long> ParseInt(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && IsBlank(s[b])) ++b;
  while (e > b && IsBlank(s[e - 1])) --e;
  s = s.substr(b, e - b);
  if (s.empty()) return std::nullopt;
  size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return std::nullopt;
  for (size_t j = i; j < s.size(); ++j) {
    if (!IsDigit(s[j])) return std::nullopt;
  }
  if (s.size() - i > 10) return std::nullopt;  // Jayway parses an int
  return std::stoll(std::string(s));
}

std::optional<Function> FunctionByName(std::string_view name) {
  if (name == "length" || name == "size") return Function::kLength;
  if (name == "min") return Function::kMin;
  if (name == "max") return Function::kMax;
  if (name == "avg") return Function::kAvg;
  if (name == "stddev") return Function::kStddev;
  if (name == "sum") return Function::kSum;
  if (name == "first") return Function::kFirst;
  if (name == "last") return Function::kLast;
  if (name == "keys") return Function::kKeys;
  return std::nullopt;
}

Result<std::shared_ptr<const Path::Impl>> ParsePathImpl(std::string_view text, size_t offset,
                                                        bool in_filter);

// Parses the inside of `[?( … )]`. Grammar (Jayway's FilterCompiler):
//   or       := and ('||' and)*
//   and      := unary ('&&' unary)*
//   unary    := '!' unary | '(' or ')' | relation
//   relation := value [operator value]      (no operator: the value must be a path: existence)
//   value    := @path | $path | 'string' | "string" | number | true | false | null
//             | [json array] | {json object} | /regex/flags
class FilterParser {
 public:
  // `offset` is the position of `s` inside the whole path, for messages.
  FilterParser(std::string_view s, size_t offset) : s_(s), offset_(offset) {}

  Result<std::shared_ptr<const FilterNode>> Parse() {
    auto node = ParseOr();
    if (!error_.empty()) return Fail(error_);
    SkipBlanks();
    if (pos_ != s_.size()) return Fail(Unexpected());
    return node;
  }

 private:
  using NodePtr = std::shared_ptr<const FilterNode>;

  NodePtr ParseOr() {
    NodePtr left = ParseAnd();
    while (error_.empty() && Accept("||")) {
      NodePtr right = ParseAnd();
      left = Combine(FilterNode::Kind::kOr, std::move(left), std::move(right));
    }
    return left;
  }

  NodePtr ParseAnd() {
    NodePtr left = ParseUnary();
    while (error_.empty() && Accept("&&")) {
      NodePtr right = ParseUnary();
      left = Combine(FilterNode::Kind::kAnd, std::move(left), std::move(right));
    }
    return left;
  }

  static NodePtr Combine(FilterNode::Kind kind, NodePtr a, NodePtr b) {
    auto node = std::make_shared<FilterNode>();
    node->kind = kind;
    node->children = {std::move(a), std::move(b)};
    return node;
  }

  NodePtr ParseUnary() {
    SkipBlanks();
    if (pos_ < s_.size() && s_[pos_] == '!' && !(pos_ + 1 < s_.size() && s_[pos_ + 1] == '=')) {
      ++pos_;
      auto node = std::make_shared<FilterNode>();
      node->kind = FilterNode::Kind::kNot;
      node->children = {ParseUnary()};
      return node;
    }
    if (pos_ < s_.size() && s_[pos_] == '(') {
      ++pos_;
      NodePtr inner = ParseOr();
      if (error_.empty() && !Accept(")")) SetError("missing ')' in filter");
      return inner;
    }
    return ParseRelation();
  }

  NodePtr ParseRelation() {
    auto node = std::make_shared<FilterNode>();
    std::optional<Operand> left = ParseOperand();
    if (!left) return node;
    node->left = std::move(*left);
    SkipBlanks();
    if (AtRelationEnd()) {
      if (node->left.kind != Operand::Kind::kPath) {
        SetError("expected an operator after the value at position " + Position());
        return node;
      }
      node->kind = FilterNode::Kind::kExists;
      return node;
    }
    std::optional<FilterOp> op = ParseOperator();
    if (!op) return node;
    std::optional<Operand> right = ParseOperand();
    if (!right) return node;
    node->kind = FilterNode::Kind::kCompare;
    node->op = *op;
    node->right = std::move(*right);
    return node;
  }

  bool AtRelationEnd() const {
    if (pos_ >= s_.size() || s_[pos_] == ')') return true;
    return s_.substr(pos_, 2) == "&&" || s_.substr(pos_, 2) == "||";
  }

  std::optional<FilterOp> ParseOperator() {
    size_t start = pos_;
    if (std::string_view("<>=!~").find(s_[pos_]) != std::string_view::npos) {
      while (pos_ < s_.size() &&
             std::string_view("<>=!~").find(s_[pos_]) != std::string_view::npos) {
        ++pos_;
      }
    } else {
      while (pos_ < s_.size() && IsIdentChar(s_[pos_])) ++pos_;
    }
    std::string_view op = s_.substr(start, pos_ - start);
    static const std::pair<std::string_view, FilterOp> kOps[] = {
        {"==", FilterOp::kEq},
        {"!=", FilterOp::kNe},
        {"===", FilterOp::kTypeEq},
        {"!==", FilterOp::kTypeNe},
        {"<", FilterOp::kLt},
        {"<=", FilterOp::kLe},
        {">", FilterOp::kGt},
        {">=", FilterOp::kGe},
        {"=~", FilterOp::kRegex},
        {"in", FilterOp::kIn},
        {"nin", FilterOp::kNin},
        {"contains", FilterOp::kContains},
        {"subsetof", FilterOp::kSubsetOf},
        {"anyof", FilterOp::kAnyOf},
        {"noneof", FilterOp::kNoneOf},
        {"size", FilterOp::kSize},
        {"empty", FilterOp::kEmpty},
    };
    for (const auto& [name, value] : kOps) {
      if (op == name) return value;
    }
    pos_ = start;
    SetError(op.empty()
                 ? Unexpected()
                 : "unknown filter operator '" + std::string(op) + "' at position " + Position());
    return std::nullopt;
  }

  std::optional<Operand> ParseOperand() {
    SkipBlanks();
    if (pos_ >= s_.size()) {
      SetError("filter ends where a value is expected");
      return std::nullopt;
    }
    char c = s_[pos_];
    if (c == '@' || c == '$') return ParsePathOperand();
    if (c == '/') return ParsePattern();
    std::optional<Json> literal = ParseLiteral();
    if (!literal) return std::nullopt;
    Operand operand;
    operand.kind = Operand::Kind::kLiteral;
    operand.literal = std::move(*literal);
    return operand;
  }

  // A path inside a filter ends at a blank, a relational operator character, a logical
  // operator or the closing parenthesis of the enclosing group (Jayway's readPath).
  std::optional<Operand> ParsePathOperand() {
    size_t start = pos_;
    ++pos_;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == '[' || c == '(') {
        size_t close = MatchingClose(s_, pos_);
        if (close == std::string_view::npos) {
          SetError(std::string(c == '[' ? "unbalanced '['" : "unbalanced '('") +
                   " in filter at position " + Position());
          return std::nullopt;
        }
        pos_ = close + 1;
        continue;
      }
      if (IsBlank(c) || c == ')' || std::string_view("<>=!~&|").find(c) != std::string_view::npos) {
        break;
      }
      ++pos_;
    }
    auto path = ParsePathImpl(s_.substr(start, pos_ - start), offset_ + start, true);
    if (!path.ok()) {
      SetError(path.error());
      return std::nullopt;
    }
    Operand operand;
    operand.kind = Operand::Kind::kPath;
    operand.path = std::move(path.value());
    return operand;
  }

  std::optional<Operand> ParsePattern() {
    size_t start = pos_;
    size_t i = pos_ + 1;
    while (i < s_.size() && s_[i] != '/') {
      if (s_[i] == '\\') ++i;
      ++i;
    }
    if (i >= s_.size()) {
      SetError("unterminated regular expression at position " + Position());
      return std::nullopt;
    }
    std::string body(s_.substr(pos_ + 1, i - pos_ - 1));
    pos_ = i + 1;
    auto flags = std::regex::ECMAScript;
    while (pos_ < s_.size() && IsIdentStart(s_[pos_])) {
      if (s_[pos_] == 'i') flags |= std::regex::icase;
      ++pos_;
    }
    Operand operand;
    operand.kind = Operand::Kind::kPattern;
    operand.pattern_text = std::string(s_.substr(start, pos_ - start));
    try {
      operand.pattern = std::make_shared<const std::regex>(body, flags);
    } catch (const std::regex_error&) {
      SetError("invalid regular expression " + operand.pattern_text);
      return std::nullopt;
    }
    return operand;
  }

  // A JSON value where strings may also use single quotes (json-smart is lenient so).
  std::optional<Json> ParseLiteral() {
    SkipBlanks();
    if (pos_ >= s_.size()) {
      SetError("filter ends where a value is expected");
      return std::nullopt;
    }
    char c = s_[pos_];
    if (c == '\'' || c == '"') return ParseString();
    if (c == '-' || IsDigit(c)) return ParseNumber();
    if (c == '[') return ParseArray();
    if (c == '{') return ParseObject();
    for (auto [word, value] : {std::pair<std::string_view, Json>{"true", Json(true)},
                               std::pair<std::string_view, Json>{"false", Json(false)},
                               std::pair<std::string_view, Json>{"null", Json(nullptr)}}) {
      if (s_.substr(pos_, word.size()) == word) {
        pos_ += word.size();
        return value;
      }
    }
    SetError(Unexpected());
    return std::nullopt;
  }

  std::optional<Json> ParseString() {
    char quote = s_[pos_];
    size_t i = pos_ + 1;
    while (i < s_.size() && s_[i] != quote) {
      if (s_[i] == '\\') ++i;
      ++i;
    }
    if (i >= s_.size()) {
      SetError("unterminated string at position " + Position());
      return std::nullopt;
    }
    Json out = Unescape(s_.substr(pos_ + 1, i - pos_ - 1));
    pos_ = i + 1;
    return out;
  }

  std::optional<Json> ParseNumber() {
    size_t start = pos_;
    if (s_[pos_] == '-') ++pos_;
    while (
        pos_ < s_.size() &&
        (IsDigit(s_[pos_]) || s_[pos_] == '.' || s_[pos_] == 'e' || s_[pos_] == 'E' ||
         ((s_[pos_] == '+' || s_[pos_] == '-') && (s_[pos_ - 1] == 'e' || s_[pos_ - 1] == 'E')))) {
      ++pos_;
    }
    std::string text(s_.substr(start, pos_ - start));
    Json value = Json::parse(text, nullptr, false);
    if (value.is_discarded() || !value.is_number()) {
      pos_ = start;
      SetError("invalid number '" + text + "' at position " + Position());
      return std::nullopt;
    }
    return value;
  }

  std::optional<Json> ParseArray() {
    ++pos_;
    Json out = Json::array();
    SkipBlanks();
    if (Accept("]")) return out;
    while (true) {
      std::optional<Json> item = ParseLiteral();
      if (!item) return std::nullopt;
      out.push_back(std::move(*item));
      if (Accept(",")) continue;
      if (Accept("]")) return out;
      SetError(Unexpected());
      return std::nullopt;
    }
  }

  std::optional<Json> ParseObject() {
    ++pos_;
    Json out = Json::object();
    SkipBlanks();
    if (Accept("}")) return out;
    while (true) {
      SkipBlanks();
      if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"')) {
        SetError(Unexpected());
        return std::nullopt;
      }
      std::optional<Json> key = ParseString();
      if (!key) return std::nullopt;
      if (!Accept(":")) {
        SetError(Unexpected());
        return std::nullopt;
      }
      std::optional<Json> value = ParseLiteral();
      if (!value) return std::nullopt;
      out[key->get<std::string>()] = std::move(*value);
      if (Accept(",")) continue;
      if (Accept("}")) return out;
      SetError(Unexpected());
      return std::nullopt;
    }
  }

  bool Accept(std::string_view token) {
    SkipBlanks();
    if (s_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }

  void SkipBlanks() {
    while (pos_ < s_.size() && IsBlank(s_[pos_])) ++pos_;
  }

  std::string Position() const { return std::to_string(offset_ + pos_); }

  std::string Unexpected() const {
    if (pos_ >= s_.size()) return "unexpected end of filter at position " + Position();
    return "unexpected character " + Quote(s_[pos_]) + " at position " + Position();
  }

  void SetError(std::string message) {
    if (error_.empty()) error_ = std::move(message);
  }

  std::string_view s_;
  size_t offset_;
  size_t pos_ = 0;
  std::string error_;
};

// Parses a path (Jayway's PathCompiler, plus AWS's `$$` and `$name` roots). Positions in
// messages are 0-based and relative to the whole path text.
class PathParser {
 public:
  PathParser(std::string_view text, size_t offset, bool in_filter)
      : s_(text), offset_(offset), in_filter_(in_filter) {}

  Result<std::shared_ptr<const Path::Impl>> Parse() {
    auto impl = std::make_shared<Path::Impl>();
    impl->text = std::string(s_);
    if (!ParseRoot(*impl)) return Fail(error_);
    while (pos_ < s_.size()) {
      if (!ParseNextToken(impl->tokens)) return Fail(error_);
    }
    if (!Finish(*impl)) return Fail(error_);
    return std::shared_ptr<const Path::Impl>(std::move(impl));
  }

 private:
  bool ParseRoot(Path::Impl& impl) {
    if (s_.empty()) return SetError("path is empty");
    if (s_[0] == '@' && in_filter_) {
      impl.current_item = true;
      pos_ = 1;
    } else if (s_[0] != '$') {
      return SetError("path must start with '$'");
    } else if (s_.substr(0, 2) == "$$") {
      impl.root = PathRoot::kContext;
      pos_ = 2;
    } else if (s_.size() > 1 && IsIdentStart(s_[1]) && !in_filter_) {
      impl.root = PathRoot::kVariable;
      pos_ = 1;
      while (pos_ < s_.size() && IsIdentChar(s_[pos_])) ++pos_;
      impl.variable = std::string(s_.substr(1, pos_ - 1));
    } else {
      pos_ = 1;
    }
    if (pos_ < s_.size() && s_[pos_] != '.' && s_[pos_] != '[') {
      return SetError("unexpected character " + Quote(s_[pos_]) + " at position " + Position() +
                      ", expected '.' or '['");
    }
    return true;
  }

  bool ParseNextToken(std::vector<Token>& tokens) {
    switch (s_[pos_]) {
      case '[':
        return ParseBracket(tokens);
      case '.':
        return ParseDot(tokens);
      default:
        return SetError("unexpected character " + Quote(s_[pos_]) + " at position " + Position());
    }
  }

  // `.name`, `.*`, `..name`, `.length()`, and Jayway's `.['name']` / `..[0]`.
  bool ParseDot(std::vector<Token>& tokens) {
    bool scan = s_.substr(pos_, 2) == "..";
    pos_ += scan ? 2 : 1;
    if (pos_ >= s_.size()) {
      return SetError(std::string("path must not end with '") + (scan ? ".." : ".") + "'");
    }
    if (scan) tokens.push_back(Token{.kind = TokenKind::kScan});
    char c = s_[pos_];
    if (c == '.') return SetError("unexpected character '.' at position " + Position());
    if (c == '[') return ParseBracket(tokens);
    if (c == '*') {
      ++pos_;
      tokens.push_back(Token{.kind = TokenKind::kWildcard});
      return true;
    }
    return ParseNameOrFunction(tokens);
  }

  bool ParseNameOrFunction(std::vector<Token>& tokens) {
    size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != '.' && s_[pos_] != '[' && s_[pos_] != '(') {
      if (IsBlank(s_[pos_])) {
        return SetError("unexpected blank at position " + Position() +
                        "; use bracket notation ['my prop'] for names with blanks");
      }
      ++pos_;
    }
    std::string name(s_.substr(start, pos_ - start));
    if (name.empty()) {
      return SetError("unexpected character " + Quote(s_[pos_]) + " at position " + Position());
    }
    if (pos_ < s_.size() && s_[pos_] == '(') return ParseFunction(tokens, name, start);
    tokens.push_back(Token{.kind = TokenKind::kProperty, .names = {std::move(name)}});
    return true;
  }

  bool ParseFunction(std::vector<Token>& tokens, const std::string& name, size_t start) {
    size_t close = MatchingClose(s_, pos_);
    if (close == std::string_view::npos) {
      return SetError("unbalanced '(' at position " + Position());
    }
    std::optional<Function> function = FunctionByName(name);
    if (!function) {
      pos_ = start;
      return SetError("unknown function '" + name + "()' at position " + Position());
    }
    for (size_t i = pos_ + 1; i < close; ++i) {
      if (!IsBlank(s_[i])) {
        return SetError("function '" + name + "()' takes no arguments (position " +
                        std::to_string(offset_ + i) + ")");
      }
    }
    pos_ = close + 1;
    if (pos_ < s_.size()) {
      return SetError("function '" + name + "()' must end the path (position " + Position() + ")");
    }
    tokens.push_back(
        Token{.kind = TokenKind::kFunction, .function = *function, .function_name = name});
    return true;
  }

  // `['a']`, `['a','b']`, `[0]`, `[0,1]`, `[1:3]`, `[*]`, `[?(...)]`.
  bool ParseBracket(std::vector<Token>& tokens) {
    size_t p = pos_ + 1;
    while (p < s_.size() && IsBlank(s_[p])) ++p;
    if (p >= s_.size()) return SetError("unbalanced '[' at position " + Position());
    char c = s_[p];
    if (c == '\'' || c == '"') return ParseQuotedNames(tokens, p);
    if (c == '*') return ParseBracketWildcard(tokens, p);
    if (c == '?') return ParseFilter(tokens, p);
    if (IsDigit(c) || c == '-' || c == ':') return ParseIndexes(tokens);
    pos_ = p;
    return SetError("unexpected character " + Quote(c) + " at position " + Position() +
                    ", expected ?, ', \", 0-9 or *");
  }

  bool ParseQuotedNames(std::vector<Token>& tokens, size_t p) {
    Token token{.kind = TokenKind::kProperty};
    while (true) {
      char quote = s_[p];
      size_t i = p + 1;
      while (i < s_.size() && s_[i] != quote) {
        if (s_[i] == '\\') ++i;
        ++i;
      }
      if (i >= s_.size()) {
        pos_ = p;
        return SetError("unterminated name starting at position " + Position() +
                        ": missing closing " + Quote(quote));
      }
      // AWS keeps the name as written: a backslash only stops the quote from closing the
      // name (a recorded case selects the key `Test\""Name"` with `['Test\""Name"']`).
      token.names.push_back(std::string(s_.substr(p + 1, i - p - 1)));
      p = i + 1;
      while (p < s_.size() && IsBlank(s_[p])) ++p;
      if (p < s_.size() && s_[p] == ']') break;
      if (p >= s_.size() || s_[p] != ',') {
        pos_ = std::min(p, s_.size());
        return SetError(pos_ >= s_.size() ? "missing ']' at end of path"
                                          : "unexpected character " + Quote(s_[p]) +
                                                " at position " + Position() + ", expected ']'");
      }
      ++p;
      while (p < s_.size() && IsBlank(s_[p])) ++p;
      if (p >= s_.size() || (s_[p] != '\'' && s_[p] != '"')) {
        pos_ = std::min(p, s_.size());
        return SetError("expected a quoted name at position " + Position());
      }
    }
    pos_ = p + 1;
    tokens.push_back(std::move(token));
    return true;
  }

  bool ParseBracketWildcard(std::vector<Token>& tokens, size_t p) {
    ++p;
    while (p < s_.size() && IsBlank(s_[p])) ++p;
    if (p >= s_.size() || s_[p] != ']') {
      pos_ = std::min(p, s_.size());
      return SetError("expected ']' after '*' at position " + Position());
    }
    pos_ = p + 1;
    tokens.push_back(Token{.kind = TokenKind::kWildcard});
    return true;
  }

  bool ParseIndexes(std::vector<Token>& tokens) {
    size_t close = s_.find(']', pos_);
    if (close == std::string_view::npos) {
      return SetError("unbalanced '[' at position " + Position());
    }
    std::string_view body = s_.substr(pos_ + 1, close - pos_ - 1);
    for (size_t i = 0; i < body.size(); ++i) {
      char c = body[i];
      if (!IsDigit(c) && c != '-' && c != ',' && c != ':' && !IsBlank(c)) {
        pos_ += 1 + i;
        return SetError("unexpected character " + Quote(c) + " at position " + Position() +
                        " in array index");
      }
    }
    Token token = body.find(':') != std::string_view::npos ? ParseSlice(body) : ParseUnion(body);
    if (!error_.empty()) return false;
    pos_ = close + 1;
    tokens.push_back(std::move(token));
    return true;
  }

  Token ParseSlice(std::string_view body) {
    Token token{.kind = TokenKind::kSlice};
    size_t colon = body.find(':');
    std::string_view from = body.substr(0, colon);
    std::string_view to = body.substr(colon + 1);
    auto blank = [](std::string_view s) {
      return std::all_of(s.begin(), s.end(), [](char c) { return IsBlank(c); });
    };
    if (to.find(':') != std::string_view::npos) {
      SetError("invalid array slice '[" + std::string(body) + "]': steps are not supported");
      return token;
    }
    if (!blank(from)) token.from = ParseInt(from);
    if (!blank(to)) token.to = ParseInt(to);
    if ((!blank(from) && !token.from) || (!blank(to) && !token.to) || (blank(from) && blank(to))) {
      SetError("invalid array slice '[" + std::string(body) + "]'");
    }
    return token;
  }

  Token ParseUnion(std::string_view body) {
    Token token{.kind = TokenKind::kIndex};
    size_t start = 0;
    while (true) {
      size_t comma = body.find(',', start);
      std::string_view part = body.substr(
          start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      std::optional<long long> index = ParseInt(part);
      if (!index) {
        SetError("invalid array index '[" + std::string(body) + "]'");
        return token;
      }
      token.indexes.push_back(*index);
      if (comma == std::string_view::npos) return token;
      start = comma + 1;
    }
  }

  bool ParseFilter(std::vector<Token>& tokens, size_t question) {
    size_t p = question + 1;
    while (p < s_.size() && IsBlank(s_[p])) ++p;
    if (p >= s_.size() || s_[p] != '(') {
      pos_ = std::min(p, s_.size());
      return SetError("expected '(' after '[?' at position " + Position());
    }
    size_t close = MatchingClose(s_, p);
    if (close == std::string_view::npos) {
      pos_ = p;
      return SetError("unbalanced '(' at position " + Position());
    }
    size_t end = close + 1;
    while (end < s_.size() && IsBlank(s_[end])) ++end;
    if (end >= s_.size() || s_[end] != ']') {
      pos_ = std::min(end, s_.size());
      return SetError("expected ']' to close the filter at position " + Position());
    }
    FilterParser parser(s_.substr(p + 1, close - p - 1), offset_ + p + 1);
    auto filter = parser.Parse();
    if (!filter.ok()) return SetError(filter.error());
    pos_ = end + 1;
    tokens.push_back(Token{.kind = TokenKind::kFilter, .filter = std::move(filter.value())});
    return true;
  }

  bool Finish(Path::Impl& impl) {
    impl.normalized = "$";
    for (const Token& token : impl.tokens) {
      impl.normalized += token.Fragment();
      impl.definite = impl.definite && token.IsDefinite();
      impl.reference = impl.reference && token.IsDefinite() && token.kind != TokenKind::kFunction;
    }
    return true;
  }

  std::string Position() const { return std::to_string(offset_ + pos_); }

  bool SetError(std::string message) {
    error_ = std::move(message);
    return false;
  }

  std::string_view s_;
  size_t offset_;
  bool in_filter_;
  size_t pos_ = 0;
  std::string error_;
};

Result<std::shared_ptr<const Path::Impl>> ParsePathImpl(std::string_view text, size_t offset,
                                                        bool in_filter) {
  return PathParser(text, offset, in_filter).Parse();
}

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

// How Jayway's default JSON provider (json-smart) names the Java class of a value, as it
// appears in "Expected to find an object …" messages.
std::string JavaClassName(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::string:
      return "java.lang.String";
    case Json::value_t::boolean:
      return "java.lang.Boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: {
      bool fits = value.is_number_unsigned() ? value.get<unsigned long long>() <= 2147483647ULL
                                             : value.get<long long>() >= -2147483648LL &&
                                                   value.get<long long>() <= 2147483647LL;
      return fits ? "java.lang.Integer" : "java.lang.Long";
    }
    case Json::value_t::number_float:
      return "java.lang.Double";
    case Json::value_t::array:
      return "net.minidev.json.JSONArray";
    case Json::value_t::object:
      return "net.minidev.json.JSONObject";
    case Json::value_t::binary:
    case Json::value_t::discarded:
      return "java.lang.Object";
  }
  return "java.lang.Object";
}

// Java's toString() of a value, as it appears in "Current context is: …" messages.
std::string JavaToString(const Json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

constexpr const char* kJsonProvider = "com.jayway.jsonpath.spi.json.JsonSmartJsonProvider";

// Jayway's ValueNode: what a filter operand evaluates to.
struct FilterValue {
  enum class Kind { kUndefined, kString, kNumber, kBoolean, kNull, kJson, kPattern };
  Kind kind = Kind::kUndefined;
  Json json;
  const std::regex* pattern = nullptr;
  std::string pattern_text;

  static FilterValue From(const Json& value) {
    FilterValue out;
    out.json = value;
    if (value.is_string()) {
      out.kind = Kind::kString;
    } else if (value.is_number()) {
      out.kind = Kind::kNumber;
    } else if (value.is_boolean()) {
      out.kind = Kind::kBoolean;
    } else if (value.is_null()) {
      out.kind = Kind::kNull;
    } else {
      out.kind = Kind::kJson;
    }
    return out;
  }

  // StringNode.getString() of a string or number (NumberNode.asStringNode()).
  std::string AsString() const {
    return kind == Kind::kString ? json.get<std::string>() : json.dump();
  }

  // NumberNode.asNumberNode() of a number or a string that parses as one.
  std::optional<double> AsNumber() const {
    if (kind == Kind::kNumber) return json.get<double>();
    if (kind != Kind::kString) return std::nullopt;
    Json parsed = Json::parse(json.get<std::string>(), nullptr, false);
    if (parsed.is_discarded() || !parsed.is_number()) return std::nullopt;
    return parsed.get<double>();
  }
};

class Evaluator {
 public:
  // `root` is what `$` means inside filters: the document the whole path is evaluated on.
  // `require_properties` is Jayway's REQUIRE_PROPERTIES option (used for existence checks).
  Evaluator(const Path::Impl& path, const Json& root, bool require_properties)
      : tokens_(path.tokens), root_(root), require_(require_properties) {}

  void Run(const Json& model) { Step(0, "$", model); }

  const std::vector<const Json*>& results() const { return results_; }
  const std::optional<std::string>& error() const { return error_; }

 private:
  bool IsLeaf(size_t i) const { return i + 1 == tokens_.size(); }

  bool UpstreamDefinite(size_t i) const {
    for (size_t j = 0; j < i; ++j) {
      if (!tokens_[j].IsDefinite()) return false;
    }
    return true;
  }

  // Jayway's PathToken.toString(): this token's fragment and all the following ones.
  std::string Rest(size_t i) const {
    std::string out;
    for (size_t j = i; j < tokens_.size(); ++j) out += tokens_[j].Fragment();
    return out;
  }

  void SetError(std::string message) {
    if (!error_) error_ = std::move(message);
  }

  // Applies token `i` to `model`; past the last token, `model` is a result.
  void Step(size_t i, const std::string& current, const Json& model) {
    if (error_) return;
    if (i == tokens_.size()) {
      results_.push_back(&model);
      return;
    }
    switch (tokens_[i].kind) {
      case TokenKind::kProperty:
        return EvalProperty(i, current, model);
      case TokenKind::kWildcard:
        return EvalWildcard(i, current, model);
      case TokenKind::kIndex:
        return EvalIndex(i, current, model);
      case TokenKind::kSlice:
        return EvalSlice(i, current, model);
      case TokenKind::kFilter:
        return EvalFilter(i, current, model);
      case TokenKind::kScan:
        return Walk(i + 1, current, model);
      case TokenKind::kFunction:
        return EvalFunction(i, current, model);
    }
  }

  void EvalProperty(size_t i, const std::string& current, const Json& model) {
    const Token& token = tokens_[i];
    if (!model.is_object()) {
      if (!UpstreamDefinite(i)) return;
      return SetError("Expected to find an object with property " + token.Fragment() + " in path " +
                      current + " but found '" + JavaClassName(model) +
                      "'. This is not a json object according to the JsonProvider: '" +
                      kJsonProvider + "'.");
    }
    if (token.names.size() > 1 && IsLeaf(i)) return MergeProperties(i, current, model);
    for (const std::string& name : token.names) HandleProperty(i, current, model, name);
  }

  void HandleProperty(size_t i, const std::string& current, const Json& model,
                      const std::string& name) {
    std::string path = current + "['" + name + "']";
    auto it = model.find(name);
    if (it != model.end()) return Step(i + 1, path, *it);
    if (IsLeaf(i)) {
      if (require_) SetError("No results for path: " + path);
      return;
    }
    if ((UpstreamDefinite(i) && tokens_[i].IsDefinite()) || require_) {
      SetError("Missing property in path " + path);
    }
  }

  // A union of names as the last token selects one object holding those that exist.
  void MergeProperties(size_t i, const std::string& current, const Json& model) {
    Json merged = Json::object();
    for (const std::string& name : tokens_[i].names) {
      auto it = model.find(name);
      if (it != model.end()) {
        merged[name] = *it;
      } else if (require_) {
        std::string names;
        for (const std::string& n : tokens_[i].names)
          names += (names.empty() ? "'" : ", '") + n + "'";
        return SetError("Missing property in path " + current + "[" + names + "]");
      }
    }
    owned_.push_back(std::move(merged));
    results_.push_back(&owned_.back());
  }

  void EvalWildcard(size_t i, const std::string& current, const Json& model) {
    if (model.is_object()) {
      for (auto it = model.begin(); it != model.end(); ++it) {
        Step(i + 1, current + "['" + it.key() + "']", it.value());
      }
    } else if (model.is_array()) {
      for (size_t k = 0; k < model.size(); ++k) {
        Step(i + 1, current + "[" + std::to_string(k) + "]", model[k]);
      }
    }
  }

  bool CheckArrayModel(size_t i, const std::string& current, const Json& model) {
    if (model.is_array()) return true;
    if (!UpstreamDefinite(i)) return false;
    if (model.is_null()) {
      SetError("The path " + current + " is null");
    } else {
      SetError("Filter: " + Rest(i) +
               " can only be applied to arrays. Current context is: " + JavaToString(model));
    }
    return false;
  }

  // Out-of-range indexes (after counting negative ones from the end) select nothing.
  void HandleIndex(size_t i, const std::string& current, const Json& model, long long index) {
    long long size = static_cast<long long>(model.size());
    long long effective = index < 0 ? size + index : index;
    if (effective < 0 || effective >= size) return;
    Step(i + 1, current + "[" + std::to_string(index) + "]", model[effective]);
  }

  void EvalIndex(size_t i, const std::string& current, const Json& model) {
    if (!CheckArrayModel(i, current, model)) return;
    for (long long index : tokens_[i].indexes) HandleIndex(i, current, model, index);
  }

  // Jayway's ArraySliceToken: [from:], [:to] and [from:to], with its own clamping rules.
  void EvalSlice(size_t i, const std::string& current, const Json& model) {
    if (!CheckArrayModel(i, current, model)) return;
    const Token& token = tokens_[i];
    long long length = static_cast<long long>(model.size());
    long long from = 0;
    long long to = length;
    if (token.from && !token.to) {
      from = std::max(0LL, *token.from < 0 ? length + *token.from : *token.from);
      if (length == 0 || from >= length) return;
    } else if (!token.from && token.to) {
      if (length == 0) return;
      to = std::min(length, *token.to < 0 ? length + *token.to : *token.to);
    } else {
      from = *token.from;
      to = std::min(length, *token.to);
      if (from >= to || length == 0) return;
    }
    for (long long k = from; k < to; ++k) HandleIndex(i, current, model, k);
  }

  void EvalFilter(size_t i, const std::string& current, const Json& model) {
    const FilterNode& filter = *tokens_[i].filter;
    if (model.is_object()) {
      if (Accept(filter, model)) Step(i + 1, current, model);
    } else if (model.is_array()) {
      for (size_t k = 0; k < model.size() && !error_; ++k) {
        if (Accept(filter, model[k])) HandleIndex(i, current, model, static_cast<long long>(k));
      }
    } else if (UpstreamDefinite(i)) {
      SetError("Filter: [?] can not be applied to primitives. Current context is: " +
               JavaToString(model));
    }
  }

  // Jayway's ScanPathToken.walk: visits every container, applying the token after the scan
  // (`next`) where its predicate matches.
  void Walk(size_t next, const std::string& current, const Json& model) {
    if (error_) return;
    if (model.is_object()) {
      if (ScanMatches(next, model)) Step(next, current, model);
      for (auto it = model.begin(); it != model.end(); ++it) {
        Walk(next, current + "['" + it.key() + "']", it.value());
      }
    } else if (model.is_array()) {
      if (ScanMatches(next, model)) {
        if (IsLeaf(next)) {
          Step(next, current, model);
        } else {
          // Jayway hands each element to the token after `next` here (not to `next`).
          for (size_t k = 0; k < model.size(); ++k) {
            Step(next + 1, current + "[" + std::to_string(k) + "]", model[k]);
          }
        }
      }
      for (size_t k = 0; k < model.size(); ++k) {
        Walk(next, current + "[" + std::to_string(k) + "]", model[k]);
      }
    }
  }

  bool ScanMatches(size_t next, const Json& model) {
    const Token& token = tokens_[next];
    switch (token.kind) {
      case TokenKind::kProperty:
        if (!model.is_object()) return false;
        return token.names.size() > 1 || model.contains(token.names[0]);
      case TokenKind::kIndex:
      case TokenKind::kSlice:
        return model.is_array();
      case TokenKind::kWildcard:
        return true;
      case TokenKind::kFilter:
        return Accept(*token.filter, model);
      case TokenKind::kScan:
      case TokenKind::kFunction:
        return false;
    }
    return false;
  }

  void EvalFunction(size_t i, const std::string& current, const Json& model) {
    std::optional<Json> value = ApplyFunction(tokens_[i].function, model);
    if (!value) return;
    owned_.push_back(std::move(*value));
    Step(i + 1, current + tokens_[i].Fragment(), owned_.back());
  }

  std::optional<Json> ApplyFunction(Function function, const Json& model) {
    switch (function) {
      case Function::kLength:
        if (model.is_array() || model.is_object()) return Json(model.size());
        return Json(nullptr);
      case Function::kFirst:
        return model.is_array() && !model.empty() ? model.front() : Json(nullptr);
      case Function::kLast:
        return model.is_array() && !model.empty() ? model.back() : Json(nullptr);
      case Function::kKeys: {
        if (!model.is_object()) return Json(nullptr);
        Json keys = Json::array();
        for (auto it = model.begin(); it != model.end(); ++it) keys.push_back(it.key());
        return keys;
      }
      case Function::kMin:
      case Function::kMax:
      case Function::kAvg:
      case Function::kStddev:
      case Function::kSum:
        return Aggregate(function, model);
    }
    return std::nullopt;
  }

  // Jayway's numeric aggregations: over the numbers of an array, as a Java double.
  std::optional<Json> Aggregate(Function function, const Json& model) {
    std::vector<double> numbers;
    if (model.is_array()) {
      for (const Json& item : model) {
        if (item.is_number()) numbers.push_back(item.get<double>());
      }
    }
    if (numbers.empty()) {
      SetError("Aggregation function attempted to calculate value using empty array");
      return std::nullopt;
    }
    double sum = 0;
    double sum_sq = 0;
    for (double n : numbers) {
      sum += n;
      sum_sq += n * n;
    }
    double count = static_cast<double>(numbers.size());
    switch (function) {
      case Function::kMin:
        return Json(*std::min_element(numbers.begin(), numbers.end()));
      case Function::kMax:
        return Json(*std::max_element(numbers.begin(), numbers.end()));
      case Function::kSum:
        return Json(sum);
      case Function::kAvg:
        return Json(sum / count);
      case Function::kStddev:
        return Json(std::sqrt(sum_sq / count - sum * sum / count / count));
      case Function::kLength:
      case Function::kFirst:
      case Function::kLast:
      case Function::kKeys:
        break;
    }
    return std::nullopt;
  }

  // --- filters ---

  bool Accept(const FilterNode& node, const Json& item) {
    switch (node.kind) {
      case FilterNode::Kind::kOr:
        return Accept(*node.children[0], item) || Accept(*node.children[1], item);
      case FilterNode::Kind::kAnd:
        return Accept(*node.children[0], item) && Accept(*node.children[1], item);
      case FilterNode::Kind::kNot:
        return !Accept(*node.children[0], item);
      case FilterNode::Kind::kExists:
        return Exists(*node.left.path, item);
      case FilterNode::Kind::kCompare:
        return Compare(node.op, EvalOperand(node.left, item), EvalOperand(node.right, item));
    }
    return false;
  }

  const Json& OperandDocument(const Path::Impl& path, const Json& item) const {
    return path.current_item ? item : root_;
  }

  // Jayway's existence check evaluates with REQUIRE_PROPERTIES; an indefinite path "exists"
  // when it evaluates without a missing property, even to an empty list.
  bool Exists(const Path::Impl& path, const Json& item) {
    Evaluator sub(path, root_, true);
    sub.Run(OperandDocument(path, item));
    if (sub.error()) return false;
    return !path.definite || !sub.results().empty();
  }

  FilterValue EvalOperand(const Operand& operand, const Json& item) {
    switch (operand.kind) {
      case Operand::Kind::kLiteral:
        return FilterValue::From(operand.literal);
      case Operand::Kind::kPattern: {
        FilterValue value;
        value.kind = FilterValue::Kind::kPattern;
        value.pattern = operand.pattern.get();
        value.pattern_text = operand.pattern_text;
        return value;
      }
      case Operand::Kind::kPath:
        break;
    }
    const Path::Impl& path = *operand.path;
    Evaluator sub(path, root_, false);
    sub.Run(OperandDocument(path, item));
    if (sub.error()) return FilterValue{};
    if (!path.definite) {
      Json list = Json::array();
      for (const Json* result : sub.results()) list.push_back(*result);
      return FilterValue::From(list);
    }
    if (sub.results().empty()) return FilterValue{};
    return FilterValue::From(*sub.results().front());
  }

  const std::vector<Token>& tokens_;
  const Json& root_;
  bool require_;
  std::vector<const Json*> results_;
  std::deque<Json> owned_;  // values made by functions and unions; stable addresses
  std::optional<std::string> error_;

  static bool Compare(FilterOp op, const FilterValue& left, const FilterValue& right);
};

using Kind = FilterValue::Kind;

// Jayway's ValueNode.equals (left.equals(right)); note it is not symmetric between numbers and
// strings: 1 == '1' compares numerically, '1' == 1 compares the texts.
bool ValueEquals(const FilterValue& a, const FilterValue& b) {
  switch (a.kind) {
    case Kind::kUndefined:
      return b.kind == Kind::kUndefined;
    case Kind::kNumber: {
      if (b.kind != Kind::kNumber && b.kind != Kind::kString) return false;
      std::optional<double> other = b.AsNumber();
      return other && *other == a.json.get<double>();
    }
    case Kind::kString:
      if (b.kind != Kind::kNumber && b.kind != Kind::kString) return false;
      return a.json.get<std::string>() == b.AsString();
    case Kind::kBoolean:
      return b.kind == Kind::kBoolean && a.json == b.json;
    case Kind::kNull:
      return b.kind == Kind::kNull;
    case Kind::kJson:
      return b.kind == Kind::kJson && a.json == b.json;
    case Kind::kPattern:
      return b.kind == Kind::kPattern && a.pattern_text == b.pattern_text;
  }
  return false;
}

bool ListContains(const Json& list, const FilterValue& value) {
  for (const Json& item : list) {
    if (ValueEquals(value, FilterValue::From(item))) return true;
  }
  return false;
}

bool IsArray(const FilterValue& v) { return v.kind == Kind::kJson && v.json.is_array(); }

// Returns -1, 0 or 1, or nullopt when Jayway does not order the two values.
std::optional<int> Order(const FilterValue& a, const FilterValue& b) {
  if (a.kind == Kind::kNumber && b.kind == Kind::kNumber) {
    double x = a.json.get<double>();
    double y = b.json.get<double>();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (a.kind == Kind::kString && b.kind == Kind::kString) {
    int c = a.json.get<std::string>().compare(b.json.get<std::string>());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return std::nullopt;
}

std::string RegexInput(const FilterValue& v) {
  switch (v.kind) {
    case Kind::kString:
    case Kind::kNumber:
      return v.AsString();
    case Kind::kBoolean:
    case Kind::kJson:
      return v.json.dump();
    case Kind::kUndefined:
    case Kind::kNull:
    case Kind::kPattern:
      return "";
  }
  return "";
}

bool Evaluator::Compare(FilterOp op, const FilterValue& left, const FilterValue& right) {
  switch (op) {
    case FilterOp::kEq:
      return ValueEquals(left, right);
    case FilterOp::kNe:
      return !ValueEquals(left, right);
    case FilterOp::kTypeEq:
      return left.kind == right.kind && ValueEquals(left, right);
    case FilterOp::kTypeNe:
      return !(left.kind == right.kind && ValueEquals(left, right));
    case FilterOp::kLt: {
      auto o = Order(left, right);
      return o && *o < 0;
    }
    case FilterOp::kLe: {
      auto o = Order(left, right);
      return o && *o <= 0;
    }
    case FilterOp::kGt: {
      auto o = Order(left, right);
      return o && *o > 0;
    }
    case FilterOp::kGe: {
      auto o = Order(left, right);
      return o && *o >= 0;
    }
    case FilterOp::kRegex: {
      bool lp = left.kind == Kind::kPattern;
      if (lp == (right.kind == Kind::kPattern)) return false;
      const FilterValue& pattern = lp ? left : right;
      return std::regex_match(RegexInput(lp ? right : left), *pattern.pattern);
    }
    case FilterOp::kIn:
      return IsArray(right) && ListContains(right.json, left);
    case FilterOp::kNin:
      return !(IsArray(right) && ListContains(right.json, left));
    case FilterOp::kContains:
      if (left.kind == Kind::kString && right.kind == Kind::kString) {
        return left.json.get<std::string>().find(right.json.get<std::string>()) !=
               std::string::npos;
      }
      return IsArray(left) && ListContains(left.json, right);
    case FilterOp::kSubsetOf:
    case FilterOp::kAnyOf:
    case FilterOp::kNoneOf: {
      if (!IsArray(left) || !IsArray(right)) return false;
      size_t found = 0;
      for (const Json& item : left.json) {
        if (ListContains(right.json, FilterValue::From(item))) ++found;
      }
      if (op == FilterOp::kSubsetOf) return found == left.json.size();
      if (op == FilterOp::kAnyOf) return found > 0;
      return found == 0;
    }
    case FilterOp::kSize: {
      if (right.kind != Kind::kNumber) return false;
      long long expected = static_cast<long long>(right.json.get<double>());
      if (left.kind == Kind::kString) {
        return static_cast<long long>(left.json.get<std::string>().size()) == expected;
      }
      return IsArray(left) && static_cast<long long>(left.json.size()) == expected;
    }
    case FilterOp::kEmpty: {
      if (right.kind != Kind::kBoolean) return false;
      bool want = right.json.get<bool>();
      if (left.kind == Kind::kString) return left.json.get<std::string>().empty() == want;
      if (left.kind == Kind::kJson) return left.json.empty() == want;
      return false;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Assign (ResultPath)
// ---------------------------------------------------------------------------------------------

// True when `tokens[i..]` can be assigned inside `node`: each step crosses an object (a
// missing name is created as an object) or an existing array element.
bool CanAssign(const Json* node, const std::vector<Token>& tokens, size_t i) {
  for (; i < tokens.size(); ++i) {
    const Token& token = tokens[i];
    if (node == nullptr) return token.kind == TokenKind::kProperty;  // inside a created object
    if (token.kind == TokenKind::kProperty) {
      if (!node->is_object()) return false;
      auto it = node->find(token.names[0]);
      node = it == node->end() ? nullptr : &*it;
      continue;
    }
    if (!node->is_array()) return false;
    long long size = static_cast<long long>(node->size());
    long long index = token.indexes[0] < 0 ? size + token.indexes[0] : token.indexes[0];
    if (index < 0 || index >= size) return false;
    node = &(*node)[static_cast<size_t>(index)];
  }
  return true;
}

// Places `value` at `tokens` inside `node`, creating missing objects; CanAssign holds.
void AssignAt(Json& node, const std::vector<Token>& tokens, Json&& value) {
  Json* current = &node;
  for (const Token& token : tokens) {
    if (token.kind == TokenKind::kProperty) {
      current = &(*current)[token.names[0]];  // a missing name is added at the end
    } else {
      long long size = static_cast<long long>(current->size());
      long long index = token.indexes[0] < 0 ? size + token.indexes[0] : token.indexes[0];
      current = &(*current)[static_cast<size_t>(index)];
    }
  }
  *current = std::move(value);
}

}  // namespace path_internal

// -----------------------------------------------------------------------------------------------
// Path
// -----------------------------------------------------------------------------------------------

namespace {

std::shared_ptr<const Path::Impl> RootImpl() {
  static const auto* const kRoot = [] {
    auto impl = std::make_shared<Path::Impl>();
    impl->text = "$";
    impl->normalized = "$";
    return new std::shared_ptr<const Path::Impl>(std::move(impl));
  }();
  return *kRoot;
}

}  // namespace

Path::Path() : impl_(RootImpl()) {}

Result<Path> Path::Parse(std::string_view text) {
  // Jayway trims the path before compiling it; text() keeps it as written.
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && path_internal::IsBlank(text[begin])) ++begin;
  while (end > begin && path_internal::IsBlank(text[end - 1])) --end;
  auto impl = path_internal::ParsePathImpl(text.substr(begin, end - begin), begin, false);
  if (!impl.ok()) return Fail(impl.error());
  if (begin != 0 || end != text.size()) {
    auto copy = std::make_shared<Path::Impl>(*impl.value());
    copy->text = std::string(text);
    impl = std::shared_ptr<const Path::Impl>(std::move(copy));
  }
  Path path;
  path.impl_ = std::move(impl.value());
  return path;
}

const std::string& Path::text() const { return impl_->text; }
PathRoot Path::root() const { return impl_->root; }
const std::string& Path::variable_name() const { return impl_->variable; }
bool Path::IsReferencePath() const { return impl_->reference; }
bool Path::IsDefinite() const { return impl_->definite; }
bool Path::IsRoot() const { return impl_->root == PathRoot::kData && impl_->tokens.empty(); }

Result<Json, PathError> Path::Select(const EvalScope& scope) const {
  const Json* document = &scope.data;
  switch (impl_->root) {
    case PathRoot::kData:
      break;
    case PathRoot::kContext:
      document = &scope.context;
      break;
    case PathRoot::kVariable: {
      if (scope.variables == nullptr || !scope.variables->is_object() ||
          !scope.variables->contains(impl_->variable)) {
        return Fail(PathError{"Variable '$" + impl_->variable + "' is not defined"});
      }
      document = &(*scope.variables)[impl_->variable];
      break;
    }
  }
  path_internal::Evaluator evaluator(*impl_, *document, false);
  evaluator.Run(*document);
  if (!impl_->definite) {
    // AWS answers [] for an indefinite path whose definite prefix fails (recorded:
    // "$.items[*]" on {} gives []), as Jayway does with SUPPRESS_EXCEPTIONS.
    if (evaluator.error()) return Json::array();
    Json list = Json::array();
    for (const Json* result : evaluator.results()) list.push_back(*result);
    return list;
  }
  if (evaluator.error()) return Fail(PathError{*evaluator.error()});
  if (evaluator.results().empty()) {
    return Fail(PathError{"No results for path: " + impl_->normalized});
  }
  return *evaluator.results().front();
}

Result<Json, PathError> Path::Assign(Json target, Json value) const {
  if (!impl_->reference || impl_->root != PathRoot::kData) {
    return Fail(PathError{"The path '" + impl_->text + "' is not a reference path"});
  }
  if (!path_internal::CanAssign(&target, impl_->tokens, 0)) {
    return Fail(
        PathError{"Unable to apply ReferencePath " + impl_->text + " to input " + target.dump()});
  }
  path_internal::AssignAt(target, impl_->tokens, std::move(value));
  return target;
}

std::string InvalidPathCause(const Path& path, const PathError& error) {
  return "Invalid path '" + path.text() + "' : " + error.message;
}

}  // namespace sluice::asl
