#include "asl/errors.h"

namespace sluice::asl {

const std::vector<std::string_view>& PredefinedErrorNames() {
  static const std::vector<std::string_view> kNames = {
      errors::kAll,
      errors::kDataLimitExceeded,
      errors::kExceedToleratedFailureThreshold,
      errors::kHeartbeatTimeout,
      errors::kTimeout,
      errors::kTaskFailed,
      errors::kPermissions,
      errors::kResultPathMatchFailure,
      errors::kParameterPathFailure,
      errors::kBranchFailed,
      errors::kNoChoiceMatched,
      errors::kIntrinsicFailure,
      errors::kItemReaderFailed,
      errors::kResultWriterFailed,
      errors::kQueryEvaluationError,
      errors::kRuntime,
  };
  return kNames;
}

bool IsUncatchable(std::string_view error) {
  return error == errors::kRuntime || error == errors::kDataLimitExceeded;
}

static bool OneMatches(std::string_view pattern, std::string_view error) {
  // States.Runtime is never retried or caught, not even when named explicitly.
  if (error == errors::kRuntime) return false;
  if (pattern == error) return true;
  if (IsUncatchable(error)) return false;
  if (pattern == errors::kAll) return true;
  if (pattern == errors::kTaskFailed)
    return error != errors::kTimeout && error != errors::kHeartbeatTimeout;
  if (pattern == errors::kTimeout) return error == errors::kHeartbeatTimeout;
  return false;
}

bool ErrorMatches(const std::vector<std::string>& error_equals, std::string_view error) {
  for (const auto& pattern : error_equals) {
    if (OneMatches(pattern, error)) return true;
  }
  return false;
}

}  // namespace sluice::asl
