#include "asl/json_text.h"

#include <array>
#include <charconv>
#include <nlohmann/json.hpp>

namespace sluice::asl {

namespace {

// Length of the well-formed UTF-8 sequence (RFC 3629: no overlong forms, no surrogates, at most
// U+10FFFF; what nlohmann's decoder accepts) that starts at s[i], a byte >= 0x80; 0 when the
// bytes there are not one.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto lead = static_cast<unsigned char>(s[i]);
  size_t n = 0;
  unsigned char low = 0x80;  // the range of the second byte
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    n = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    n = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    n = 4;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (s.size() - i < n) return 0;
  const auto second = static_cast<unsigned char>(s[i + 1]);
  if (second < low || second > high) return 0;
  for (size_t k = 2; k < n; ++k) {
    const auto next = static_cast<unsigned char>(s[i + k]);
    if (next < 0x80 || next > 0xBF) return 0;
  }
  return n;
}

// The bytes AppendJsonString copies without a second look: ASCII from ' ' to DEL, except '"'
// and '\\'.
constexpr auto kPlain = [] {
  std::array<bool, 256> plain{};
  for (int c = 0x20; c < 0x80; ++c) plain[c] = c != '"' && c != '\\';
  return plain;
}();

// The escape of `c` (a control character, `"` or `\`), as dump() writes it.
void AppendEscape(std::string& out, unsigned char c) {
  switch (c) {
    case '\b':
      out += "\\b";
      return;
    case '\t':
      out += "\\t";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\r':
      out += "\\r";
      return;
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      const char escape[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      out.append(escape, sizeof escape);
    }
  }
}

template <typename Integer>
void AppendInt(std::string& out, Integer value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

// Dumped() keeps its buffer between calls unless a large payload made it larger than this.
constexpr size_t kMaxKeptBuffer = 1 << 20;

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  const size_t start = out.size();
  out += '"';
  size_t plain = 0;  // start of the bytes not yet copied
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (kPlain[c]) {  // the common case first
      ++i;
    } else if (c >= 0x80) {
      const size_t n = Utf8SequenceLength(s, i);
      if (n == 0) {  // rare: let nlohmann's replacing serialiser handle the whole string
        out.resize(start);
        out += Json(std::string(s)).dump(-1, ' ', false, Json::error_handler_t::replace);
        return;
      }
      i += n;
    } else {  // a control character, '"' or '\\'
      out.append(s.data() + plain, i - plain);
      AppendEscape(out, c);
      plain = ++i;
    }
  }
  out.append(s.data() + plain, s.size() - plain);
  out += '"';
}

void AppendJson(std::string& out, const Json& value) {
  switch (value.type()) {
    case Json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, member] : value.items()) {
        if (!first) out += ',';
        first = false;
        AppendJsonString(out, key);
        out += ':';
        AppendJson(out, member);
      }
      out += '}';
      return;
    }
    case Json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& element : value) {
        if (!first) out += ',';
        first = false;
        AppendJson(out, element);
      }
      out += ']';
      return;
    }
    case Json::value_t::string:
      return AppendJsonString(out, value.get_ref<const std::string&>());
    case Json::value_t::boolean:
      out += value.get<bool>() ? "true" : "false";
      return;
    case Json::value_t::null:
      out += "null";
      return;
    case Json::value_t::number_integer:
      return AppendInt(out, value.get<int64_t>());
    case Json::value_t::number_unsigned:
      return AppendInt(out, value.get<uint64_t>());
    default:  // floats (nlohmann's shortest round-trip format), binary, discarded
      out += value.dump();
  }
}

// Room for most events' details at once; longer ones grow the string geometrically.
JsonObjectWriter::JsonObjectWriter() {
  text_.reserve(128);
  text_ += '{';
}

void JsonObjectWriter::Key(std::string_view key) {
  if (text_.size() > 1) text_ += ',';
  AppendJsonString(text_, key);
  text_ += ':';
}

JsonObjectWriter& JsonObjectWriter::String(std::string_view key, std::string_view value) {
  Key(key);
  AppendJsonString(text_, value);
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Int(std::string_view key, int64_t value) {
  Key(key);
  AppendInt(text_, value);
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Raw(std::string_view key, std::string_view json) {
  Key(key);
  text_ += json;
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Dumped(std::string_view key, const Json& value) {
  Key(key);
  // The text is written to a buffer kept for the next call, then escaped into the member.
  thread_local std::string dumped;
  dumped.clear();
  AppendJson(dumped, value);
  AppendJsonString(text_, dumped);
  if (dumped.capacity() > kMaxKeptBuffer) std::string().swap(dumped);
  return *this;
}

std::string JsonObjectWriter::Finish() {
  text_ += '}';
  return std::move(text_);
}

}  // namespace sluice::asl
