// Tests for the JSONata picture-string functions ($formatNumber, $formatInteger, $parseInteger,
// $fromMillis, $toMillis, $now): expected values are jsonata-js 2.0.6's outputs.
#include "asl/jsonata/jsonata_pictures.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "asl/jsonata/jsonata.h"

namespace sluice::asl::jsonata {
namespace {

Json Eval(const std::string& expr) {
  auto e = Expression::Parse(expr);
  EXPECT_TRUE(e.ok()) << expr;
  if (!e.ok()) return Json("<parse error>");
  auto r = e->Evaluate(Json::object(), Json::object());
  EXPECT_TRUE(r.ok()) << expr << ": " << (r.ok() ? "" : r.error().message);
  if (!r.ok()) return Json("<error " + r.error().code + ">");
  return r->has_value() ? **r : Json("<undefined>");
}

std::string Code(const std::string& expr) {
  auto e = Expression::Parse(expr);
  if (!e.ok()) return e.error().code;
  auto r = e->Evaluate(Json::object(), Json::object());
  return r.ok() ? "" : r.error().code;
}

TEST(JsonataPicturesTest, JsNumStr) {
  using internal::JsNumStr;
  EXPECT_EQ(JsNumStr(123), "123");
  EXPECT_EQ(JsNumStr(-5.5), "-5.5");
  EXPECT_EQ(JsNumStr(1e20), "100000000000000000000");
  EXPECT_EQ(JsNumStr(1e21), "1e+21");
  EXPECT_EQ(JsNumStr(1.5e-7), "1.5e-7");
  EXPECT_EQ(JsNumStr(0.000001), "0.000001");
  EXPECT_EQ(JsNumStr(0.1 + 0.2), "0.30000000000000004");
}

TEST(JsonataPicturesTest, FormatIntegerDecimalPatterns) {
  EXPECT_EQ(Eval("$formatInteger(-3, '0000')"), Json("-0003"));
  EXPECT_EQ(Eval("$formatInteger(12.6, '###0')"), Json("12"));
  EXPECT_EQ(Eval("$formatInteger(1234567890, '#,##0')"), Json("1,234,567,890"));
  EXPECT_EQ(Eval("$formatInteger(1234567890, '#:###,##0')"), Json("1234:567,890"));
  EXPECT_EQ(Eval("$formatInteger(12340, '###\u0661')"), Json("\u0661\u0662\u0663\u0664\u0660"));
  EXPECT_EQ(Eval("$formatInteger(113, '0;o')"), Json("113th"));
  EXPECT_EQ(Eval("$formatInteger(22, '0;o')"), Json("22nd"));
  EXPECT_EQ(Code("$formatInteger(1, '#0\uff10')"), "D3131");
  EXPECT_EQ(Code("$formatInteger(1, '#')"), "D3130");
  EXPECT_EQ(Code("$formatInteger('1', '0')"), "T0410");
}

TEST(JsonataPicturesTest, FormatIntegerWordsRomanLetters) {
  EXPECT_EQ(Eval("$formatInteger(1984, 'I')"), Json("MCMLXXXIV"));
  EXPECT_EQ(Eval("$formatInteger(0, 'I')"), Json(""));
  EXPECT_EQ(Eval("$formatInteger(555, 'Ww')"), Json("Five Hundred and Fifty-Five"));
  EXPECT_EQ(Eval("$formatInteger(3731, 'w;o')"),
            Json("three thousand, seven hundred and thirty-first"));
  EXPECT_EQ(Eval("$formatInteger(1e46, 'w')"), Json("ten billion trillion trillion trillion"));
  EXPECT_EQ(Eval("$formatInteger(730, 'W;o')"), Json("SEVEN HUNDRED AND THIRTIETH"));
  EXPECT_EQ(Eval("$formatInteger(27, 'a')"), Json("aa"));
  EXPECT_EQ(Eval("$formatInteger(123456, 'A')"), Json("FZPH"));
}

TEST(JsonataPicturesTest, ParseIntegerInvertsFormatting) {
  EXPECT_EQ(Eval("$parseInteger('12,345,678', '#,##0')"), Json(12345678));
  EXPECT_EQ(Eval("$parseInteger('1234:567,890', '#:###,##0')"), Json(1234567890));
  EXPECT_EQ(Eval("$parseInteger('123rd', '000;o')"), Json(123));
  EXPECT_EQ(Eval("$parseInteger('xcix', 'i')"), Json(99));
  EXPECT_EQ(Eval("$parseInteger('FZPH', 'A')"), Json(123456));
  EXPECT_EQ(Eval("$parseInteger('nineteen hundred and eighty-four', 'w')"), Json(1984));
  EXPECT_EQ(Eval("$parseInteger('one thousand, nine hundred and eighty-fourth', 'w;o')"),
            Json(1984));
  EXPECT_EQ(Eval("$parseInteger('banana', 'w')"), Json("<undefined>"));
  EXPECT_EQ(Code("$parseInteger('50', '#')"), "D3130");
  for (const char* pic : {"w", "I", "A", "#,##0", "0;o", "Ww;o"}) {
    std::string expr =
        std::string("$parseInteger($formatInteger(2023, '") + pic + "'), '" + pic + "')";
    EXPECT_EQ(Eval(expr), Json(2023)) << pic;
  }
}

TEST(JsonataPicturesTest, FormatNumberPictures) {
  EXPECT_EQ(Eval("$formatNumber(12345.6, '#,###.00')"), Json("12,345.60"));
  EXPECT_EQ(Eval("$formatNumber(123412345678.9, '9,9,99.99')"), Json("123412345,6,78.90"));
  EXPECT_EQ(Eval("$formatNumber(1234.56789, '9,999.999,999')"), Json("1,234.567,890"));
  EXPECT_EQ(Eval("$formatNumber(123.9, '9999')"), Json("0124"));
  EXPECT_EQ(Eval("$formatNumber(0.14, '01%')"), Json("14%"));
  EXPECT_EQ(Eval("$formatNumber(0.4857, '###.###\u2030')"), Json("485.7\u2030"));
  EXPECT_EQ(Eval("$formatNumber(-6, '000')"), Json("-006"));
  EXPECT_EQ(Eval("$formatNumber(-6, '000;(000)')"), Json("(006)"));
  EXPECT_EQ(Eval("$formatNumber(2.5, '0')"), Json("2"));  // half to even
  EXPECT_EQ(Eval("$formatNumber(3.5, '0')"), Json("4"));
  EXPECT_EQ(Eval("$formatNumber(1E20, '#,######')"), Json("100,000000,000000,000000"));
}

TEST(JsonataPicturesTest, FormatNumberExponentAndOptions) {
  EXPECT_EQ(Eval("$formatNumber(1234.5678, '00.000e000')"), Json("12.346e002"));
  EXPECT_EQ(Eval("$formatNumber(0.234, '0.0e0')"), Json("2.3e-1"));
  EXPECT_EQ(Eval("$formatNumber(0.123, '#.e9')"), Json("0.1e0"));
  EXPECT_EQ(Eval("$formatNumber(0, '0.0e0')"), Json("0.0e0"));  // jsonata-js never returns
  EXPECT_EQ(Eval("$formatNumber(1234.5, '#.##0,00', {'decimal-separator': ',', "
                 "'grouping-separator': '.'})"),
            Json("1.234,50"));
  EXPECT_EQ(Eval("$formatNumber(2, 'AAA.AAA', {'zero-digit': 'A'})"), Json("AAC.AAA"));
  EXPECT_EQ(Eval("$formatNumber(0.14, '###pm', {'per-mille': 'pm'})"), Json("140pm"));
  EXPECT_EQ(Eval("$formatNumber(nothing, '#')"), Json("<undefined>"));
}

TEST(JsonataPicturesTest, FormatNumberPictureErrors) {
  const std::pair<const char*, const char*> kCases[] = {
      {"#;#;#", "D3080"},   {"#.0.0", "D3081"}, {"#0%%", "D3082"},    {"#0%\u2030", "D3084"},
      {".e0", "D3085"},     {"0+.e0", "D3086"}, {"0,.e0", "D3087"},   {"0,", "D3088"},
      {"0,,0", "D3089"},    {"0#.e0", "D3090"}, {"#0.#0e0", "D3091"}, {"#0.0e0%", "D3092"},
      {"#0.0e0,0", "D3093"}};
  for (const auto& [picture, code] : kCases) {
    EXPECT_EQ(Code(std::string("$formatNumber(20, '") + picture + "')"), code) << picture;
  }
  EXPECT_EQ(Code("$formatNumber(1, '#', 'x')"), "T0410");
}

TEST(JsonataPicturesTest, FromMillisPictures) {
  // 1521801216617 is Friday 2018-03-23T10:33:36.617Z.
  EXPECT_EQ(Eval("$fromMillis(1521801216617)"), Json("2018-03-23T10:33:36.617Z"));
  EXPECT_EQ(Eval("$fromMillis(1521801216617, '[FNn], [D1o] [MNn] [Y]')"),
            Json("Friday, 23rd March 2018"));
  EXPECT_EQ(Eval("$fromMillis(1521801216617, '[FNn,3-3], [Dwo] [MN,3-3] [Y,2]')"),
            Json("Fri, twenty-third MAR 18"));
  EXPECT_EQ(Eval("$fromMillis(1521801216617, '[[[Y0001]]] [D1] [M01] [YI] [h]:[m] [PN]')"),
            Json("[2018] 23 03 MMXVIII 10:33 AM"));
  EXPECT_EQ(Eval("$fromMillis(1521801216617, '[H01]:[m01] [Z]', '+0530')"), Json("16:03 +05:30"));
  EXPECT_EQ(Eval("$fromMillis(1531310400000, '[H01][z]', '-0500')"), Json("07GMT-05:00"));
  EXPECT_EQ(Eval("$fromMillis(1521801216617, '[Y]-[M01]-[D01]T[H01]:[m]:[s][Z0101t]', '+0100')"),
            Json("2018-03-23T11:33:36+0100"));
  EXPECT_EQ(Eval("$fromMillis(1521801216617, (), '-0500')"), Json("2018-03-23T05:33:36.617-05:00"));
  EXPECT_EQ(Eval("$fromMillis(1104537600000, '[X0001]-W[W01]-[F1] [d]')"),
            Json("2004-W53-6 1"));  // Sat 1 Jan 2005
  EXPECT_EQ(Eval("$fromMillis(-1, '[Y0001]-[M01]-[D01] [H01]:[m01]:[s01].[f001]')"),
            Json("1969-12-31 23:59:59.999"));
  EXPECT_EQ(Code("$fromMillis(0, '[YN]')"), "D3133");
  EXPECT_EQ(Code("$fromMillis(0, '[Z010101]')"), "D3134");
  EXPECT_EQ(Code("$fromMillis(0, '[Y')"), "D3135");
  EXPECT_EQ(Code("$fromMillis(0, '[q]')"), "D3132");
}

TEST(JsonataPicturesTest, ToMillisPictures) {
  EXPECT_EQ(Eval("$toMillis('2018-02-01T09:42:13.123+0000')"), Json(1517478133123));
  EXPECT_EQ(Eval("$toMillis('2017-10-30')"), Json(1509321600000));
  EXPECT_EQ(Code("$toMillis('2018-02-03 11:15:33')"), "D3110");
  EXPECT_EQ(Eval("$toMillis('20180205', '[Y0001][M01][D01]')"), Json(1517788800000));
  EXPECT_EQ(Eval("$toMillis('201802', '[Y,*-4][M01]')"), Json(1517443200000));
  EXPECT_EQ(Eval("$toMillis('27th April 2008', '[D1o] [MNn] [Y0001]')"), Json(1209254400000));
  EXPECT_EQ(Eval("$toMillis('4/4/2018 12:06 pm', '[D1]/[M1]/[Y0001] [h]:[m] [P]')"),
            Json(1522843560000));
  EXPECT_EQ(Eval("$toMillis('2018-094', '[Y0001]-[d001]')"), Json(1522800000000));
  EXPECT_EQ(Eval("$toMillis('2020-09-09 12:00:00 +05:30', "
                 "'[Y0001]-[M01]-[D01] [H01]:[m01]:[s01] [Z]')"),
            Json(1599633000000));
  EXPECT_EQ(Eval("$toMillis('three hundred and sixty-fifth day of 2018', '[dwo] day of [Y]')"),
            Json(1546214400000));
  EXPECT_EQ(Eval("$toMillis('irrelevant', '[Y]-[M]-[D]')"), Json("<undefined>"));
  EXPECT_EQ(Code("$toMillis('2018-22', '[Y]-[D]')"), "D3136");
  EXPECT_EQ(Code("$toMillis('2018-32-5', '[X]-[W]-[F1]')"), "D3136");
  EXPECT_EQ(Eval("$fromMillis($toMillis('2023-07-04', '[Y]-[M]-[D]'), '[FNn]')"), Json("Tuesday"));
}

TEST(JsonataPicturesTest, ParseDateTimeDefaultsFromTheSuppliedClock) {
  double now = 1521801216617;  // 2018-03-23T10:33:36.617Z
  int calls = 0;
  auto clock = [&] {
    ++calls;
    return now;
  };
  auto ms = internal::ParseDateTime("13:45", "[H]:[m]", clock);
  ASSERT_TRUE(ms.has_value());
  EXPECT_EQ(internal::FormatDateTime(*ms, std::nullopt, std::nullopt), "2018-03-23T13:45:00.000Z");
  EXPECT_EQ(calls, 1);
  // A fully specified date never consults the clock.
  ms = internal::ParseDateTime("2001-02-03", "[Y]-[M]-[D]", clock);
  ASSERT_TRUE(ms.has_value());
  EXPECT_EQ(*ms, 981158400000);
  EXPECT_EQ(calls, 1);
}

TEST(JsonataPicturesTest, NowFormatsTheEvaluationClock) {
  EXPECT_EQ(Eval("$length($now())"), Json(24));
  EXPECT_EQ(Eval("$length($now('[Y0001]-[M01]-[D01]'))"), Json(10));
  EXPECT_EQ(Eval("$substring($now('[H01]:[m01]', '+0000'), 2, 1)"), Json(":"));
  // $now() and $millis() read the one timestamp fixed for the evaluation.
  EXPECT_EQ(Eval("$now() = $fromMillis($millis())"), Json(true));
  EXPECT_EQ(Eval("$toMillis('00:00', '[H]:[m]') = $toMillis($now('[Y0001]-[M01]-[D01]'))"),
            Json(true));
  EXPECT_EQ(Code("$now(1)"), "T0410");
}

}  // namespace
}  // namespace sluice::asl::jsonata
