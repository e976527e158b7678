// Loading a definition: text (JSON or YAML) → JSON → validated, compiled StateMachine.
//
// Validation reports every problem it finds, each located by a JSON Pointer, and accepts what
// AWS Step Functions accepts. Compilation happens in the same pass, so a definition is never
// parsed twice.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "asl/diagnostic.h"
#include "asl/json.h"
#include "asl/result.h"
#include "asl/state_machine.h"

namespace sluice::asl {

// Parses definition text. JSON is tried when the first non-space character is '{'; otherwise
// YAML. The error message names the line and column of the syntax error.
Result<Json> ParseDefinitionText(std::string_view text);

// Reads and parses a file; the error names the file.
Result<Json> LoadDefinitionFile(const std::string& path);

// Validates and compiles a definition. On failure, every problem found (sorted by pointer,
// de-duplicated), each with its JSON Pointer.
Result<std::shared_ptr<const StateMachine>, Diagnostics> Compile(const Json& definition);

// Renders diagnostics one per line, "POINTER: message\n" ("(root)" for the empty pointer), e.g.
// "/States/Check/Next: names no state: 'Chek'".
std::string FormatDiagnostics(const Diagnostics& diagnostics);

}  // namespace sluice::asl
