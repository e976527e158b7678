// Path: a compiled JSONPath expression, as used by ASL in JSONPath mode.
//
// Used by InputPath, OutputPath, ResultPath, ItemsPath, `.$` template fields, Choice `Variable`
// and `*Path` comparators, Fail ErrorPath/CausePath, Wait SecondsPath/TimestampPath and the other
// `*Path` fields. A Path is parsed once when the definition is compiled and is immutable and
// cheap to copy afterwards (shared implementation).
//
// Roots: `$` (the state's data), `$$` (the context object), `$name` (a workflow variable).
// Syntax follows Jayway JsonPath, which AWS uses: `.name`, `['name']`, `[0]`, `[-1]`, `[*]`,
// `.*`, `..name` (deep scan), `[0,2]`, `['a','b']`, `[1:3]`, `[?(@.x > 1)]` filters
// (==, !=, <, <=, >, >=, =~, in/nin, &&, ||, !, existence `[?(@.x)]`), and `.length()`.
//
// A *reference path* has only names and indexes (no wildcard, filter, slice, union or deep
// scan): it identifies one node, and only reference paths may be used as ResultPath.
//
// Thread rule: immutable after Parse; safe to share across threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "asl/json.h"
#include "asl/result.h"

namespace sluice::asl {

class Random;

// What a path, template or intrinsic reads.
struct EvalScope {
  const Json& data;                 // `$`
  const Json& context;              // `$$`
  const Json* variables = nullptr;  // `$name`: an object of variable name -> value; may be null
  Random* random = nullptr;         // for States.UUID / States.MathRandom; may be null
};

// Why a path could not be evaluated.
struct PathError {
  // Jayway's message, e.g. "No results for path: $['NoSuchInputPath']" or
  // "Missing property in path $['no']". Callers wrap it in their field's wording, e.g.
  // "Invalid path '$.x' : <message>".
  std::string message;
};

enum class PathRoot {
  kData,      // `$`
  kContext,   // `$$`
  kVariable,  // `$name`
};

class Path {
 public:
  // The path "$".
  Path();

  // Parses `text`; the error is a message saying what is wrong and where, e.g.
  // "unexpected character ']' at position 4".
  static Result<Path> Parse(std::string_view text);

  const std::string& text() const;
  PathRoot root() const;
  // For kVariable: the variable's name (without '$').
  const std::string& variable_name() const;
  bool IsReferencePath() const;
  // True when the path can select at most one node (a reference path, possibly with
  // `.length()`); indefinite paths select an array of all matches.
  bool IsDefinite() const;
  bool IsRoot() const;  // exactly "$"

  // Evaluates the path. A definite path returns its node, or a PathError when the node is
  // missing. An indefinite path returns an array of all matches (possibly empty).
  Result<Json, PathError> Select(const EvalScope& scope) const;

  // ResultPath semantics: returns `target` with `value` placed at this reference path,
  // creating missing intermediate objects. "$" returns `value`. Fails when a step must cross
  // a value that is not an object (or an array index that does not exist).
  Result<Json, PathError> Assign(Json target, Json value) const;

  struct Impl;

 private:
  std::shared_ptr<const Impl> impl_;
};

// AWS's cause for a path that fails in InputPath, OutputPath and similar fields:
// "Invalid path '<path text>' : <error.message>" (the executor adds its "An error occurred
// while executing the state …" prefix).
std::string InvalidPathCause(const Path& path, const PathError& error);

}  // namespace sluice::asl
