// AWS Lambda shapes that Step Functions exposes, shared by the local-function and mock handlers.
//
// Two Task forms run a Lambda function, and AWS renders their results and errors differently
// (the conformance cases pin both):
//
//   form                              result                       error Cause (function raised)
//   Resource = function ARN (legacy)  the function's output        Lambda's payload text, as the
//                                                                 Python runtime wrote it:
//                                                                 {"errorMessage": "…", …}
//   arn:aws:states:::lambda:invoke    {"ExecutedVersion", "Payload", {"errorMessage":"…",…}: the
//                                     "SdkHttpMetadata",           payload re-serialised
//                                     "SdkResponseMetadata",       compactly by Step Functions
//                                     "StatusCode"}
//
// Pure functions, no I/O; the request id and the time come in as values.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "asl/json.h"

namespace sluice::handlers::lambda {

inline constexpr std::string_view kResourceNotFound = "Lambda.ResourceNotFoundException";
inline constexpr std::string_view kLatest = "$LATEST";

// The two Task forms that invoke a Lambda function.
enum class InvokeForm {
  kFunctionArn,   // Resource is the function's ARN; the result is the function's raw output
  kLambdaInvoke,  // Resource is arn:aws:states:::lambda:invoke; the result is Invoke's response
};

// A function reference, from a Lambda function ARN or an Invoke FunctionName.
struct FunctionRef {
  std::string partition;  // empty unless given (full ARN)
  std::string region;     // empty unless given (full ARN)
  std::string account;    // empty unless given (full or partial ARN)
  std::string name;
  std::string qualifier;  // version or alias; empty for none
};

// arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]; nullopt for anything else.
std::optional<FunctionRef> ParseFunctionArn(std::string_view arn);

// A FunctionName as Lambda's Invoke accepts it: NAME, NAME:QUALIFIER,
// ACCOUNT:function:NAME[:QUALIFIER] or a full function ARN. nullopt when malformed.
std::optional<FunctionRef> ParseFunctionName(std::string_view function_name);

// True for the request-response lambda:invoke integration (arn:PARTITION:states:…:lambda:invoke,
// any region/account fields); false for .waitForTaskToken and every other resource.
bool IsLambdaInvokeResource(std::string_view resource);

// The region and account of an ARN such as an execution ARN; empty strings when absent.
struct RegionAccount {
  std::string region;
  std::string account;
};
RegionAccount RegionAccountOf(std::string_view arn);

// The full ARN of `ref` with `qualifier_or_latest` (":$LATEST" when `ref` has no qualifier),
// filling a missing partition/region/account from the defaults.
std::string QualifiedArn(const FunctionRef& ref, const RegionAccount& defaults);

// The event a function receives for a Task payload, as Step Functions sends it: JSON null
// becomes {}; a string whose text is JSON is sent as that JSON (so "0" arrives as 0 and "{}"
// as {}); any other value is sent as is.
Json EventFromPayload(const Json& payload);

// Python's json.dumps(value) with default settings: ", " and ": " separators and non-ASCII
// escaped as \uXXXX. Lambda's Python runtime renders payloads this way; Content-Length and
// legacy-resource error causes follow it.
std::string PythonJsonDumps(const Json& value);

// The error payload Lambda returns when a function raises:
// {"errorMessage": …, "errorType": …, "requestId": …, "stackTrace": []}.
Json ErrorPayload(std::string_view error_type, std::string_view error_message,
                  std::string_view request_id);

// The Cause Step Functions reports for a function error payload in the given form.
std::string ErrorCause(InvokeForm form, const Json& error_payload);

// Lambda.ResourceNotFoundException's cause for a missing function, e.g.
// "Function not found: arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST (Service:
// AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: …; Proxy:
// null)".
std::string FunctionNotFoundCause(std::string_view qualified_arn, std::string_view request_id);

// The per-call values of an Invoke response that are not data.
struct InvokeMetadata {
  std::string request_id;
  std::chrono::system_clock::time_point date;
  std::string trace_id;  // X-Amzn-Trace-Id
};

// The lambda:invoke result wrapping `payload`, with AWS's key order:
// {"ExecutedVersion", "Payload", "SdkHttpMetadata": {"AllHttpHeaders", "HttpHeaders",
// "HttpStatusCode"}, "SdkResponseMetadata": {"RequestId"}, "StatusCode": 200}.
Json InvokeResponse(const Json& payload, std::string_view executed_version,
                    const InvokeMetadata& metadata);

// "$LATEST", or the qualifier when it is a published version number.
std::string ExecutedVersion(std::string_view qualifier);

// RFC 7231 date, e.g. "Tue, 15 Nov 1994 08:12:31 GMT".
std::string HttpDate(std::chrono::system_clock::time_point time);

// A random version-4 UUID (Lambda request ids).
std::string NewRequestId();

// A random X-Ray trace header: "Root=1-<8 hex>-<24 hex>;Parent=<16 hex>;Sampled=0".
std::string NewTraceId(std::chrono::system_clock::time_point time);

}  // namespace sluice::handlers::lambda
