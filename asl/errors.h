// ASL runtime errors and the catalogue of predefined `States.*` error names.
//
// A failure inside an execution is data: {Error, Cause}. It is produced by paths, templates,
// intrinsics, tasks and states, and routed by the executor (one place) into Retry/Catch.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice::asl {

struct AslError {
  std::string error;      // e.g. "States.Runtime", or a user/task error name
  std::string cause;      // free text; may be empty
  bool has_cause = true;  // false: the failure carries no Cause at all (e.g. Fail without Cause)
};

// The predefined error names, one table (AWS "Error names" documentation).
namespace errors {
inline constexpr std::string_view kAll = "States.ALL";
inline constexpr std::string_view kDataLimitExceeded = "States.DataLimitExceeded";
inline constexpr std::string_view kExceedToleratedFailureThreshold =
    "States.ExceedToleratedFailureThreshold";
inline constexpr std::string_view kHeartbeatTimeout = "States.HeartbeatTimeout";
inline constexpr std::string_view kTimeout = "States.Timeout";
inline constexpr std::string_view kTaskFailed = "States.TaskFailed";
inline constexpr std::string_view kPermissions = "States.Permissions";
inline constexpr std::string_view kResultPathMatchFailure = "States.ResultPathMatchFailure";
inline constexpr std::string_view kParameterPathFailure = "States.ParameterPathFailure";
inline constexpr std::string_view kBranchFailed = "States.BranchFailed";
inline constexpr std::string_view kNoChoiceMatched = "States.NoChoiceMatched";
inline constexpr std::string_view kIntrinsicFailure = "States.IntrinsicFailure";
inline constexpr std::string_view kItemReaderFailed = "States.ItemReaderFailed";
inline constexpr std::string_view kResultWriterFailed = "States.ResultWriterFailed";
inline constexpr std::string_view kQueryEvaluationError = "States.QueryEvaluationError";
inline constexpr std::string_view kRuntime = "States.Runtime";
}  // namespace errors

// All predefined names above, for the validator.
const std::vector<std::string_view>& PredefinedErrorNames();

// True when a retrier/catcher whose ErrorEquals is `error_equals` handles `error`.
// Implements AWS's rules: States.Runtime is never matched; States.ALL matches everything except
// States.Runtime and States.DataLimitExceeded; States.TaskFailed matches everything except
// States.Timeout, States.Runtime and States.DataLimitExceeded; States.Timeout also matches
// States.HeartbeatTimeout.
bool ErrorMatches(const std::vector<std::string>& error_equals, std::string_view error);

// True for errors that States.ALL and States.TaskFailed do not match.
bool IsUncatchable(std::string_view error);

}  // namespace sluice::asl
