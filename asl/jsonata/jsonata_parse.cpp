// JSONata lexer and Pratt parser.
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "asl/jsonata/jsonata_internal.h"

namespace sluice::asl::jsonata::internal {
namespace {

enum class TT { kOp, kNum, kStr, kName, kVar, kRegex, kEnd };

struct Tok {
  TT type = TT::kEnd;
  std::string v;
  double n = 0;
  int64_t pos = 0;
};

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  std::vector<Tok> All() {
    std::vector<Tok> out;
    for (;;) {
      bool prefix = out.empty() || (out.back().type == TT::kOp && out.back().v != ")" &&
                                    out.back().v != "]" && out.back().v != "}");
      Tok t = Next(prefix);
      out.push_back(t);
      if (t.type == TT::kEnd) return out;
    }
  }

 private:
  Tok Next(bool prefix) {
    SkipSpace();
    Tok t;
    t.pos = static_cast<int64_t>(i_);
    if (i_ >= s_.size()) return t;
    char c = s_[i_];
    if (prefix && c == '/') return Regex();
    auto two = s_.substr(i_, 2);
    static const char* kTwo[] = {"..", ":=", "!=", ">=", "<=", "**", "~>"};
    for (const char* op : kTwo) {
      if (two == op) {
        i_ += 2;
        t.type = TT::kOp;
        t.v = op;
        return t;
      }
    }
    if (std::string_view("[]{}().,@#;:?+-*/%|=<>^&!~").find(c) != std::string_view::npos) {
      ++i_;
      t.type = TT::kOp;
      t.v = std::string(1, c);
      return t;
    }
    if (c == '"' || c == '\'') return String(c);
    if (c >= '0' && c <= '9') return Number();
    if (c == '`') {
      size_t end = s_.find('`', i_ + 1);
      if (end == std::string_view::npos)
        Throw("S0105", "Quoted property name must be terminated with a backquote (`)", t.pos);
      t.type = TT::kName;
      t.v = std::string(s_.substr(i_ + 1, end - i_ - 1));
      i_ = end + 1;
      return t;
    }
    size_t j = i_;
    while (j < s_.size() && !IsDelim(s_[j])) ++j;
    std::string name(s_.substr(i_, j - i_));
    i_ = j;
    if (name[0] == '$') {
      t.type = TT::kVar;
      t.v = name.substr(1);
    } else if (name == "and" || name == "or" || name == "in") {
      t.type = TT::kOp;
      t.v = name;
    } else {
      t.type = TT::kName;
      t.v = name;
    }
    return t;
  }

  static bool IsDelim(char c) {
    return std::string_view(" \t\n\r\v\f[]{}().,@#;:?+-*/%|=<>^&!~\"'`").find(c) !=
           std::string_view::npos;
  }

  void SkipSpace() {
    for (;;) {
      while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
      if (s_.substr(i_, 2) == "/*") {
        size_t end = s_.find("*/", i_ + 2);
        if (end == std::string_view::npos)
          Throw("S0106", "Comment has no closing tag", static_cast<int64_t>(i_));
        i_ = end + 2;
        continue;
      }
      return;
    }
  }

  Tok Regex() {
    Tok t;
    t.pos = static_cast<int64_t>(i_);
    size_t j = i_ + 1;
    int depth = 0;
    while (j < s_.size()) {
      char c = s_[j];
      if (c == '\\') {
        j += 2;
        continue;
      }
      if (c == '[') depth = 1;
      if (c == ']') depth = 0;
      if (c == '/' && depth == 0) break;
      ++j;
    }
    if (j >= s_.size()) Throw("S0302", "No terminating / in regular expression", t.pos);
    std::string pattern(s_.substr(i_ + 1, j - i_ - 1));
    if (pattern.empty()) Throw("S0301", "Empty regular expressions are not allowed", t.pos);
    ++j;
    size_t k = j;
    while (k < s_.size() && (s_[k] == 'i' || s_[k] == 'm')) ++k;
    t.type = TT::kRegex;
    t.v = pattern + "/" + std::string(s_.substr(j, k - j));
    i_ = k;
    return t;
  }

  Tok Number() {
    Tok t;
    t.pos = static_cast<int64_t>(i_);
    size_t j = i_;
    auto digits = [&] {
      while (j < s_.size() && std::isdigit(static_cast<unsigned char>(s_[j]))) ++j;
    };
    digits();
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
    t.n = std::strtod(text.c_str(), nullptr);
    if (!std::isfinite(t.n)) Throw("S0102", "Number out of range: " + text, t.pos);
    t.type = TT::kNum;
    i_ = j;
    return t;
  }

  Tok String(char quote) {
    Tok t;
    t.pos = static_cast<int64_t>(i_);
    t.type = TT::kStr;
    size_t j = i_ + 1;
    while (j < s_.size() && s_[j] != quote) {
      char c = s_[j];
      if (c != '\\') {
        t.v += c;
        ++j;
        continue;
      }
      if (j + 1 >= s_.size()) break;
      char e = s_[j + 1];
      j += 2;
      switch (e) {
        case '"':
        case '\\':
        case '/':
        case '\'':
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
          auto hex = [&](size_t at) -> uint32_t {
            if (at + 4 > s_.size())
              Throw("S0104", "The escape sequence \\u must be followed by 4 hex digits", t.pos);
            std::string h(s_.substr(at, 4));
            for (char x : h) {
              if (!std::isxdigit(static_cast<unsigned char>(x)))
                Throw("S0104", "The escape sequence \\u must be followed by 4 hex digits", t.pos);
            }
            return static_cast<uint32_t>(std::stoul(h, nullptr, 16));
          };
          uint32_t cp = hex(j);
          j += 4;
          if (cp >= 0xD800 && cp < 0xDC00 && s_.substr(j, 2) == "\\u") {
            uint32_t lo = hex(j + 2);
            if (lo >= 0xDC00 && lo < 0xE000) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
              j += 6;
            }
          }
          AppendUtf8(t.v, cp);
          break;
        }
        default:
          Throw("S0103", std::string("Unsupported escape sequence: \\") + e, t.pos);
      }
    }
    if (j >= s_.size())
      Throw("S0101", "String literal must be terminated by a matching quote", t.pos);
    i_ = j + 1;
    return t;
  }

  std::string_view s_;
  size_t i_ = 0;
};

int Lbp(const Tok& t) {
  if (t.type != TT::kOp) return 0;
  const std::string& v = t.v;
  if (v == ".") return 75;
  if (v == "[" || v == "(" || v == "@" || v == "#") return 80;
  if (v == "{") return 70;
  if (v == "?" || v == "|" || v == "..") return 20;
  if (v == "+" || v == "-" || v == "&") return 50;
  if (v == "*" || v == "/" || v == "%") return 60;
  if (v == "=" || v == "<" || v == ">" || v == "^" || v == "!=" || v == "<=" || v == ">=" ||
      v == "~>" || v == "in")
    return 40;
  if (v == ":=") return 10;
  if (v == "and") return 30;
  if (v == "or") return 25;
  return 0;
}

class Parser {
 public:
  explicit Parser(std::vector<Tok> toks) : toks_(std::move(toks)) {}

  NodeP Run() {
    NodeP n = Expr(0);
    if (Cur().type != TT::kEnd) Throw("S0201", "Syntax error: \"" + Cur().v + "\"", Cur().pos);
    return n;
  }

 private:
  const Tok& Cur() const { return toks_[p_]; }
  Tok Advance() {
    Tok t = toks_[p_];
    if (t.type != TT::kEnd) ++p_;
    return t;
  }
  bool IsOp(const char* v) const { return Cur().type == TT::kOp && Cur().v == v; }
  void Expect(const char* v) {
    if (!IsOp(v)) {
      if (Cur().type == TT::kEnd)
        Throw("S0203", std::string("Expected \"") + v + "\" before end of expression", Cur().pos);
      Throw("S0202", std::string("Expected \"") + v + "\", got \"" + Cur().v + "\"", Cur().pos);
    }
    Advance();
  }

  static NodeP Make(NK k, int64_t pos) {
    auto n = std::make_shared<Node>();
    n->k = k;
    n->pos = pos;
    return n;
  }

  NodeP Expr(int rbp) {
    // Bound the nesting so a hostile expression cannot overflow the stack.
    struct Nest {
      explicit Nest(int& d) : d_(d) { ++d_; }
      ~Nest() { --d_; }
      int& d_;
    } nest(depth_);
    if (depth_ > 500) Throw("U1001", "Expression is nested too deeply", Cur().pos);
    Tok t = Advance();
    NodeP left = Nud(t);
    while (rbp < Lbp(Cur())) {
      Tok op = Advance();
      left = Led(op, left);
    }
    return left;
  }

  NodeP Nud(const Tok& t) {
    switch (t.type) {
      case TT::kEnd:
        Throw("S0207", "Unexpected end of expression", t.pos);
      case TT::kNum: {
        NodeP n = Make(NK::kLit, t.pos);
        n->lit = MakeNum(t.n);
        return n;
      }
      case TT::kStr: {
        NodeP n = Make(NK::kLit, t.pos);
        n->lit = t.v;
        return n;
      }
      case TT::kRegex: {
        NodeP n = Make(NK::kRegex, t.pos);
        size_t slash = t.v.rfind('/');
        n->s = t.v.substr(0, slash);
        auto flags = std::regex::ECMAScript;
        if (t.v.find('i', slash) != std::string::npos) flags |= std::regex::icase;
        try {
          n->re = std::make_shared<std::regex>(n->s, flags);
        } catch (const std::regex_error&) {
          Throw("S0303", "Invalid regular expression: " + n->s, t.pos);
        }
        return n;
      }
      case TT::kVar: {
        NodeP n = Make(NK::kVar, t.pos);
        n->s = t.v;
        return n;
      }
      case TT::kName:
        return NameNud(t);
      case TT::kOp:
        return OpNud(t);
    }
    Throw("S0211", "The symbol cannot be used as a unary operator", t.pos);
  }

  NodeP NameNud(const Tok& t) {
    if (t.v == "true" || t.v == "false" || t.v == "null") {
      NodeP n = Make(NK::kLit, t.pos);
      n->lit = t.v == "null" ? Json(nullptr) : Json(t.v == "true");
      return n;
    }
    if ((t.v == "function" || t.v == "\xce\xbb") && IsOp("(")) return Lambda(t);
    NodeP n = Make(NK::kName, t.pos);
    n->s = t.v;
    return n;
  }

  NodeP Lambda(const Tok& t) {
    NodeP n = Make(NK::kLambda, t.pos);
    Expect("(");
    while (!IsOp(")")) {
      if (Cur().type != TT::kVar)
        Throw("S0208", "Parameter of function definition must be a variable name (start with $)",
              Cur().pos);
      n->params.push_back(Advance().v);
      if (!IsOp(",")) break;
      Advance();
    }
    Expect(")");
    if (IsOp("<")) {  // signature: skip it
      int depth = 0;
      do {
        if (IsOp("<")) ++depth;
        if (IsOp(">")) --depth;
        if (Cur().type == TT::kEnd) Throw("S0401", "Invalid function signature", Cur().pos);
        Advance();
      } while (depth > 0);
    }
    Expect("{");
    n->a = Expr(0);
    Expect("}");
    return n;
  }

  NodeP OpNud(const Tok& t) {
    const std::string& v = t.v;
    if (v == "-") {
      NodeP n = Make(NK::kNeg, t.pos);
      n->a = Expr(70);
      return n;
    }
    if (v == "*") return Make(NK::kWildcard, t.pos);
    if (v == "**") return Make(NK::kDescendant, t.pos);
    if (v == "and" || v == "or" || v == "in") {
      NodeP n = Make(NK::kName, t.pos);
      n->s = v;
      return n;
    }
    if (v == "(") {
      NodeP n = Make(NK::kBlock, t.pos);
      while (!IsOp(")")) {
        n->v.push_back(Expr(0));
        if (!IsOp(";")) break;
        Advance();
      }
      Expect(")");
      return n;
    }
    if (v == "[") {
      NodeP n = Make(NK::kArray, t.pos);
      while (!IsOp("]")) {
        n->v.push_back(Expr(0));
        if (!IsOp(",")) break;
        Advance();
      }
      Expect("]");
      return n;
    }
    if (v == "{") return ObjectBody(t, nullptr);
    if (v == "%" || v == "@" || v == "#") {
      Throw("S0000", "Operator \"" + v + "\" is not supported", t.pos);
    }
    Throw("S0211", "The symbol " + v + " cannot be used as a unary operator", t.pos);
  }

  NodeP ObjectBody(const Tok& t, NodeP lhs) {
    NodeP n = Make(NK::kObject, t.pos);
    n->a = lhs;
    while (!IsOp("}")) {
      NodeP k = Expr(0);
      Expect(":");
      NodeP val = Expr(0);
      n->kv.emplace_back(k, val);
      if (!IsOp(",")) break;
      Advance();
    }
    Expect("}");
    return n;
  }

  // A string literal used as a path step is a field name.
  static NodeP AsName(NodeP n) {
    if (n->k != NK::kLit || !n->lit.is_string()) return n;
    NodeP name = Make(NK::kName, n->pos);
    name->s = n->lit.get<std::string>();
    return name;
  }

  NodeP Led(const Tok& t, NodeP left) {
    const std::string& v = t.v;
    if (v == ".") {
      NodeP n = Make(NK::kPath, t.pos);
      n->a = AsName(left);
      n->b = AsName(Expr(75));
      return n;
    }
    if (v == "[") {
      NodeP n = Make(NK::kFilter, t.pos);
      n->a = left;
      if (IsOp("]")) {
        Advance();
        n->keep = true;
        return n;
      }
      n->b = Expr(0);
      Expect("]");
      return n;
    }
    if (v == "(") {
      NodeP n = Make(NK::kCall, t.pos);
      n->a = left;
      while (!IsOp(")")) {
        if (IsOp("?")) {
          n->v.push_back(Make(NK::kPlaceholder, Advance().pos));
        } else {
          n->v.push_back(Expr(0));
        }
        if (!IsOp(",")) break;
        Advance();
      }
      Expect(")");
      return n;
    }
    if (v == "{") return ObjectBody(t, left);
    if (v == "^") {
      NodeP n = Make(NK::kSort, t.pos);
      n->a = left;
      Expect("(");
      for (;;) {
        bool desc = false;
        if (IsOp("<")) {
          Advance();
        } else if (IsOp(">")) {
          Advance();
          desc = true;
        }
        n->v.push_back(Expr(0));
        n->desc.push_back(desc);
        if (!IsOp(",")) break;
        Advance();
      }
      Expect(")");
      return n;
    }
    if (v == "?") {
      NodeP n = Make(NK::kCond, t.pos);
      n->a = left;
      n->b = Expr(0);
      if (IsOp(":")) {
        Advance();
        n->c = Expr(0);
      }
      return n;
    }
    if (v == ":=") {
      if (left->k != NK::kVar)
        Throw("S0212", "The left side of := must be a variable name (start with $)", t.pos);
      NodeP n = Make(NK::kBind, t.pos);
      n->s = left->s;
      n->a = Expr(9);
      return n;
    }
    if (v == "~>") {
      NodeP n = Make(NK::kChain, t.pos);
      n->a = left;
      n->b = Expr(40);
      return n;
    }
    if (v == "@" || v == "#" || v == "|") {
      Throw("S0000", "Operator \"" + v + "\" is not supported", t.pos);
    }
    NodeP n = Make(NK::kBinary, t.pos);
    n->s = v;
    n->a = left;
    n->b = Expr(Lbp(t));
    return n;
  }

  std::vector<Tok> toks_;
  size_t p_ = 0;
  int depth_ = 0;
};

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

NodeP ParseText(std::string_view text) {
  Lexer lexer(text);
  Parser parser(lexer.All());
  return parser.Run();
}

}  // namespace sluice::asl::jsonata::internal
