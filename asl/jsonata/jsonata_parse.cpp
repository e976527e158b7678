// JSONata lexer, Pratt parser, post-parse stage and signature parser (after jsonata-js 2.0.6).
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "asl/jsonata/jsonata_internal.h"

namespace sluice::asl::jsonata::internal {
namespace {

// Maximum nesting of the recursive-descent parser (guards the C++ stack).
constexpr int kMaxParseDepth = 500;

enum class TT { kOp, kNum, kStr, kValue, kName, kVar, kRegex, kEnd };

struct Tok {
  TT type = TT::kEnd;
  std::string v;  // operator, name, variable name, string contents, regex pattern
  Json lit;       // number / value literal
  std::string flags;
  int64_t pos = 0;
};

bool IsOpChar(char c) {
  return std::string_view(".[]{}(),@#;:?+-*/%|=<>^&!~").find(c) != std::string_view::npos;
}
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v'; }

// The tokenizer is driven by the parser: `infix` tells whether a '/' is division or a regex.
class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  // The next token; like jsonata-js, its position is the offset just past it.
  Tok Next(bool infix) {
    Tok t = Scan(infix);
    if (t.type != TT::kEnd) t.pos = Pos(i_);
    return t;
  }

 private:
  Tok Scan(bool infix) {
    while (i_ < s_.size() && IsSpace(s_[i_])) ++i_;
    if (s_.substr(i_, 2) == "/*") {
      size_t start = i_;
      size_t end = s_.find("*/", i_ + 2);
      if (end == std::string_view::npos) Throw("S0106", "Comment has no closing tag", Pos(start));
      i_ = end + 2;
      return Scan(infix);
    }
    Tok t;
    t.pos = Pos(i_);
    if (i_ >= s_.size()) return t;
    char c = s_[i_];
    if (!infix && c == '/') {
      ++i_;
      return Regex();
    }
    static const char* kTwo[] = {"..", ":=", "!=", ">=", "<=", "**", "~>"};
    for (const char* op : kTwo) {
      if (s_.substr(i_, 2) == op) {
        i_ += 2;
        return Op(op, t.pos);
      }
    }
    if (IsOpChar(c)) {
      ++i_;
      return Op(std::string(1, c), t.pos);
    }
    if (c == '"' || c == '\'') return String(c);
    if (c >= '0' && c <= '9') return Number();
    if (c == '`') {
      size_t end = s_.find('`', i_ + 1);
      if (end == std::string_view::npos) {
        i_ = s_.size();
        Throw("S0105", "Quoted property name must be terminated with a backquote (`)", Pos(i_));
      }
      t.type = TT::kName;
      t.v = std::string(s_.substr(i_ + 1, end - i_ - 1));
      i_ = end + 1;
      return t;
    }
    size_t j = i_;
    while (j < s_.size() && !IsSpace(s_[j]) && !IsOpChar(s_[j])) ++j;
    std::string name(s_.substr(i_, j - i_));
    i_ = j;
    if (name[0] == '$') {
      t.type = TT::kVar;
      t.v = name.substr(1);
    } else if (name == "and" || name == "or" || name == "in") {
      return Op(name, t.pos);
    } else if (name == "true" || name == "false" || name == "null") {
      t.type = TT::kValue;
      t.lit = name == "null" ? Json(nullptr) : Json(name == "true");
      t.v = name;
    } else {
      t.type = TT::kName;
      t.v = name;
    }
    return t;
  }

  static int64_t Pos(size_t i) { return static_cast<int64_t>(i); }

  static Tok Op(std::string v, int64_t pos) {
    Tok t;
    t.type = TT::kOp;
    t.v = std::move(v);
    t.pos = pos;
    return t;
  }

  Tok Regex() {
    size_t start = i_;
    int depth = 0;
    auto closing = [&](size_t p) {
      if (s_[p] != '/' || depth != 0) return false;
      size_t backslashes = 0;
      while (p >= backslashes + 1 && s_[p - backslashes - 1] == '\\') ++backslashes;
      return backslashes % 2 == 0;
    };
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (closing(i_)) {
        std::string pattern(s_.substr(start, i_ - start));
        if (pattern.empty()) Throw("S0301", "Empty regular expressions are not allowed", Pos(i_));
        ++i_;
        size_t fstart = i_;
        while (i_ < s_.size() && (s_[i_] == 'i' || s_[i_] == 'm')) ++i_;
        Tok t;
        t.type = TT::kRegex;
        t.v = pattern;
        t.flags = std::string(s_.substr(fstart, i_ - fstart));
        t.pos = Pos(start);
        return t;
      }
      bool escaped = i_ > 0 && s_[i_ - 1] == '\\';
      if ((c == '(' || c == '[' || c == '{') && !escaped) ++depth;
      if ((c == ')' || c == ']' || c == '}') && !escaped) --depth;
      ++i_;
    }
    Throw("S0302", "No terminating / in regular expression", Pos(i_));
  }

  Tok Number() {
    Tok t;
    t.pos = Pos(i_);
    size_t j = i_;
    auto digits = [&] {
      while (j < s_.size() && std::isdigit(static_cast<unsigned char>(s_[j]))) ++j;
    };
    if (s_[j] == '0') {
      ++j;
    } else {
      digits();
    }
    if (j + 1 < s_.size() && s_[j] == '.' && std::isdigit(static_cast<unsigned char>(s_[j + 1]))) {
      ++j;
      digits();
    }
    if (j < s_.size() && (s_[j] == 'e' || s_[j] == 'E')) {
      size_t k = j + 1;
      if (k < s_.size() && (s_[k] == '+' || s_[k] == '-')) ++k;
      if (k < s_.size() && std::isdigit(static_cast<unsigned char>(s_[k]))) {
        j = k;
        digits();
      }
    }
    std::string text(s_.substr(i_, j - i_));
    double n = std::strtod(text.c_str(), nullptr);
    if (!std::isfinite(n)) Throw("S0102", "Number out of range: " + text, t.pos);
    t.type = TT::kNum;
    t.lit = MakeNum(n);
    t.v = text;
    i_ = j;
    return t;
  }

  uint32_t Hex4(size_t at, int64_t pos) {
    if (at + 4 > s_.size())
      Throw("S0104", "The escape sequence \\u must be followed by 4 hex digits", pos);
    for (size_t k = at; k < at + 4; ++k) {
      if (!std::isxdigit(static_cast<unsigned char>(s_[k])))
        Throw("S0104", "The escape sequence \\u must be followed by 4 hex digits", pos);
    }
    return static_cast<uint32_t>(std::stoul(std::string(s_.substr(at, 4)), nullptr, 16));
  }

  Tok String(char quote) {
    Tok t;
    t.pos = Pos(i_);
    t.type = TT::kStr;
    ++i_;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == quote) {
        ++i_;
        return t;
      }
      if (c != '\\') {
        t.v += c;
        ++i_;
        continue;
      }
      ++i_;
      char e = i_ < s_.size() ? s_[i_] : '\0';
      switch (e) {
        case '"':
        case '\\':
        case '/':
          t.v += e;
          break;
        case 'b':
          t.v += '\b';
          break;
        case 'f':
          t.v += '\f';
          break;
        case 'n':
          t.v += '\n';
          break;
        case 'r':
          t.v += '\r';
          break;
        case 't':
          t.v += '\t';
          break;
        case 'u': {
          uint32_t cp = Hex4(i_ + 1, Pos(i_));
          i_ += 4;
          // Combine a surrogate pair written as two escapes.
          if (cp >= 0xD800 && cp < 0xDC00 && s_.substr(i_ + 1, 2) == "\\u" && i_ + 7 <= s_.size()) {
            bool hex = true;
            for (size_t k = i_ + 3; k < i_ + 7; ++k)
              hex = hex && std::isxdigit(static_cast<unsigned char>(s_[k]));
            uint32_t lo = hex ? Hex4(i_ + 3, Pos(i_)) : 0;
            if (lo >= 0xDC00 && lo < 0xE000) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
              i_ += 6;
            }
          }
          AppendUtf8(t.v, cp);
          break;
        }
        default:
          Throw("S0103", std::string("Unsupported escape sequence: \\") + e, Pos(i_));
      }
      ++i_;
    }
    Throw("S0101", "String literal must be terminated by a matching quote", Pos(i_));
  }

  std::string_view s_;
  size_t i_ = 0;
};

std::shared_ptr<std::regex> CompileRegex(const std::string& pattern, std::regex::flag_type flags,
                                         int64_t pos) {
  bool alternation = false, backref = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\' && i + 1 < pattern.size()) {
      backref = backref || (pattern[i + 1] >= '1' && pattern[i + 1] <= '9');
      ++i;
    } else if (pattern[i] == '|') {
      alternation = true;
    }
  }
  try {
    if (backref) return std::make_shared<JRegex>(pattern, flags);
    auto poly = kPolynomialRegex;
    if (!alternation) return std::make_shared<JRegex>(pattern, flags | poly);
    auto re = std::make_shared<JRegex>(pattern, flags);
    re->poly = std::make_shared<std::regex>(pattern, flags | poly);
    return re;
  } catch (const std::regex_error&) {
    Throw("S0303", "Invalid regular expression: " + pattern, pos);
  }
}

int Lbp(const Tok& t) {
  if (t.type != TT::kOp) return 0;
  static const std::pair<const char*, int> kBp[] = {
      {".", 75},   {"[", 80},  {"{", 70},  {"(", 80},  {"@", 80},  {"#", 80},  {"?", 20},
      {"+", 50},   {"-", 50},  {"*", 60},  {"/", 60},  {"%", 60},  {"=", 40},  {"<", 40},
      {">", 40},   {"^", 40},  {":=", 10}, {"!=", 40}, {"<=", 40}, {">=", 40}, {"~>", 40},
      {"and", 30}, {"or", 25}, {"in", 40}, {"&", 50}};
  for (const auto& [op, bp] : kBp) {
    if (t.v == op) return bp;
  }
  return 0;
}

bool KnownOp(const std::string& v) {
  static const char* kOps[] = {
      ".",  "[",  "]",  "{",  "}",  "(",  ")",   ",",  "@",  "#", ";", ":",
      "?",  "+",  "-",  "*",  "/",  "%",  "|",   "=",  "<",  ">", "^", "**",
      "..", ":=", "!=", "<=", ">=", "~>", "and", "or", "in", "&"};
  for (const char* op : kOps) {
    if (v == op) return true;
  }
  return false;
}

NodeP Make(NK k, int64_t pos) {
  auto n = std::make_shared<Node>();
  n->k = k;
  n->pos = pos;
  return n;
}

class Parser {
 public:
  explicit Parser(std::string_view src) : src_(src), lex_(src) {}

  NodeP Run() {
    Advance(nullptr, false);
    NodeP n = Expression(0);
    if (cur_.type != TT::kEnd) Throw("S0201", "Syntax error: \"" + cur_.v + "\"", cur_.pos);
    return n;
  }

 private:
  bool Is(const char* op) const { return cur_.type == TT::kOp && cur_.v == op; }

  // Checks the current token is `id` (when given), then reads the next one.
  void Advance(const char* id, bool infix) {
    if (id && !Is(id)) {
      if (cur_.type == TT::kEnd)
        Throw("S0203", std::string("Expected \"") + id + "\" before end of expression", cur_.pos);
      Throw("S0202", std::string("Expected \"") + id + "\", got \"" + cur_.v + "\"", cur_.pos);
    }
    cur_ = lex_.Next(infix);
    if (cur_.type == TT::kEnd) cur_.pos = static_cast<int64_t>(src_.size());
    if (cur_.type == TT::kOp && !KnownOp(cur_.v))
      Throw("S0204", "Unknown operator: \"" + cur_.v + "\"", cur_.pos);
  }

  NodeP Expression(int rbp) {
    struct Nest {
      explicit Nest(int& d) : d_(d) { ++d_; }
      ~Nest() { --d_; }
      int& d_;
    } nest(depth_);
    if (depth_ > kMaxParseDepth) Throw("U1001", "Expression is nested too deeply", cur_.pos);
    Tok t = cur_;
    Advance(nullptr, true);
    NodeP left = Nud(t);
    while (rbp < Lbp(cur_)) {
      Tok op = cur_;
      Advance(nullptr, false);
      left = Led(op, left);
    }
    return left;
  }

  NodeP Nud(const Tok& t) {
    switch (t.type) {
      case TT::kEnd: {
        NodeP n = Make(NK::kRawOperator, t.pos);
        n->s = "(end)";
        return n;
      }
      case TT::kNum:
      case TT::kValue: {
        NodeP n = Make(NK::kLit, t.pos);
        n->lit = t.lit;
        n->s = t.type == TT::kNum ? "number" : "value";
        return n;
      }
      case TT::kStr: {
        NodeP n = Make(NK::kLit, t.pos);
        n->lit = t.v;
        n->s = "string";
        return n;
      }
      case TT::kRegex: {
        NodeP n = Make(NK::kRegex, t.pos);
        n->s = t.v;
        auto flags = std::regex::ECMAScript;
        if (t.flags.find('i') != std::string::npos) flags |= std::regex::icase;
        if (t.flags.find('m') != std::string::npos) flags |= std::regex::multiline;
        n->re = CompileRegex(t.v, flags, t.pos);
        return n;
      }
      case TT::kVar: {
        NodeP n = Make(NK::kVar, t.pos);
        n->s = t.v;
        return n;
      }
      case TT::kName: {
        NodeP n = Make(NK::kName, t.pos);
        n->s = t.v;
        return n;
      }
      case TT::kOp:
        return OpNud(t);
    }
    Throw("S0211", "The symbol " + t.v + " cannot be used as a unary operator", t.pos);
  }

  NodeP OpNud(const Tok& t) {
    const std::string& v = t.v;
    if (v == "and" || v == "or" || v == "in") {
      NodeP n = Make(NK::kRawOperator, t.pos);
      n->s = v;
      return n;
    }
    if (v == "-") {
      NodeP n = Make(NK::kNeg, t.pos);
      n->expr = Expression(70);
      return n;
    }
    if (v == "*") return Make(NK::kWildcard, t.pos);
    if (v == "**") return Make(NK::kDescendant, t.pos);
    if (v == "%") return Make(NK::kParent, t.pos);
    if (v == "(") {
      NodeP n = Make(NK::kBlock, t.pos);
      while (!Is(")")) {
        n->items.push_back(Expression(0));
        if (!Is(";")) break;
        Advance(";", false);
      }
      Advance(")", true);
      return n;
    }
    if (v == "[") {
      NodeP n = Make(NK::kArray, t.pos);
      if (!Is("]")) {
        for (;;) {
          NodeP item = Expression(0);
          if (Is("..")) {
            NodeP range = Make(NK::kBinary, cur_.pos);
            range->s = "..";
            range->lhs = item;
            Advance("..", false);
            range->rhs = Expression(0);
            item = range;
          }
          n->items.push_back(item);
          if (!Is(",")) break;
          Advance(",", false);
        }
      }
      Advance("]", true);
      return n;
    }
    if (v == "{") {
      NodeP n = Make(NK::kObject, t.pos);
      n->pairs = ObjectPairs();
      return n;
    }
    if (v == "|") {
      NodeP n = Make(NK::kTransform, t.pos);
      n->pattern = Expression(0);
      Advance("|", false);
      n->update = Expression(0);
      if (Is(",")) {
        Advance(",", false);
        n->del = Expression(0);
      }
      Advance("|", false);
      return n;
    }
    Throw("S0211", "The symbol " + v + " cannot be used as a unary operator", t.pos);
  }

  std::vector<std::pair<NodeP, NodeP>> ObjectPairs() {
    std::vector<std::pair<NodeP, NodeP>> pairs;
    if (!Is("}")) {
      for (;;) {
        NodeP k = Expression(0);
        Advance(":", false);
        NodeP val = Expression(0);
        pairs.emplace_back(k, val);
        if (!Is(",")) break;
        Advance(",", false);
      }
    }
    Advance("}", true);
    return pairs;
  }

  NodeP Raw(const Tok& t, NodeP left) {
    NodeP n = Make(NK::kRawBinary, t.pos);
    n->s = t.v;
    n->lhs = std::move(left);
    return n;
  }

  NodeP Led(const Tok& t, NodeP left) {
    const std::string& v = t.v;
    if (v == "(") return Call(t, left);
    if (v == "[") {
      if (Is("]")) {
        // An empty predicate keeps singleton arrays in the output.
        Node* step = left.get();
        while (step && step->k == NK::kRawBinary && step->s == "[") step = step->lhs.get();
        step->keep_array = true;
        Advance("]", false);
        return left;
      }
      NodeP n = Raw(t, left);
      n->rhs = Expression(0);
      Advance("]", true);
      return n;
    }
    if (v == "^") {
      NodeP n = Raw(t, left);
      Advance("(", false);
      for (;;) {
        SortTerm term;
        if (Is("<")) {
          Advance("<", false);
        } else if (Is(">")) {
          term.descending = true;
          Advance(">", false);
        }
        term.expr = Expression(0);
        n->terms.push_back(term);
        if (!Is(",")) break;
        Advance(",", false);
      }
      Advance(")", false);
      return n;
    }
    if (v == "{") {
      NodeP n = Raw(t, left);
      n->pairs = ObjectPairs();
      return n;
    }
    if (v == ":=") {
      if (left->k != NK::kVar)
        Throw("S0212", "The left side of := must be a variable name (start with $)", left->pos);
      NodeP n = Raw(t, left);
      n->rhs = Expression(9);
      return n;
    }
    if (v == "@" || v == "#") {
      NodeP n = Raw(t, left);
      n->rhs = Expression(80);
      if (n->rhs->k != NK::kVar)
        Throw("S0214", "The right side of " + v + " must be a variable name (start with $)",
              n->rhs->pos);
      return n;
    }
    if (v == "?") {
      NodeP n = Make(NK::kCond, t.pos);
      n->cond = left;
      n->then_ = Expression(0);
      if (Is(":")) {
        Advance(":", false);
        n->else_ = Expression(0);
      }
      return n;
    }
    if (v == "." || v == "~>") {
      NodeP n = Raw(t, left);
      n->rhs = Expression(Lbp(t));
      return n;
    }
    NodeP n = Make(NK::kBinary, t.pos);
    n->s = v;
    n->lhs = left;
    n->rhs = Expression(Lbp(t));
    return n;
  }

  NodeP Call(const Tok& t, NodeP left) {
    NodeP n = Make(NK::kCall, t.pos);
    n->proc = left;
    if (!Is(")")) {
      for (;;) {
        if (Is("?")) {
          n->k = NK::kPartial;
          n->items.push_back(Make(NK::kPlaceholder, cur_.pos));
          Advance("?", false);
        } else {
          n->items.push_back(Expression(0));
        }
        if (!Is(",")) break;
        Advance(",", false);
      }
    }
    Advance(")", true);
    if (left->k != NK::kName || (left->s != "function" && left->s != "\xce\xbb")) return n;
    // A function definition (lambda).
    NodeP fn = Make(NK::kLambda, t.pos);
    for (size_t i = 0; i < n->items.size(); ++i) {
      const NodeP& arg = n->items[i];
      if (arg->k != NK::kVar)
        Throw("S0208",
              "Parameter " + std::to_string(i + 1) +
                  " of function definition must be a variable name (start with $)",
              arg->pos);
      fn->params.push_back(arg->s);
    }
    if (Is("<")) {
      int64_t sig_pos = cur_.pos;
      int depth = 1;
      std::string sig = "<";
      while (depth > 0 && !Is("{") && cur_.type != TT::kEnd) {
        Advance(nullptr, false);
        if (Is(">")) {
          --depth;
        } else if (Is("<")) {
          ++depth;
        }
        sig += cur_.v;
      }
      Advance(">", false);
      try {
        fn->sig = ParseSignature(sig);
      } catch (JErr& e) {
        e.pos += sig_pos;
        throw;
      }
    }
    Advance("{", false);
    fn->body = Expression(0);
    Advance("}", false);
    return fn;
  }

  std::string_view src_;
  Lexer lex_;
  Tok cur_;
  int depth_ = 0;
};

// The post-parse stage: flattens paths into steps, attaches predicates and group-by clauses,
// resolves parent (%) references and marks tail calls.
class PostParser {
 public:
  NodeP Run(const NodeP& raw) {
    NodeP expr = Process(raw);
    if (expr->k == NK::kParent || expr->seeking)
      Throw("S0217", "The object representing the 'parent' cannot be derived from this expression",
            expr->pos);
    return expr;
  }

 private:
  static NodeP TailCallOptimize(const NodeP& expr) {
    if (expr->k == NK::kCall && !expr->has_predicate) {
      NodeP thunk = Make(NK::kLambda, expr->pos);
      thunk->thunk = true;
      thunk->body = expr;
      return thunk;
    }
    if (expr->k == NK::kCond) {
      expr->then_ = TailCallOptimize(expr->then_);
      if (expr->else_) expr->else_ = TailCallOptimize(expr->else_);
    } else if (expr->k == NK::kBlock && !expr->items.empty()) {
      expr->items.back() = TailCallOptimize(expr->items.back());
    }
    return expr;
  }

  [[noreturn]] static void NoParent(const Node& node) {
    Throw("S0217", "The object representing the 'parent' cannot be derived from this expression",
          node.pos);
  }

  SlotP SeekParent(const NodeP& node, SlotP slot) {
    switch (node->k) {
      case NK::kName:
      case NK::kWildcard:
        if (--slot->level == 0) {
          if (node->ancestor) slot->label = node->ancestor->label;  // reuse the existing label
          node->ancestor = slot;
          node->tuple = true;
        }
        break;
      case NK::kParent:
        ++slot->level;
        break;
      case NK::kBlock:
        if (!node->items.empty()) {
          node->tuple = true;
          slot = SeekParent(node->items.back(), slot);
        }
        break;
      case NK::kPath: {
        node->tuple = true;
        int index = static_cast<int>(node->steps().size()) - 1;
        slot = SeekParent(node->steps()[static_cast<size_t>(index--)], slot);
        while (slot->level > 0 && index >= 0)
          slot = SeekParent(node->steps()[static_cast<size_t>(index--)], slot);
        break;
      }
      default:
        NoParent(*node);
    }
    return slot;
  }

  static void PushAncestry(Node& result, const Node& value) {
    if (!value.seeking && value.k != NK::kParent) return;
    SlotList slots = value.seeking ? value.seeking : std::make_shared<std::vector<SlotP>>();
    if (value.k == NK::kParent) slots->push_back(value.slot);
    if (!result.seeking) {
      result.seeking = slots;
    } else {
      std::vector<SlotP> copy = *slots;
      result.seeking->insert(result.seeking->end(), copy.begin(), copy.end());
    }
  }

  void ResolveAncestry(Node& path) {
    auto& steps = path.steps();
    int index = static_cast<int>(steps.size()) - 1;
    const NodeP& last = steps[static_cast<size_t>(index)];
    SlotList slots = last->seeking ? last->seeking : std::make_shared<std::vector<SlotP>>();
    if (last->k == NK::kParent) slots->push_back(last->slot);
    for (size_t is = 0; is < slots->size(); ++is) {
      SlotP slot = (*slots)[is];
      index = static_cast<int>(steps.size()) - 2;
      while (slot->level > 0) {
        if (index < 0) {
          if (!path.seeking) path.seeking = std::make_shared<std::vector<SlotP>>();
          path.seeking->push_back(slot);
          break;
        }
        NodeP step = steps[static_cast<size_t>(index--)];
        // Contiguous steps that bind the focus are skipped.
        while (index >= 0 && !step->focus.empty() &&
               !steps[static_cast<size_t>(index)]->focus.empty())
          step = steps[static_cast<size_t>(index--)];
        slot = SeekParent(step, slot);
      }
    }
  }

  static NodeP AsPath(const NodeP& n) {
    if (n->k == NK::kPath) return n;
    NodeP p = Make(NK::kPath, n->pos);
    p->steps().push_back(n);
    return p;
  }

  NodeP Process(const NodeP& expr) {
    NodeP result;
    switch (expr->k) {
      case NK::kRawBinary:
        result = ProcessRawBinary(expr);
        break;
      case NK::kBinary: {
        result = Make(NK::kBinary, expr->pos);
        result->s = expr->s;
        result->lhs = Process(expr->lhs);
        result->rhs = Process(expr->rhs);
        PushAncestry(*result, *result->lhs);
        PushAncestry(*result, *result->rhs);
        break;
      }
      case NK::kArray: {
        result = Make(NK::kArray, expr->pos);
        for (const auto& item : expr->items) {
          NodeP value = Process(item);
          PushAncestry(*result, *value);
          result->items.push_back(value);
        }
        break;
      }
      case NK::kObject: {
        result = Make(NK::kObject, expr->pos);
        for (const auto& [k, v] : expr->pairs) {
          NodeP key = Process(k);
          PushAncestry(*result, *key);
          NodeP value = Process(v);
          PushAncestry(*result, *value);
          result->pairs.emplace_back(key, value);
        }
        break;
      }
      case NK::kNeg: {
        result = Make(NK::kNeg, expr->pos);
        result->expr = Process(expr->expr);
        if (result->expr->k == NK::kLit && result->expr->s == "number") {
          result = result->expr;
          result->lit = MakeNum(-result->lit.get<double>());
        } else {
          PushAncestry(*result, *result->expr);
        }
        break;
      }
      case NK::kCall:
      case NK::kPartial: {
        result = Make(expr->k, expr->pos);
        for (const auto& arg : expr->items) {
          NodeP a = arg->k == NK::kPlaceholder ? arg : Process(arg);
          PushAncestry(*result, *a);
          result->items.push_back(a);
        }
        result->proc = Process(expr->proc);
        break;
      }
      case NK::kLambda: {
        result = Make(NK::kLambda, expr->pos);
        result->params = expr->params;
        result->sig = expr->sig;
        result->body = TailCallOptimize(Process(expr->body));
        break;
      }
      case NK::kCond: {
        result = Make(NK::kCond, expr->pos);
        result->cond = Process(expr->cond);
        PushAncestry(*result, *result->cond);
        result->then_ = Process(expr->then_);
        PushAncestry(*result, *result->then_);
        if (expr->else_) {
          result->else_ = Process(expr->else_);
          PushAncestry(*result, *result->else_);
        }
        break;
      }
      case NK::kTransform: {
        result = Make(NK::kTransform, expr->pos);
        result->pattern = Process(expr->pattern);
        result->update = Process(expr->update);
        if (expr->del) result->del = Process(expr->del);
        break;
      }
      case NK::kBlock: {
        result = Make(NK::kBlock, expr->pos);
        for (const auto& item : expr->items) {
          NodeP part = Process(item);
          PushAncestry(*result, *part);
          if (part->cons_array || (part->k == NK::kPath && part->steps()[0]->cons_array))
            result->cons_array = true;
          result->items.push_back(part);
        }
        break;
      }
      case NK::kName: {
        result = AsPath(expr);
        if (expr->keep_array) result->keep_singleton = true;
        break;
      }
      case NK::kParent: {
        result = Make(NK::kParent, expr->pos);
        result->slot = std::make_shared<Slot>();
        result->slot->label = "!" + std::to_string(label_++);
        result->slot->index = index_++;
        break;
      }
      case NK::kLit:
      case NK::kWildcard:
      case NK::kDescendant:
      case NK::kVar:
      case NK::kRegex:
        result = expr;
        break;
      case NK::kRawOperator:
        if (expr->s == "and" || expr->s == "or" || expr->s == "in") {
          expr->k = NK::kName;
          result = Process(expr);
        } else if (expr->s == "(end)") {
          Throw("S0207", "Unexpected end of expression", expr->pos);
        } else {
          Throw("S0201", "Syntax error: \"" + expr->s + "\"", expr->pos);
        }
        break;
      default:
        Throw("S0206", "Unknown expression type", expr->pos);
    }
    if (expr->keep_array) result->keep_array = true;
    return result;
  }

  NodeP ProcessRawBinary(const NodeP& expr) {
    const std::string& op = expr->s;
    if (op == ".") return ProcessDot(expr);
    if (op == "[") return ProcessPredicate(expr);
    if (op == "{") {
      NodeP result = Process(expr->lhs);
      if (result->group)
        Throw("S0210", "Each step can only have one grouping expression", expr->pos);
      result->group = std::make_shared<GroupBy>();
      result->group->pos = expr->pos;
      for (const auto& [k, v] : expr->pairs)
        result->group->pairs.emplace_back(Process(k), Process(v));
      return result;
    }
    if (op == "^") {
      NodeP result = AsPath(Process(expr->lhs));
      NodeP sort = Make(NK::kSort, expr->pos);
      for (const auto& term : expr->terms) {
        NodeP e = Process(term.expr);
        PushAncestry(*sort, *e);
        sort->terms.push_back({term.descending, e});
      }
      result->steps().push_back(sort);
      ResolveAncestry(*result);
      return result;
    }
    if (op == ":=") {
      NodeP result = Make(NK::kBind, expr->pos);
      result->s = expr->lhs->s;
      result->lhs = Process(expr->lhs);
      result->rhs = Process(expr->rhs);
      PushAncestry(*result, *result->rhs);
      return result;
    }
    if (op == "@") {
      NodeP result = Process(expr->lhs);
      NodeP step = result->k == NK::kPath ? result->steps().back() : result;
      if (step->has_stages || step->has_predicate)
        Throw("S0215", "A context variable binding must precede any predicates on a step",
              expr->pos);
      if (step->k == NK::kSort)
        Throw("S0216", "A context variable binding must precede the 'order-by' clause on a step",
              expr->pos);
      if (expr->keep_array) step->keep_array = true;
      step->focus = expr->rhs->s;
      step->tuple = true;
      return result;
    }
    if (op == "#") {
      NodeP result = Process(expr->lhs);
      NodeP step = result;
      if (result->k == NK::kPath) {
        step = result->steps().back();
      } else {
        result = AsPath(result);
        if (step->has_predicate) {
          step->stages = std::move(step->predicate);
          step->predicate.clear();
          step->has_stages = true;
          step->has_predicate = false;
        }
      }
      if (!step->has_stages) {
        step->index = expr->rhs->s;
      } else {
        Stage st;
        st.is_index = true;
        st.var = expr->rhs->s;
        st.pos = expr->pos;
        step->stages.push_back(st);
      }
      step->tuple = true;
      return result;
    }
    // "~>"
    NodeP result = Make(NK::kApply, expr->pos);
    result->lhs = Process(expr->lhs);
    result->rhs = Process(expr->rhs);
    result->keep_array = result->lhs->keep_array || result->rhs->keep_array;
    return result;
  }

  NodeP ProcessDot(const NodeP& expr) {
    NodeP lstep = Process(expr->lhs);
    NodeP result = AsPath(lstep);
    if (lstep->k == NK::kParent) {
      result->seeking = std::make_shared<std::vector<SlotP>>();
      result->seeking->push_back(lstep->slot);
    }
    NodeP rest = Process(expr->rhs);
    auto& steps = result->steps();
    if (rest->k == NK::kPath) {
      steps.insert(steps.end(), rest->steps().begin(), rest->steps().end());
    } else {
      if (rest->has_predicate) {
        rest->stages = std::move(rest->predicate);
        rest->predicate.clear();
        rest->has_stages = true;
        rest->has_predicate = false;
      }
      steps.push_back(rest);
    }
    for (const auto& step : steps) {
      if (step->k == NK::kLit && step->s != "string")
        Throw("S0213",
              "The literal value " + step->lit.dump() +
                  " cannot be used as a step within a path expression",
              step->pos);
      if (step->k == NK::kLit) {
        step->k = NK::kName;
        step->s = step->lit.get<std::string>();
      }
    }
    for (const auto& step : steps) {
      if (step->keep_array) result->keep_singleton = true;
    }
    if (steps.front()->k == NK::kArray) steps.front()->cons_array = true;
    if (steps.back()->k == NK::kArray) steps.back()->cons_array = true;
    ResolveAncestry(*result);
    return result;
  }

  NodeP ProcessPredicate(const NodeP& expr) {
    NodeP result = Process(expr->lhs);
    NodeP step = result;
    bool stages = false;
    if (result->k == NK::kPath) {
      step = result->steps().back();
      stages = true;
    }
    if (step->group)
      Throw("S0209", "A predicate cannot follow a grouping expression in a step", expr->pos);
    NodeP predicate = Process(expr->rhs);
    if (predicate->seeking) {
      for (const auto& slot : *predicate->seeking) {
        if (slot->level == 1) {
          SeekParent(step, slot);
        } else {
          --slot->level;
        }
      }
      PushAncestry(*step, *predicate);
    }
    Stage st;
    st.expr = predicate;
    st.pos = expr->pos;
    if (stages) {
      step->stages.push_back(st);
      step->has_stages = true;
    } else {
      step->predicate.push_back(st);
      step->has_predicate = true;
    }
    return result;
  }

  int label_ = 0;
  int index_ = 0;
};

[[noreturn]] void SigOffsetError(const char* code, const std::string& msg, size_t offset) {
  Throw(code, msg, static_cast<int64_t>(offset));
}

}  // namespace

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

void Throw(const char* code, const std::string& msg, int64_t pos) { throw JErr{code, msg, pos}; }

Json MakeNum(double d) {
  if (std::floor(d) == d && std::fabs(d) < 9007199254740992.0) return Json(static_cast<int64_t>(d));
  return Json(d);
}

SigP ParseSignature(const std::string& sig) {
  auto out = std::make_shared<Signature>();
  out->definition = sig;
  auto closing = [&](size_t start, char open, char close) {
    int depth = 1;
    size_t p = start;
    while (p < sig.size()) {
      ++p;
      if (p >= sig.size()) break;
      if (sig[p] == close) {
        if (--depth == 0) break;
      } else if (sig[p] == open) {
        ++depth;
      }
    }
    return p;
  };
  SigParam* prev = nullptr;
  for (size_t pos = 1; pos < sig.size(); ++pos) {
    char c = sig[pos];
    if (c == ':') break;
    SigParam p;
    switch (c) {
      case 's':
      case 'n':
      case 'b':
      case 'l':
      case 'o':
        p.cls = std::string(1, c) + "m";
        break;
      case 'a':
        p.cls = "asnblfom";
        break;
      case 'f':
        p.cls = "f";
        break;
      case 'j':
        p.cls = "asnblom";
        break;
      case 'x':
        p.cls = "asnblfom";
        break;
      case '-':
        if (prev) {
          prev->context = true;
          prev->ctx_cls = prev->cls;
          prev->quant += "?";
        }
        continue;
      case '?':
      case '+':
        if (prev) prev->quant += c;
        continue;
      case '(': {
        size_t end = closing(pos, '(', ')');
        std::string choice = sig.substr(pos + 1, end - pos - 1);
        if (choice.find('<') != std::string::npos)
          SigOffsetError("S0402", "Choice groups containing parameterized types are not supported",
                         pos);
        p.cls = choice + "m";
        p.type = '(';
        pos = end;
        out->params.push_back(p);
        prev = &out->params.back();
        continue;
      }
      case '<': {
        if (!prev || (prev->type != 'a' && prev->type != 'f'))
          SigOffsetError("S0401", "Type parameters can only be applied to functions and arrays",
                         pos);
        size_t end = closing(pos, '<', '>');
        prev->subtype = sig.substr(pos + 1, end - pos - 1);
        pos = end;
        continue;
      }
      default:
        continue;
    }
    p.type = c;
    out->params.push_back(p);
    prev = &out->params.back();
  }
  return out;
}

NodeP ParseText(std::string_view text) {
  Parser parser(text);
  NodeP raw = parser.Run();
  PostParser post;
  return post.Run(raw);
}

}  // namespace sluice::asl::jsonata::internal
