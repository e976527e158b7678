// Durations in pipeline configs and rules, resolved to whole seconds.
//
// The one parser for every duration the pipeline layer reads: schedule.evaluation.window and
// .interval, sla.expectedDuration and .maxDuration, postRun.sensorTimeout, and the value of
// age_lt / age_gt rules. The syntax is Go's time.ParseDuration (which Interlock configs use)
// plus a day unit:
//
//   duration = "0" / 1*(number unit)          ; e.g. "90s", "5m", "1h30m", "1.5h", "1d2h"
//   number   = 1*DIGIT ["." *DIGIT] / "." 1*DIGIT
//   unit     = "ns" / "us" / "µs" / "ms" / "s" / "m" / "h" / "d"   ; d = 24 h, not a calendar day
//
// Differences from Go, on purpose:
//  - the result must be a whole number of seconds: "500ms" is rejected rather than truncated to
//    0 (Interlock turns a sub-second evaluation interval into a Wait of 0 that never exhausts);
//  - signs are rejected: no pipeline duration is negative;
//  - a bare number other than "0" is rejected ("missing unit"), as in Go: a YAML `3600` could mean
//    seconds or milliseconds, so the config must say.
// Whitespace is not trimmed. The total must fit in int64 nanoseconds (about 292 years).
//
// Thread rule: pure functions; safe everywhere.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "asl/result.h"

namespace sluice::pipeline {

// Seconds, or an error naming the text and the problem, e.g.
// `invalid duration "5x": unknown unit "x" (use s, m, h or d)`.
Result<int64_t> ParseDuration(std::string_view text);

// The shortest text ParseDuration reads back as `seconds`: "0s", "45s", "1m30s", "1h", "1d2h".
// Negative values get a leading '-' (for messages such as a future timestamp's age).
std::string FormatDuration(int64_t seconds);

}  // namespace sluice::pipeline
