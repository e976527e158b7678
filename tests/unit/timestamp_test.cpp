// Timestamps: what AWS (Java's ISO_OFFSET_DATE_TIME) accepts and rejects, and the format AWS
// prints in the context object and history.
#include "asl/timestamp.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace sluice::asl {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

TEST(ParseTimestampTest, AcceptsWhatAwsWaitAccepts) {
  // AWS-recorded Wait cases that succeeded.
  EXPECT_EQ(ParseTimestamp("2016-03-14T01:59:00Z"), 1457920740 * kSecond);
  EXPECT_EQ(ParseTimestamp("2024-01-01T00:00:00Z"), 1704067200 * kSecond);
  EXPECT_EQ(ParseTimestamp("2024-01-01T00:00:00.00Z"), 1704067200 * kSecond);
  EXPECT_EQ(ParseTimestamp("2016-03-05T21:29:29.243167252Z"), 1457213369 * kSecond + 243167252);
}

TEST(ParseTimestampTest, RejectsWhatAwsWaitRejects) {
  // AWS-recorded Wait cases that failed with "… ISO-8601 extended offset date-time format …".
  for (const char* text :
       {"2024-01-01T00:00:00.000000", "2016-13-05T21:29:29Z", "05-12-2016T21:29:29Z",
        "2016-12-05T25:29:29Z", "2016-12-05 21:29:29Z", "2016-12-05T21:29:29"}) {
    EXPECT_EQ(ParseTimestamp(text), std::nullopt) << text;
  }
}

TEST(ParseTimestampTest, AppliesTheOffset) {
  const int64_t utc = *ParseTimestamp("2012-10-09T19:00:55Z");
  EXPECT_EQ(ParseTimestamp("2012-10-09T19:00:55+01:00"), utc - 3600 * kSecond);
  EXPECT_EQ(ParseTimestamp("2012-10-09T19:00:55-05:30"), utc + 5 * 3600 * kSecond + 1800 * kSecond);
  EXPECT_EQ(ParseTimestamp("2012-10-09T19:00:55+00:00"), utc);
  EXPECT_EQ(ParseTimestamp("2012-10-09T19:00:55-00:00"), utc);
  EXPECT_EQ(ParseTimestamp("2012-10-09T19:00:55+18:00"), utc - 18 * 3600 * kSecond);
  // Java's lenient offset parsing: hours only, or with seconds.
  EXPECT_EQ(ParseTimestamp("2012-10-09T19:00:55+01"), utc - 3600 * kSecond);
  EXPECT_EQ(ParseTimestamp("2012-10-09T19:00:55+01:00:30"), utc - 3630 * kSecond);
}

TEST(ParseTimestampTest, FractionalSecondsUpToNanoseconds) {
  const int64_t base = *ParseTimestamp("2012-10-09T19:00:55Z");
  EXPECT_EQ(ParseTimestamp("2012-10-09T19:00:55.1Z"), base + 100'000'000);
  EXPECT_EQ(ParseTimestamp("2012-10-09T19:00:55.123Z"), base + 123'000'000);
  EXPECT_EQ(ParseTimestamp("2012-10-09T19:00:55.000000001Z"), base + 1);
  EXPECT_EQ(ParseTimestamp("2012-10-09T19:00:55.Z"), base);  // Java: 0 to 9 digits
  EXPECT_EQ(ParseTimestamp("2012-10-09T19:00:55.1234567891Z"), std::nullopt);
  EXPECT_EQ(ParseTimestamp("2012-10-09T19:00:55,1Z"), std::nullopt);
}

TEST(ParseTimestampTest, SecondsAreOptionalAndLettersCaseInsensitive) {
  const int64_t base = *ParseTimestamp("2012-10-09T19:00:00Z");
  EXPECT_EQ(ParseTimestamp("2012-10-09T19:00Z"), base);
  EXPECT_EQ(ParseTimestamp("2012-10-09t19:00:00z"), base);
  EXPECT_EQ(ParseTimestamp("2012-10-09T19:00.5Z"), std::nullopt);  // fraction needs seconds
}

TEST(ParseTimestampTest, StrictCalendarAndClock) {
  EXPECT_NE(ParseTimestamp("2024-02-29T00:00:00Z"), std::nullopt);
  EXPECT_NE(ParseTimestamp("2000-02-29T00:00:00Z"), std::nullopt);
  EXPECT_NE(ParseTimestamp("2016-12-31T23:59:59Z"), std::nullopt);
  for (const char* text : {"2023-02-29T00:00:00Z",
                           "1900-02-29T00:00:00Z",
                           "2016-04-31T00:00:00Z",
                           "2016-00-10T00:00:00Z",
                           "2016-01-00T00:00:00Z",
                           "2016-01-32T00:00:00Z",
                           "2016-12-05T24:00:00Z",
                           "2016-12-05T23:60:00Z",
                           "2016-12-05T23:59:60Z",
                           "2016-12-05T23:59:59+19:00",
                           "2016-12-05T23:59:59+18:01",
                           "2016-12-05T23:59:59+01:60",
                           "2016-12-05T23:59:59+0100",
                           "2016-12-05T23:59:59+1",
                           "2016-12-05T23:59:59+01:",
                           "2016-12-05T23:59:59 Z",
                           " 2016-12-05T23:59:59Z",
                           "2016-12-05T23:59:59Z ",
                           "2016-1-05T23:59:59Z",
                           "2016-12-5T23:59:59Z",
                           "2016-12-05T1:59:59Z",
                           "16-12-05T23:59:59Z",
                           "20160-12-05T23:59:59Z",
                           "+2016-12-05T23:59:59Z",
                           "-0000-12-05T23:59:59Z",
                           "2016-12-05",
                           "2016-12-05T",
                           "2016-12-05T23:59:59ZZ",
                           "",
                           "date",
                           "2016/12/05T23:59:59Z"}) {
    EXPECT_EQ(ParseTimestamp(text), std::nullopt) << text;
  }
}

TEST(ParseTimestampTest, ExtendedYears) {
  EXPECT_EQ(ParseTimestamp("0001-01-01T00:00:00Z"), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(ParseTimestamp("+10000-01-01T00:00:00Z"), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(ParseTimestamp("-0001-01-01T00:00:00Z"), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(ParseTimestamp("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseTimestamp("1969-12-31T23:59:59.999Z"), -1'000'000);
}

TEST(FormatTimestampTest, MillisecondsUtc) {
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTimestamp(1704067200 * kSecond + 123'456'789), "2024-01-01T00:00:00.123Z");
  EXPECT_EQ(FormatTimestamp(1457213369 * kSecond + 243167252), "2016-03-05T21:29:29.243Z");
  EXPECT_EQ(FormatTimestamp(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatTimestamp(951782400 * kSecond), "2000-02-29T00:00:00.000Z");
}

TEST(FormatTimestampTest, RoundTripsThroughParse) {
  for (int64_t t : {int64_t{0}, int64_t{1704067200123} * 1'000'000,
                    int64_t{-86'400'001} * 1'000'000, int64_t{4102444799999} * 1'000'000}) {
    EXPECT_EQ(ParseTimestamp(FormatTimestamp(t)), t) << t;
  }
}

}  // namespace
}  // namespace sluice::asl
