// JsonataTemplate: a compiled JSONata-mode field value (`Arguments`, `Output`, `Assign`,
// `Items`, `ItemSelector`, `Condition`, `Seconds`, `Error`, …).
//
// The value is any JSON. A string written exactly as "{% expr %}" is a JSONata expression; every
// other string, and every number, boolean and null, is a literal. Objects and arrays are
// templates too: each member and element is evaluated in turn, key order preserved. Every
// expression is parsed once, at compile time; evaluation never re-parses.
//
// Evaluation binds the caller's `bindings` object: `$states` (input, context, and result or
// errorOutput where the state has them) and the workflow variables. A failure is a
// States.QueryEvaluationError whose cause is AWS's text, e.g.
//   The JSONata expression '$x' specified for the field 'Output/result' returned nothing
//   (undefined).
// (the executor adds the "An error occurred while executing the state …" prefix). An
// expression whose result is a function fails with "… returned an unsupported result type.".
//
// The clock and random source that $now, $millis, $random, $shuffle and $uuid see come from the
// caller's jsonata::Environment; the executor passes the event time and its seeded generator,
// so evaluation is deterministic.
//
// Thread rule: immutable after Compile; share freely.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "asl/errors.h"
#include "asl/json.h"
#include "asl/jsonata/jsonata.h"
#include "asl/result.h"

namespace sluice::asl {

// True for a JSONata expression string: exactly wrapped in "{%" … "%}".
bool IsJsonataExpression(const Json& value);

class JsonataTemplate {
 public:
  // Compiles `value`. On a syntax error, the message names the expression and JSONata's error
  // (code, position and text).
  static Result<JsonataTemplate, std::string> Compile(const Json& value);

  // Evaluates the template. `field` names it in causes ("Output", "Assign/x", "Items"); `env`
  // is the clock and random source (one `env` serves every expression of the template).
  Result<Json, AslError> Evaluate(const Json& input, const Json& bindings, std::string_view field,
                                  const jsonata::Environment& env) const;

  // True when the whole value is one expression (not a literal or a structure).
  bool is_expression() const;
  // The expression text of a top-level expression (between the delimiters, trimmed).
  const std::string& expression_text() const;

  struct Node;

 private:
  std::shared_ptr<const Node> root_;
};

// AWS's name for a JSON value's type in causes: "array", "object", "string", "number",
// "boolean", "null".
std::string JsonTypeName(const Json& value);

}  // namespace sluice::asl
