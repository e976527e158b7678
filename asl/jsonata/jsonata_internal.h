// Internal AST and helpers shared by the JSONata parser and evaluator.
#pragma once

#include <cstdint>
#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Internal header (included only by .cpp files), so it may use the full nlohmann header.
#include <nlohmann/json.hpp>

#include "asl/json.h"

namespace sluice::asl::jsonata::internal {

// Thrown internally; converted to jsonata::Error at the API boundary.
struct JErr {
  std::string code;
  std::string message;
  int64_t pos = -1;
};

enum class NK {
  kLit,
  kRegex,
  kName,
  kVar,
  kWildcard,
  kDescendant,
  kPath,
  kFilter,
  kBinary,
  kNeg,
  kArray,
  kObject,
  kCond,
  kBind,
  kBlock,
  kLambda,
  kCall,
  kChain,
  kSort,
  kPlaceholder
};

struct Node;
using NodeP = std::shared_ptr<Node>;

struct Node {
  NK k = NK::kLit;
  int64_t pos = 0;
  std::string s;
  NodeP a, b, c;
  std::vector<NodeP> v;
  std::vector<std::pair<NodeP, NodeP>> kv;
  std::vector<bool> desc;
  std::vector<std::string> params;
  std::shared_ptr<std::regex> re;
  bool keep = false;
  Json lit;  // kLit value
};

Json MakeNum(double d);
[[noreturn]] void Throw(const char* code, const std::string& msg, int64_t pos);
NodeP ParseText(std::string_view text);

// Appends code point `cp` to `out` as UTF-8.
void AppendUtf8(std::string& out, uint32_t cp);

}  // namespace sluice::asl::jsonata::internal
