// RFC 3339 / ISO-8601 timestamps as AWS Step Functions accepts them (Wait Timestamp(Path),
// Choice Timestamp* comparators, IsTimestamp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::asl {

// Parses an RFC 3339 date-time with a mandatory 'T' separator and mandatory offset ('Z' or
// ±HH:MM), optional fractional seconds. Returns nanoseconds since the Unix epoch, or nullopt
// when the text is not a valid timestamp (bad month/day/hour, missing offset, …).
std::optional<int64_t> ParseTimestamp(std::string_view text);

// Formats nanoseconds since the epoch as AWS does in the context object and history:
// "2024-01-01T00:00:00.123Z" (milliseconds, UTC).
std::string FormatTimestamp(int64_t epoch_nanos);

}  // namespace sluice::asl
