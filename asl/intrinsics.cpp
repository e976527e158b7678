// Intrinsic functions: a small recursive-descent parser producing an immutable call tree, and an
// evaluator with one function per intrinsic.
//
// Grammar (whitespace is allowed between tokens):
//   call    := 'States.' NAME '(' [ arg { ',' arg } ] ')'
//   arg     := string | number | 'true' | 'false' | 'null' | path | call
//   string  := "'" { char | '\' any } "'"      escapes: \' \{ \} \\ (and \n \t \r \")
//   number  := ['-'] digits ['.' digits] [('e'|'E') ['+'|'-'] digits]
//   path    := '$' ...   ends at a ',' ')' or space outside brackets/parentheses/quotes
//
// AWS semantics that are easy to get wrong, all pinned by AWS-recorded executions:
// - States.Format renders non-string arguments the way Java's toString does: objects as
//   {k=v, k2=v2}, arrays as [a, b], strings unquoted, null as null.
// - States.MathAdd rounds each argument with Java's Math.round (half up: -0.5 -> 0, 2.5 -> 3).
// - States.StringSplit splits on any of the delimiter characters and drops empty tokens (Java's
//   StringTokenizer).
// - States.StringToJson of a blank string is null.
// - States.JsonToString is compact JSON in the value's key order.
#include "asl/intrinsics.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "asl/json_kind.h"
#include "asl/random.h"

namespace sluice::asl {
namespace {

// The closed set of intrinsic functions.
enum class Fn {
  kFormat,          // string built from a template with {} placeholders
  kStringToJson,    // parses a JSON text
  kJsonToString,    // serialises a value to compact JSON
  kArray,           // array of the arguments
  kArrayPartition,  // chunks of an array
  kArrayContains,   // membership test (deep equality)
  kArrayRange,      // integers from start to end by step
  kArrayGetItem,    // element at an index
  kArrayLength,     // number of elements
  kArrayUnique,     // de-duplicated array, first occurrences kept
  kBase64Encode,    // base64 of a string's UTF-8 bytes
  kBase64Decode,    // string from base64
  kHash,            // hex digest (MD5, SHA-1, SHA-256, SHA-384, SHA-512)
  kJsonMerge,       // shallow merge of two objects
  kMathRandom,      // random integer in [start, end)
  kMathAdd,         // sum of two integers
  kStringSplit,     // tokens of a string
  kUuid,            // random v4 UUID
};

constexpr int kUnbounded = -1;

struct FnInfo {
  Fn fn;
  std::string_view name;  // without the "States." prefix
  int min_args;
  int max_args;  // kUnbounded: no limit
};

constexpr std::array<FnInfo, 18> kFunctions = {{
    {Fn::kFormat, "Format", 1, kUnbounded},
    {Fn::kStringToJson, "StringToJson", 1, 1},
    {Fn::kJsonToString, "JsonToString", 1, 1},
    {Fn::kArray, "Array", 0, kUnbounded},
    {Fn::kArrayPartition, "ArrayPartition", 2, 2},
    {Fn::kArrayContains, "ArrayContains", 2, 2},
    {Fn::kArrayRange, "ArrayRange", 3, 3},
    {Fn::kArrayGetItem, "ArrayGetItem", 2, 2},
    {Fn::kArrayLength, "ArrayLength", 1, 1},
    {Fn::kArrayUnique, "ArrayUnique", 1, 1},
    {Fn::kBase64Encode, "Base64Encode", 1, 1},
    {Fn::kBase64Decode, "Base64Decode", 1, 1},
    {Fn::kHash, "Hash", 2, 2},
    {Fn::kJsonMerge, "JsonMerge", 3, 3},
    {Fn::kMathRandom, "MathRandom", 2, 3},
    {Fn::kMathAdd, "MathAdd", 2, 2},
    {Fn::kStringSplit, "StringSplit", 2, 2},
    {Fn::kUuid, "UUID", 0, 0},
}};

const FnInfo& InfoOf(Fn fn) {
  for (const FnInfo& info : kFunctions) {
    if (info.fn == fn) return info;
  }
  return kFunctions[0];  // unreachable: every Fn is in the table
}

std::string FullName(Fn fn) { return "States." + std::string(InfoOf(fn).name); }

// AWS: "You can nest up to 10 intrinsic functions within a field" (besides the outermost call).
constexpr int kMaxDepth = 11;
// AWS limits: ArrayRange results, and the inputs of Base64Encode/Base64Decode/Hash.
constexpr size_t kMaxRangeItems = 1000;
constexpr size_t kMaxEncodeChars = 10000;

// ---------------------------------------------------------------------------------------------
// Call tree.

struct Call;

// A string literal. `placeholders` holds the offsets in `value` of the "{}" pairs written without
// escapes, which States.Format substitutes ('\{\}' is a literal "{}").
struct StringLiteral {
  std::string value;
  std::vector<size_t> placeholders;
};

using Arg = std::variant<Json, StringLiteral, Path, std::shared_ptr<const Call>>;

struct Call {
  Fn fn;
  std::vector<Arg> args;
};

}  // namespace

struct IntrinsicCall::Impl {
  std::string text;
  Call call;
};

namespace {

// ---------------------------------------------------------------------------------------------
// Parser.

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentChar(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  // The whole text must be one call.
  Result<Call> ParseTop() {
    SkipSpaces();
    auto call = ParseCall(1);
    if (!call.ok()) return call;
    SkipSpaces();
    if (pos_ != text_.size()) return Fail("unexpected text after the call" + At());
    return call;
  }

 private:
  // call := 'States.' NAME '(' [ arg { ',' arg } ] ')'
  Result<Call> ParseCall(int depth) {
    if (depth > kMaxDepth) {
      return Fail("intrinsic functions can be nested at most " + std::to_string(kMaxDepth - 1) +
                  " levels deep");
    }
    constexpr std::string_view kPrefix = "States.";
    if (text_.substr(pos_, kPrefix.size()) != kPrefix) {
      return Fail("expected an intrinsic function call (States.<Name>(...))" + At());
    }
    size_t name_start = pos_;
    pos_ += kPrefix.size();
    while (pos_ < text_.size() && IsIdentChar(text_[pos_])) ++pos_;
    std::string_view full_name = text_.substr(name_start, pos_ - name_start);
    const FnInfo* info = Lookup(full_name.substr(kPrefix.size()));
    if (info == nullptr) {
      return Fail("unknown intrinsic function '" + std::string(full_name) + "'");
    }
    SkipSpaces();
    if (!Consume('(')) return Fail("expected '(' after " + std::string(full_name) + At());
    Call call{info->fn, {}};
    auto args = ParseArgs(depth, call.args);
    if (!args.ok()) return Fail(std::move(args).error());
    auto arity = CheckArity(*info, call.args.size());
    if (!arity.ok()) return Fail(std::move(arity).error());
    auto format = CheckFormatTemplate(call);
    if (!format.ok()) return Fail(std::move(format).error());
    return call;
  }

  // Parses `arg { ',' arg } ')'` (or just ')') after the opening parenthesis.
  Status<> ParseArgs(int depth, std::vector<Arg>& args) {
    SkipSpaces();
    if (Consume(')')) return Ok{};
    while (true) {
      SkipSpaces();
      auto arg = ParseArg(depth);
      if (!arg.ok()) return Fail(std::move(arg).error());
      args.push_back(std::move(arg).value());
      SkipSpaces();
      if (Consume(')')) return Ok{};
      if (!Consume(',')) return Fail(std::string("expected ',' or ')'") + At());
    }
  }

  Result<Arg> ParseArg(int depth) {
    if (pos_ >= text_.size()) return Fail(std::string("missing argument") + At());
    char c = text_[pos_];
    if (c == '\'') return Wrap(ParseString());
    if (c == '$') return Wrap(ParsePath());
    if (c == '-' || IsDigit(c)) return Wrap(ParseNumber());
    if (text_.substr(pos_, 7) == "States.") {
      auto call = ParseCall(depth + 1);
      if (!call.ok()) return Fail(std::move(call).error());
      return Arg(std::make_shared<const Call>(std::move(call).value()));
    }
    if (ConsumeWord("true")) return Arg(Json(true));
    if (ConsumeWord("false")) return Arg(Json(false));
    if (ConsumeWord("null")) return Arg(Json(nullptr));
    return Fail("unexpected character '" + std::string(1, c) + "'" + At());
  }

  template <typename T>
  static Result<Arg> Wrap(Result<T> r) {
    if (!r.ok()) return Fail(std::move(r).error());
    return Arg(std::move(r).value());
  }

  // string := "'" { char | '\' any } "'"
  Result<StringLiteral> ParseString() {
    size_t start = pos_++;
    StringLiteral lit;
    std::vector<bool> escaped;  // per output byte: written as an escape sequence
    while (pos_ < text_.size() && text_[pos_] != '\'') {
      char c = text_[pos_++];
      bool is_escape = c == '\\' && pos_ < text_.size();
      if (is_escape) c = Unescape(text_[pos_++]);
      lit.value.push_back(c);
      escaped.push_back(is_escape);
    }
    if (!Consume('\'')) {
      return Fail("unterminated string literal starting at position " + std::to_string(start));
    }
    for (size_t i = 0; i + 1 < lit.value.size(); ++i) {
      if (lit.value[i] == '{' && lit.value[i + 1] == '}' && !escaped[i] && !escaped[i + 1]) {
        lit.placeholders.push_back(i);
      }
    }
    return lit;
  }

  static char Unescape(char c) {
    switch (c) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      default:
        return c;  // \' \{ \} \\ \" and anything else stand for the character itself
    }
  }

  // number := ['-'] digits ['.' digits] [('e'|'E') ['+'|'-'] digits]
  Result<Json> ParseNumber() {
    size_t start = pos_;
    bool is_float = false;
    Consume('-');
    if (!ConsumeDigits()) return Fail("invalid number" + At(start));
    if (Consume('.')) {
      is_float = true;
      if (!ConsumeDigits()) return Fail("invalid number" + At(start));
    }
    if (Consume('e') || Consume('E')) {
      is_float = true;
      if (!Consume('+')) Consume('-');
      if (!ConsumeDigits()) return Fail("invalid number" + At(start));
    }
    if (pos_ < text_.size() && (IsIdentChar(text_[pos_]) || text_[pos_] == '.')) {
      return Fail("invalid number" + At(start));
    }
    std::string_view digits = text_.substr(start, pos_ - start);
    if (!is_float) {
      int64_t value = 0;
      auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
      if (ec == std::errc() && ptr == digits.data() + digits.size()) return Json(value);
    }
    // strtod, unlike stod, saturates out-of-range values instead of throwing.
    return Json(std::strtod(std::string(digits).c_str(), nullptr));
  }

  // A path runs until a ',' ')' or space that is outside brackets, parentheses and quotes.
  Result<Path> ParsePath() {
    size_t start = pos_;
    int brackets = 0;
    int parens = 0;
    char quote = 0;
    for (; pos_ < text_.size(); ++pos_) {
      char c = text_[pos_];
      if (quote != 0) {
        if (c == '\\') {
          ++pos_;
        } else if (c == quote) {
          quote = 0;
        }
        continue;
      }
      if (brackets > 0 && (c == '\'' || c == '"')) {
        quote = c;
      } else if (c == '[') {
        ++brackets;
      } else if (c == ']' && brackets > 0) {
        --brackets;
      } else if (c == '(') {
        ++parens;
      } else if (c == ')' && parens > 0) {
        --parens;
      } else if (brackets == 0 && parens == 0 && (c == ',' || c == ')' || IsSpace(c))) {
        break;
      }
    }
    pos_ = std::min(pos_, text_.size());
    std::string_view path_text = text_.substr(start, pos_ - start);
    auto path = Path::Parse(path_text);
    if (!path.ok()) {
      return Fail("invalid path '" + std::string(path_text) + "': " + path.error());
    }
    return path;
  }

  static Status<> CheckArity(const FnInfo& info, size_t count) {
    size_t min = static_cast<size_t>(info.min_args);
    bool too_few = count < min;
    bool too_many = info.max_args != kUnbounded && count > static_cast<size_t>(info.max_args);
    if (!too_few && !too_many) return Ok{};
    std::string expected;
    if (info.max_args == kUnbounded) {
      expected = "at least " + Plural(min, "argument");
    } else if (info.min_args == info.max_args) {
      expected = Plural(min, "argument");
    } else {
      expected =
          std::to_string(info.min_args) + " or " + std::to_string(info.max_args) + " arguments";
    }
    return Fail("States." + std::string(info.name) + " takes " + expected + ", got " +
                std::to_string(count));
  }

  // The template of States.Format cannot be a number, boolean or null literal. (A placeholder
  // count that does not match the values is a runtime failure, as for templates read by paths.)
  static Status<> CheckFormatTemplate(const Call& call) {
    if (call.fn != Fn::kFormat || call.args.empty()) return Ok{};
    if (std::holds_alternative<Json>(call.args[0])) {
      return Fail(std::string("the first argument of States.Format must be a string"));
    }
    return Ok{};
  }

  static std::string Plural(size_t n, std::string_view noun) {
    return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
  }

  static const FnInfo* Lookup(std::string_view name) {
    for (const FnInfo& info : kFunctions) {
      if (info.name == name) return &info;
    }
    return nullptr;
  }

  void SkipSpaces() {
    while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
  }

  bool Consume(char c) {
    if (pos_ >= text_.size() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }

  bool ConsumeDigits() {
    size_t start = pos_;
    while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    return pos_ > start;
  }

  bool ConsumeWord(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    size_t end = pos_ + word.size();
    if (end < text_.size() && IsIdentChar(text_[end])) return false;
    pos_ = end;
    return true;
  }

  std::string At() const { return At(pos_); }
  std::string At(size_t pos) const {
    if (pos >= text_.size()) return " at end of input";
    return " at position " + std::to_string(pos);
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Evaluation helpers.

using Value = Result<Json, AslError>;

Failure<AslError> IntrinsicFailure(Fn fn, const std::string& detail) {
  return Fail(AslError{std::string(errors::kIntrinsicFailure),
                       "Invalid arguments in " + FullName(fn) + ": " + detail});
}

// "argument 2 must be an array, but was a string"
std::string Expected(size_t index, std::string_view what, const Json& got) {
  return "argument " + std::to_string(index + 1) + " must be " + std::string(what) + ", but was " +
         JsonKindName(got);
}

// Java's Math.round: the closest integer, ties rounding up (towards positive infinity).
std::optional<int64_t> RoundedInteger(const Json& v) {
  if (v.is_number_unsigned() && v.get<uint64_t>() > INT64_MAX) return std::nullopt;
  if (v.is_number_integer()) return v.get<int64_t>();
  if (!v.is_number()) return std::nullopt;
  double d = v.get<double>();
  if (!std::isfinite(d) || std::fabs(d) > 9.0e18) return std::nullopt;
  double floor = std::floor(d);
  return static_cast<int64_t>(d - floor >= 0.5 ? floor + 1 : floor);
}

// An integer-valued number that fits Java's int, which AWS uses for indexes, sizes and ranges.
std::optional<int64_t> ExactInt32(const Json& v) {
  if (!v.is_number()) return std::nullopt;
  double d = v.get<double>();
  if (v.is_number_float() && d != std::floor(d)) return std::nullopt;
  if (d < std::numeric_limits<int32_t>::min() || d > std::numeric_limits<int32_t>::max()) {
    return std::nullopt;
  }
  return v.is_number_float() ? static_cast<int64_t>(d) : v.get<int64_t>();
}

// Length in UTF-16 code units, as Java's String.length() counts the 10,000-character limits.
size_t Utf16Length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) n += (c >= 0xF0) ? 2 : 1;
  }
  return n;
}

// Replaces invalid UTF-8 with U+FFFD, as Java does when it decodes bytes into a String.
std::string SanitizeUtf8(const std::string& in) {
  std::string out;
  size_t i = 0;
  while (i < in.size()) {
    unsigned char c = static_cast<unsigned char>(in[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    bool ok = len > 0 && i + len <= in.size();
    for (size_t k = 1; ok && k < len; ++k) {
      ok = (static_cast<unsigned char>(in[i + k]) & 0xC0) == 0x80;
    }
    if (ok && len > 1) {
      uint32_t cp = c & (0xFF >> (len + 1));
      for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (in[i + k] & 0x3F);
      constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
      ok = cp >= kMin[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    }
    if (ok) {
      out.append(in, i, len);
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

// States.Format's rendering of a value: Java's toString of the parsed JSON (strings unquoted,
// objects as {k=v, ...}, arrays as [a, b]).
void AppendFormatted(const Json& v, std::string& out) {
  switch (v.type()) {
    case Json::value_t::string:
      out += v.get_ref<const std::string&>();
      return;
    case Json::value_t::array: {
      out += '[';
      for (size_t i = 0; i < v.size(); ++i) {
        if (i > 0) out += ", ";
        AppendFormatted(v[i], out);
      }
      out += ']';
      return;
    }
    case Json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : v.items()) {
        if (!first) out += ", ";
        first = false;
        out += key;
        out += '=';
        AppendFormatted(item, out);
      }
      out += '}';
      return;
    }
    case Json::value_t::null:
    case Json::value_t::boolean:
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
    case Json::value_t::binary:
    case Json::value_t::discarded:
      out += v.dump();
      return;
  }
}

std::vector<size_t> FindPlaceholders(const std::string& tmpl) {
  std::vector<size_t> found;
  for (size_t i = 0; i + 1 < tmpl.size(); ++i) {
    if (tmpl[i] == '{' && tmpl[i + 1] == '}') found.push_back(i++);
  }
  return found;
}

std::string Base64Encode(const std::string& in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

int Base64Digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (IsDigit(c)) return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Strict RFC 4648 decoding like Java's Base64.getDecoder(): no whitespace, padding optional.
std::optional<std::string> Base64Decode(std::string_view in) {
  size_t end = in.size();
  size_t padding = 0;
  while (end > 0 && in[end - 1] == '=' && padding < 2) {
    --end;
    ++padding;
  }
  if (end % 4 == 1 || (padding > 0 && (end + padding) % 4 != 0)) return std::nullopt;
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < end; ++i) {
    int d = Base64Digit(in[i]);
    if (d < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

const EVP_MD* DigestFor(const std::string& algorithm) {
  if (algorithm == "MD5") return EVP_md5();
  if (algorithm == "SHA-1") return EVP_sha1();
  if (algorithm == "SHA-256") return EVP_sha256();
  if (algorithm == "SHA-384") return EVP_sha384();
  if (algorithm == "SHA-512") return EVP_sha512();
  return nullptr;
}

std::string HexDigest(const EVP_MD* md, const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, md, nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xF];
  }
  return out;
}

// java.util.Random, so that a seeded States.MathRandom draws what a Java implementation draws.
class JavaRandom {
 public:
  explicit JavaRandom(int64_t seed) : seed_((static_cast<uint64_t>(seed) ^ kMultiplier) & kMask) {}

  // Uniform in [0, bound), bound > 0.
  int32_t NextInt(int32_t bound) {
    int32_t r = Next31();
    int32_t m = bound - 1;
    if ((bound & m) == 0) {
      return static_cast<int32_t>((static_cast<int64_t>(bound) * r) >> 31);
    }
    // Rejects the top partial range; the int32 overflow check of the Java code is explicit here.
    for (int32_t u = r; static_cast<int64_t>(u) - (r = u % bound) + m > INT32_MAX; u = Next31()) {
    }
    return r;
  }

 private:
  static constexpr uint64_t kMultiplier = 0x5DEECE66DULL;
  static constexpr uint64_t kMask = (1ULL << 48) - 1;

  int32_t Next31() {
    seed_ = (seed_ * kMultiplier + 0xBULL) & kMask;
    return static_cast<int32_t>(seed_ >> (48 - 31));
  }

  uint64_t seed_;
};

// Uniform in [0, bound) from the injected source, without modulo bias.
uint64_t UniformBelow(Random& random, uint64_t bound) {
  uint64_t limit =
      std::numeric_limits<uint64_t>::max() - std::numeric_limits<uint64_t>::max() % bound;
  uint64_t x = random.Next();
  while (x >= limit) x = random.Next();
  return x % bound;
}

std::string Uuid4(Random& random) {
  uint64_t hi = random.Next();
  uint64_t lo = random.Next();
  hi = (hi & ~0xF000ULL) | 0x4000ULL;                         // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // variant 10xx
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  auto put = [&](uint64_t v, int nibbles) {
    for (int i = nibbles - 1; i >= 0; --i) out += kHex[(v >> (4 * i)) & 0xF];
  };
  put(hi >> 32, 8);
  out += '-';
  put(hi >> 16, 4);
  out += '-';
  put(hi, 4);
  out += '-';
  put(lo >> 48, 4);
  out += '-';
  put(lo, 12);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Evaluator: one method per function; arguments are evaluated left to right first.

class Evaluator {
 public:
  explicit Evaluator(const EvalScope& scope) : scope_(scope) {}

  Value Eval(const Call& call) {
    std::vector<Json> args;
    args.reserve(call.args.size());
    for (const Arg& arg : call.args) {
      Value v = EvalArg(arg);
      if (!v.ok()) return v;
      args.push_back(std::move(v).value());
    }
    return Apply(call, args);
  }

 private:
  Value EvalArg(const Arg& arg) {
    if (const auto* json = std::get_if<Json>(&arg)) return *json;
    if (const auto* lit = std::get_if<StringLiteral>(&arg)) return Json(lit->value);
    if (const auto* call = std::get_if<std::shared_ptr<const Call>>(&arg)) return Eval(**call);
    return Select(std::get<Path>(arg));
  }

  Value Select(const Path& path) {
    auto selected = path.Select(scope_);
    if (selected.ok()) return std::move(selected).value();
    const Json& input = path.root() == PathRoot::kContext ? scope_.context : scope_.data;
    return Fail(AslError{std::string(errors::kRuntime),
                         "The JsonPath argument for the field '" + path.text() +
                             "' could not be found in the input '" + input.dump() + "'"});
  }

  Value Apply(const Call& call, std::vector<Json>& a) {
    switch (call.fn) {
      case Fn::kFormat:
        return Format(call, a);
      case Fn::kStringToJson:
        return StringToJson(a[0]);
      case Fn::kJsonToString:
        return Json(a[0].dump());
      case Fn::kArray:
        return Json(std::move(a));
      case Fn::kArrayPartition:
        return ArrayPartition(a[0], a[1]);
      case Fn::kArrayContains:
        return ArrayContains(a[0], a[1]);
      case Fn::kArrayRange:
        return ArrayRange(a[0], a[1], a[2]);
      case Fn::kArrayGetItem:
        return ArrayGetItem(a[0], a[1]);
      case Fn::kArrayLength:
        if (!a[0].is_array()) return IntrinsicFailure(call.fn, Expected(0, "an array", a[0]));
        return Json(static_cast<int64_t>(a[0].size()));
      case Fn::kArrayUnique:
        return ArrayUnique(a[0]);
      case Fn::kBase64Encode:
        return Base64EncodeFn(a[0]);
      case Fn::kBase64Decode:
        return Base64DecodeFn(a[0]);
      case Fn::kHash:
        return Hash(a[0], a[1]);
      case Fn::kJsonMerge:
        return JsonMerge(a[0], a[1], a[2]);
      case Fn::kMathRandom:
        return MathRandom(a);
      case Fn::kMathAdd:
        return MathAdd(a[0], a[1]);
      case Fn::kStringSplit:
        return StringSplit(a[0], a[1]);
      case Fn::kUuid:
        if (scope_.random == nullptr) return NoRandomness(call.fn);
        return Json(Uuid4(*scope_.random));
    }
    return IntrinsicFailure(call.fn, "unsupported function");
  }

  static Value Format(const Call& call, const std::vector<Json>& a) {
    if (!a[0].is_string()) return IntrinsicFailure(Fn::kFormat, Expected(0, "a string", a[0]));
    const std::string& tmpl = a[0].get_ref<const std::string&>();
    const auto* lit = std::get_if<StringLiteral>(&call.args[0]);
    std::vector<size_t> holes = lit != nullptr ? lit->placeholders : FindPlaceholders(tmpl);
    if (holes.size() != a.size() - 1) {
      return IntrinsicFailure(Fn::kFormat, "the template has " + std::to_string(holes.size()) +
                                               " placeholders but " + std::to_string(a.size() - 1) +
                                               " values were given");
    }
    std::string out;
    size_t from = 0;
    for (size_t i = 0; i < holes.size(); ++i) {
      out.append(tmpl, from, holes[i] - from);
      AppendFormatted(a[i + 1], out);
      from = holes[i] + 2;
    }
    out.append(tmpl, from, std::string::npos);
    return Json(std::move(out));
  }

  static Value StringToJson(const Json& s) {
    if (!s.is_string()) return IntrinsicFailure(Fn::kStringToJson, Expected(0, "a string", s));
    const std::string& text = s.get_ref<const std::string&>();
    if (std::all_of(text.begin(), text.end(), IsSpace)) return Json(nullptr);
    Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) {
      return IntrinsicFailure(Fn::kStringToJson, "argument 1 is not a valid JSON text");
    }
    return parsed;
  }

  static Value ArrayPartition(const Json& array, const Json& size) {
    if (!array.is_array()) {
      return IntrinsicFailure(Fn::kArrayPartition, Expected(0, "an array", array));
    }
    std::optional<int64_t> chunk = ExactInt32(size);
    if (!chunk || *chunk <= 0) {
      return IntrinsicFailure(
          Fn::kArrayPartition,
          "the chunk size must be a non-zero, positive integer, but was " + size.dump());
    }
    Json out = Json::array();
    for (size_t i = 0; i < array.size(); i += static_cast<size_t>(*chunk)) {
      size_t end = std::min(array.size(), i + static_cast<size_t>(*chunk));
      out.push_back(Json(array.begin() + static_cast<std::ptrdiff_t>(i),
                         array.begin() + static_cast<std::ptrdiff_t>(end)));
    }
    return out;
  }

  static Value ArrayContains(const Json& array, const Json& value) {
    if (!array.is_array()) {
      return IntrinsicFailure(Fn::kArrayContains, Expected(0, "an array", array));
    }
    return Json(std::find(array.begin(), array.end(), value) != array.end());
  }

  static Value ArrayRange(const Json& first, const Json& last, const Json& step) {
    std::optional<int64_t> s = ExactInt32(first);
    std::optional<int64_t> e = ExactInt32(last);
    std::optional<int64_t> d = ExactInt32(step);
    if (!s || !e || !d) {
      return IntrinsicFailure(Fn::kArrayRange, "all arguments must be integers, but were " +
                                                   first.dump() + ", " + last.dump() + ", " +
                                                   step.dump());
    }
    if (*d == 0) return IntrinsicFailure(Fn::kArrayRange, "the step must not be zero");
    int64_t span = *d > 0 ? *e - *s : *s - *e;
    int64_t count = span < 0 ? 0 : span / std::abs(*d) + 1;
    if (count > static_cast<int64_t>(kMaxRangeItems)) {
      return IntrinsicFailure(Fn::kArrayRange, "the range would have " + std::to_string(count) +
                                                   " items, more than the limit of " +
                                                   std::to_string(kMaxRangeItems));
    }
    Json out = Json::array();
    for (int64_t i = 0; i < count; ++i) out.push_back(*s + i * *d);
    return out;
  }

  static Value ArrayGetItem(const Json& array, const Json& index) {
    if (!array.is_array()) {
      return IntrinsicFailure(Fn::kArrayGetItem, Expected(0, "an array", array));
    }
    std::optional<int64_t> i = ExactInt32(index);
    if (!i) {
      return IntrinsicFailure(Fn::kArrayGetItem,
                              "the index must be an integer, but was " + index.dump());
    }
    if (*i < 0 || static_cast<size_t>(*i) >= array.size()) {
      return IntrinsicFailure(Fn::kArrayGetItem, "the index " + std::to_string(*i) +
                                                     " is out of bounds for an array of size " +
                                                     std::to_string(array.size()));
    }
    return array[static_cast<size_t>(*i)];
  }

  static Value ArrayUnique(const Json& array) {
    if (!array.is_array()) {
      return IntrinsicFailure(Fn::kArrayUnique, Expected(0, "an array", array));
    }
    Json out = Json::array();
    for (const Json& item : array) {
      if (std::find(out.begin(), out.end(), item) == out.end()) out.push_back(item);
    }
    return out;
  }

  static std::optional<AslError> CheckEncodable(Fn fn, const Json& s) {
    if (!s.is_string()) return IntrinsicFailure(fn, Expected(0, "a string", s)).error;
    size_t length = Utf16Length(s.get_ref<const std::string&>());
    if (length > kMaxEncodeChars) {
      return IntrinsicFailure(fn, "the input has " + std::to_string(length) +
                                      " characters, more than the limit of " +
                                      std::to_string(kMaxEncodeChars))
          .error;
    }
    return std::nullopt;
  }

  static Value Base64EncodeFn(const Json& s) {
    if (auto error = CheckEncodable(Fn::kBase64Encode, s)) return Fail(std::move(*error));
    return Json(Base64Encode(s.get_ref<const std::string&>()));
  }

  static Value Base64DecodeFn(const Json& s) {
    if (auto error = CheckEncodable(Fn::kBase64Decode, s)) return Fail(std::move(*error));
    std::optional<std::string> decoded = Base64Decode(s.get_ref<const std::string&>());
    if (!decoded) {
      return IntrinsicFailure(Fn::kBase64Decode, "argument 1 is not a valid base64 string");
    }
    return Json(SanitizeUtf8(*decoded));
  }

  static Value Hash(const Json& data, const Json& algorithm) {
    if (auto error = CheckEncodable(Fn::kHash, data)) return Fail(std::move(*error));
    const EVP_MD* md = algorithm.is_string() ? DigestFor(algorithm.get<std::string>()) : nullptr;
    if (md == nullptr) {
      return IntrinsicFailure(Fn::kHash,
                              "the hash algorithm must be one of MD5, SHA-1, SHA-256, "
                              "SHA-384, SHA-512, but was " +
                                  algorithm.dump());
    }
    return Json(HexDigest(md, data.get_ref<const std::string&>()));
  }

  static Value JsonMerge(const Json& first, const Json& second, const Json& deep) {
    if (!first.is_object())
      return IntrinsicFailure(Fn::kJsonMerge, Expected(0, "an object", first));
    if (!second.is_object()) {
      return IntrinsicFailure(Fn::kJsonMerge, Expected(1, "an object", second));
    }
    if (!deep.is_boolean()) return IntrinsicFailure(Fn::kJsonMerge, Expected(2, "a boolean", deep));
    if (deep.get<bool>()) {
      return IntrinsicFailure(Fn::kJsonMerge,
                              "only the shallow merging mode is supported; the third argument "
                              "must be false");
    }
    // Shallow: keys of `second` replace those of `first` in place; new keys are appended.
    Json merged = first;
    for (const auto& [key, value] : second.items()) merged[key] = value;
    return merged;
  }

  Value MathRandom(const std::vector<Json>& a) {
    std::optional<int64_t> start = RoundedInteger(a[0]);
    std::optional<int64_t> end = RoundedInteger(a[1]);
    bool in_int = start && end && *start >= INT32_MIN && *end <= INT32_MAX;
    if (!in_int) {
      return IntrinsicFailure(Fn::kMathRandom, "the start and end must be integers, but were " +
                                                   a[0].dump() + " and " + a[1].dump());
    }
    if (*end <= *start) {
      return IntrinsicFailure(Fn::kMathRandom, "the end (" + std::to_string(*end) +
                                                   ") must be greater than the start (" +
                                                   std::to_string(*start) + ")");
    }
    int64_t bound = *end - *start;
    if (a.size() == 3) {
      std::optional<int64_t> seed = RoundedInteger(a[2]);
      if (!seed) {
        return IntrinsicFailure(Fn::kMathRandom,
                                "the seed must be an integer, but was " + a[2].dump());
      }
      if (bound <= INT32_MAX) {
        return Json(*start + JavaRandom(*seed).NextInt(static_cast<int32_t>(bound)));
      }
    }
    if (scope_.random == nullptr) return NoRandomness(Fn::kMathRandom);
    return Json(*start +
                static_cast<int64_t>(UniformBelow(*scope_.random, static_cast<uint64_t>(bound))));
  }

  static Value MathAdd(const Json& x, const Json& y) {
    std::optional<int64_t> a = RoundedInteger(x);
    if (!a) return IntrinsicFailure(Fn::kMathAdd, Expected(0, "a number", x));
    std::optional<int64_t> b = RoundedInteger(y);
    if (!b) return IntrinsicFailure(Fn::kMathAdd, Expected(1, "a number", y));
    int64_t sum = 0;
    if (__builtin_add_overflow(*a, *b, &sum)) {
      return IntrinsicFailure(Fn::kMathAdd, "the sum is out of range");
    }
    return Json(sum);
  }

  // Java's StringTokenizer: every character of `delimiters` separates; empty tokens vanish.
  static Value StringSplit(const Json& s, const Json& delimiters) {
    if (!s.is_string()) return IntrinsicFailure(Fn::kStringSplit, Expected(0, "a string", s));
    if (!delimiters.is_string()) {
      return IntrinsicFailure(Fn::kStringSplit, Expected(1, "a string", delimiters));
    }
    const std::string& text = s.get_ref<const std::string&>();
    std::vector<std::string> delims = CodePoints(delimiters.get_ref<const std::string&>());
    Json out = Json::array();
    std::string token;
    for (const std::string& cp : CodePoints(text)) {
      if (std::find(delims.begin(), delims.end(), cp) == delims.end()) {
        token += cp;
      } else if (!token.empty()) {
        out.push_back(std::move(token));
        token.clear();
      }
    }
    if (!token.empty()) out.push_back(std::move(token));
    return out;
  }

  // Splits UTF-8 text into its characters, so that a multi-byte delimiter matches as a whole.
  static std::vector<std::string> CodePoints(const std::string& s) {
    std::vector<std::string> out;
    for (size_t i = 0; i < s.size();) {
      size_t len = 1;
      while (i + len < s.size() && (static_cast<unsigned char>(s[i + len]) & 0xC0) == 0x80) ++len;
      out.push_back(s.substr(i, len));
      i += len;
    }
    return out;
  }

  static Value NoRandomness(Fn fn) {
    return Fail(AslError{std::string(errors::kRuntime),
                         FullName(fn) + " cannot be evaluated without a source of randomness"});
  }

  const EvalScope& scope_;
};

}  // namespace

bool IntrinsicCall::LooksLikeCall(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && IsSpace(text[i])) ++i;
  return text.substr(i, 7) == "States.";
}

Result<IntrinsicCall> IntrinsicCall::Parse(std::string_view text) {
  auto call = Parser(text).ParseTop();
  if (!call.ok()) return Fail(std::move(call).error());
  IntrinsicCall parsed;
  parsed.impl_ = std::make_shared<const Impl>(Impl{std::string(text), std::move(call).value()});
  return parsed;
}

const std::string& IntrinsicCall::text() const { return impl_->text; }

// `field` is not part of AWS's intrinsic causes: a missing path argument names the path itself.
Result<Json, AslError> IntrinsicCall::Evaluate(const EvalScope& scope,
                                               std::string_view /*field*/) const {
  return Evaluator(scope).Eval(impl_->call);
}

}  // namespace sluice::asl
