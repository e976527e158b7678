// IntrinsicCall: a compiled intrinsic function call such as
// `States.Format('Hello {}', $.name)`, as used in `.$` fields of payload templates.
//
// All 18 AWS intrinsics: States.Format, StringToJson, JsonToString, Array, ArrayPartition,
// ArrayContains, ArrayRange, ArrayGetItem, ArrayLength, ArrayUnique, Base64Encode, Base64Decode,
// Hash, JsonMerge, MathRandom, MathAdd, StringSplit, UUID. Arguments are string literals
// ('…' with \' \{ \} \\ escapes), numbers, true/false/null, paths ($, $$, $var) and nested calls.
// Parsing checks the function name and its arity; evaluation checks argument types and values
// and fails with States.IntrinsicFailure and AWS's cause text.
//
// Thread rule: immutable after Parse.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "asl/errors.h"
#include "asl/json.h"
#include "asl/path.h"
#include "asl/result.h"

namespace sluice::asl {

class IntrinsicCall {
 public:
  // True when `text` looks like an intrinsic call (starts with "States." after spaces), as
  // opposed to a path. Used to decide how to parse a `.$` value.
  static bool LooksLikeCall(std::string_view text);

  // Parses `text`; the error says what is wrong, e.g. "unknown intrinsic function
  // 'States.Foo'" or "States.ArrayLength takes 1 argument, got 2".
  static Result<IntrinsicCall> Parse(std::string_view text);

  const std::string& text() const;

  // Evaluates the call. `field` is the template field name (e.g. "value.$"), used in causes.
  Result<Json, AslError> Evaluate(const EvalScope& scope, std::string_view field) const;

  struct Impl;

 private:
  std::shared_ptr<const Impl> impl_;
};

}  // namespace sluice::asl
