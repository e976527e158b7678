// JSON text writer: byte-identical to nlohmann's dump() of the same values, on tricky strings
// (control characters, quotes, UTF-8 of every length) and, for invalid UTF-8, to dump() with
// the replacing error handler.
#include "asl/json_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

namespace sluice::asl {
namespace {

std::string Written(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

// What dump() writes for the string `s`; invalid UTF-8 becomes U+FFFD (dump() would throw).
std::string Dumped(const std::string& s) {
  return Json(s).dump(-1, ' ', false, Json::error_handler_t::replace);
}

TEST(AppendJsonStringTest, EscapesAsDumpOnTrickyStrings) {
  const std::vector<std::string> cases = {
      "",
      "plain",
      "quote \" and backslash \\ and slash /",
      std::string("nul \0 inside", 12),
      "\b\t\n\f\r",
      "\x01\x07\x0b\x0e\x1f",
      "del \x7f",
      "caf\xc3\xa9",                     // é, 2 bytes
      "\xe2\x82\xac and \xe2\x80\xa8",   // €, U+2028 (not escaped by dump)
      "\xef\xbb\xbf bom",                // U+FEFF
      "\xf0\x9f\x98\x80 emoji",          // 4 bytes
      "\xf4\x8f\xbf\xbf max",            // U+10FFFF
      "{\"a\":\"b\\\"c\",\"d\":[1,2]}",  // JSON text, as in a dumped input
      "\"\"\"\\\\\\",
  };
  for (const auto& s : cases) {
    EXPECT_EQ(Written(s), Json(s).dump()) << s;  // valid UTF-8: the default dump()
  }
}

TEST(AppendJsonStringTest, EveryControlCharacterAsDump) {
  for (int c = 0; c < 0x80; ++c) {
    const std::string s = "a" + std::string(1, static_cast<char>(c)) + "b";
    EXPECT_EQ(Written(s), Json(s).dump()) << "byte " << c;
  }
  EXPECT_EQ(Written("\x1f"), R"("\u001f")");  // lower-case hex
}

TEST(AppendJsonStringTest, InvalidUtf8BecomesReplacementCharacter) {
  const std::vector<std::string> cases = {
      "\x80",
      "\xff",
      "a\xc0\xafz",  // lone continuation, never valid, overlong
      "\xe0\x80\x80",
      "\xed\xa0\x80",  // overlong, surrogate
      "\xf4\x90\x80\x80",
      "\xf5\x80\x80\x80",  // above U+10FFFF
      "\xe2\x82",
      "x\xf0\x9f\x98",
      "\xc3",                   // truncated at the end
      "\xe2\x82x\xe2\x82\xac",  // truncated, then valid
      "\xc3\xa9\x80\"\n",       // valid, invalid, then escapes
  };
  for (const auto& s : cases) {
    EXPECT_THROW(Json(s).dump(), nlohmann::json::type_error) << "not invalid UTF-8?";
    EXPECT_EQ(Written(s), Dumped(s));
  }
  EXPECT_EQ(Written("\x80"), "\"\xef\xbf\xbd\"");
}

// Every string of one or two bytes, and three- and four-byte strings around every UTF-8 lead
// byte's boundaries.
TEST(AppendJsonStringTest, ShortByteStringsExhaustively) {
  for (int a = 0; a < 256; ++a) {
    const std::string one(1, static_cast<char>(a));
    ASSERT_EQ(Written(one), Dumped(one)) << a;
    for (int b = 0; b < 256; ++b) {
      const std::string two = one + static_cast<char>(b);
      ASSERT_EQ(Written(two), Dumped(two)) << a << " " << b;
    }
  }
  const unsigned char edges[] = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff};
  for (int lead = 0xc0; lead < 256; ++lead) {
    for (int second = 0; second < 256; ++second) {
      for (unsigned char third : edges) {
        std::string s = {static_cast<char>(lead), static_cast<char>(second),
                         static_cast<char>(third)};
        ASSERT_EQ(Written(s), Dumped(s)) << lead << " " << second << " " << int{third};
        for (unsigned char fourth : {0x41, 0x80, 0xbf, 0xc0}) {
          s.resize(3);
          s += static_cast<char>(fourth);
          ASSERT_EQ(Written(s), Dumped(s));
        }
      }
    }
  }
}

TEST(AppendJsonStringTest, RandomByteStrings) {
  std::mt19937 gen(42);
  // Mostly bytes that matter: ASCII escapes, continuation bytes and lead bytes.
  const std::string alphabet = std::string("a\"\\\n\x01\x7f", 6) +
                               "\x80\xbf\xc2\xc3\xdf\xe0\xe2\xed\xef\xf0\xf4\xf5\xa0\x9f\x90";
  for (int i = 0; i < 20000; ++i) {
    std::string s(gen() % 12, ' ');
    for (char& c : s) c = alphabet[gen() % alphabet.size()];
    ASSERT_EQ(Written(s), Dumped(s)) << i;
  }
}

TEST(AppendJsonStringTest, Appends) {
  std::string out = "[";
  AppendJsonString(out, "a");
  out += ',';
  AppendJsonString(out, "\x80");  // invalid: the text before it is kept
  EXPECT_EQ(out, "[\"a\",\"\xef\xbf\xbd\"");
}

std::string AppendedJson(const Json& value) {
  std::string out = "x";  // appends: what was there stays
  AppendJson(out, value);
  return out;
}

TEST(AppendJsonTest, WritesWhatDumpWrites) {
  const std::vector<Json> cases = {
      Json(),
      Json::object(),
      Json::array(),
      Json(true),
      Json(false),
      Json(0),
      Json(-9223372036854775807LL - 1),
      Json(18446744073709551615ULL),
      Json(0.1),
      Json(-0.0),
      Json(1e100),
      Json(1.5e-7),
      Json(std::nan("")),
      Json(std::numeric_limits<double>::infinity()),
      Json("a\"b\\\u0001\xc3\xa9"),
      Json::parse(R"({"z":[1,2.5,{"y":null,"\u00e9\n":"\ud83d\ude00"}],"a":{},"b":[[]],
                      "c":-3,"d":"\"quoted\""})"),
  };
  for (const auto& value : cases) {
    EXPECT_EQ(AppendedJson(value), "x" + value.dump()) << value.dump();
  }
}

// Random trees of every kind of value, nested.
Json RandomJson(std::mt19937& gen, int depth) {
  const std::string pieces[] = {"k", "\"", "\\", "\n", "\x01", "\xc3\xa9", "\xf0\x9f\x98\x80", "/"};
  auto text = [&] {
    std::string s;
    for (int n = static_cast<int>(gen() % 4); n > 0; --n) s += pieces[gen() % 8];
    return s;
  };
  switch (gen() % (depth > 0 ? 9 : 7)) {
    case 0:
      return Json();
    case 1:
      return Json(gen() % 2 == 0);
    case 2:
      return Json(static_cast<int64_t>(gen()) - (1LL << 31));
    case 3:
      return Json(static_cast<uint64_t>(gen()) << 32);
    case 4:
      return Json(static_cast<double>(static_cast<int32_t>(gen())) / 1024.0);
    case 5:
    case 6:
      return Json(text());
    case 7: {
      Json a = Json::array();
      for (int n = static_cast<int>(gen() % 4); n > 0; --n) a.push_back(RandomJson(gen, depth - 1));
      return a;
    }
    default: {
      Json o = Json::object();
      for (int n = static_cast<int>(gen() % 4); n > 0; --n) o[text()] = RandomJson(gen, depth - 1);
      return o;
    }
  }
}

TEST(AppendJsonTest, RandomTrees) {
  std::mt19937 gen(7);
  for (int i = 0; i < 3000; ++i) {
    const Json value = RandomJson(gen, 4);
    ASSERT_EQ(AppendedJson(value), "x" + value.dump()) << i;
  }
}

TEST(JsonObjectWriterTest, WritesWhatDumpWrites) {
  const Json input = Json::parse(R"({"b":"x\"y","a":[1,2.5,null,true],"é":"\u0001"})");
  const std::string text = JsonObjectWriter()
                               .String("name", "St\"ate\n")
                               .Dumped("input", input)
                               .Raw("inputDetails", R"({"truncated":false})")
                               .Int("index", 7)
                               .Int("min", std::numeric_limits<int64_t>::min())
                               .String("k\"ey", "")
                               .Finish();
  Json expected = Json::object();
  expected["name"] = "St\"ate\n";
  expected["input"] = input.dump();
  expected["inputDetails"] = Json{{"truncated", false}};
  expected["index"] = 7;
  expected["min"] = std::numeric_limits<int64_t>::min();
  expected["k\"ey"] = "";
  EXPECT_EQ(text, expected.dump());
  EXPECT_EQ(Json::parse(text), expected);
  // The buffer Dumped() keeps between calls holds nothing of an earlier, longer value.
  EXPECT_EQ(JsonObjectWriter().Dumped("v", Json(1)).Finish(), R"({"v":"1"})");
}

TEST(JsonObjectWriterTest, EmptyObject) { EXPECT_EQ(JsonObjectWriter().Finish(), "{}"); }

TEST(JsonObjectWriterTest, NestsWritersThroughRaw) {
  const std::string inner = JsonObjectWriter().String("x", "1").Finish();
  EXPECT_EQ(JsonObjectWriter().Raw("vars", inner).Int("n", 0).Finish(),
            R"({"vars":{"x":"1"},"n":0})");
}

}  // namespace
}  // namespace sluice::asl
