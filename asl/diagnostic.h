// Diagnostic: one problem found in a definition, located by a JSON Pointer (RFC 6901).
#pragma once

#include <string>
#include <vector>

namespace sluice::asl {

struct Diagnostic {
  std::string pointer;  // e.g. "/States/Check/Next"; "" is the whole document
  std::string message;  // one sentence, no trailing period, e.g. "names no state: 'Chek'"
};

using Diagnostics = std::vector<Diagnostic>;

// Appends `token` to a JSON Pointer, escaping '~' and '/' as RFC 6901 requires.
std::string JoinPointer(const std::string& pointer, const std::string& token);

}  // namespace sluice::asl
