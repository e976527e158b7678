// Environment-variable expansion: see env_expand.h.
#include "handlers/pipeline/env_expand.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace sluice::pipeline {
namespace {

bool IsNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

}  // namespace

Getenv ProcessGetenv() {
  return [](const std::string& name) {
    const char* value = std::getenv(name.c_str());
    return std::string(value ? value : "");
  };
}

std::string ExpandEnv(std::string_view text, const Getenv& getenv) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '$' || i + 1 >= text.size()) {
      out += text[i++];
      continue;
    }
    size_t name_start = i + 1, name_end = 0, next = 0;
    if (text[i + 1] == '{') {
      size_t close = text.find('}', i + 2);
      name_start = i + 2;
      name_end = close;
      next = close + 1;
    } else {
      name_end = name_start;
      while (name_end < text.size() && IsNameChar(text[name_end])) ++name_end;
      next = name_end;
    }
    std::string_view name = name_end == std::string_view::npos
                                ? std::string_view()
                                : text.substr(name_start, name_end - name_start);
    if (name.empty() || !IsNameStart(name[0]) ||
        !std::all_of(name.begin(), name.end(), IsNameChar)) {
      out += text[i++];
      continue;
    }
    if (name.substr(0, kEnvPrefix.size()) == kEnvPrefix) out += getenv(std::string(name));
    i = next;
  }
  return out;
}

}  // namespace sluice::pipeline
