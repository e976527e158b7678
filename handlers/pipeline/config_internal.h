// Building blocks of the pipeline config validator (config.cpp): a diagnostics collector that
// knows where each JSON Pointer sits in the YAML text, and a reader for one mapping that
// type-checks its fields and reports unknown keys.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "asl/json.h"
#include "handlers/pipeline/config.h"

namespace sluice::pipeline::config_internal {

// Where pointers are in the source text: the value node, and for members the key node.
struct SourceMarks {
  std::map<std::string, YAML::Mark> values;
  std::map<std::string, YAML::Mark> keys;
};

// Records the marks of every node of a YAML document (aliases are followed; depth-limited).
SourceMarks CollectMarks(const YAML::Node& root);

// A config document and where its nodes are in the text.
struct SourceDocument {
  Json document;
  SourceMarks marks;  // empty for JSON text
};

// Reads a config file's text: YAML, or JSON when it starts with '{'. yaml-cpp gives the
// positions; asl's reader gives the typed document (YAML 1.2 core schema, duplicate keys
// refused), the same reading as state machine definitions. Fails with one located problem;
// `empty_message` when the text is blank.
Result<SourceDocument, ConfigDiagnostics> ReadSourceDocument(std::string_view text,
                                                             std::string_view empty_message);

// A failure of one problem at LINE:COLUMN (0: unknown) of no pointer.
Failure<ConfigDiagnostics> OneProblem(int line, int column, std::string message);

class Problems {
 public:
  explicit Problems(const SourceMarks* marks) : marks_(marks) {}

  // A problem with the value at `pointer` (located at the value).
  void AtValue(const std::string& pointer, std::string message);
  // A problem with the member named by `pointer` itself (located at its key).
  void AtKey(const std::string& pointer, std::string message);

  bool empty() const { return list_.empty(); }
  // The problems in document order.
  ConfigDiagnostics Take();

 private:
  void Add(const std::string& pointer, std::string message, bool at_key);

  const SourceMarks* marks_;
  ConfigDiagnostics list_;
};

// "the string \"x\"", "the number 3600", "the boolean true", "null", "a list", "a map".
std::string Describe(const Json& value);

// Reads the members of one mapping. Every getter returns nullopt (or null) when the member is
// absent or wrong; a wrong member has been reported. Unknown keys are reported on construction.
class MapReader {
 public:
  // Reports `value` if it is not a map ("expected a map, got ...").
  MapReader(Problems& problems, const Json& value, std::string pointer,
            std::initializer_list<std::string_view> known_keys);

  bool valid() const { return object_ != nullptr; }
  const std::string& pointer() const { return pointer_; }
  std::string PointerOf(std::string_view key) const;
  Problems& problems() const { return problems_; }

  // The member as is (null members included), or null when absent.
  const Json* Get(std::string_view key) const;
  // Reports "missing required key 'KEY'" at this map.
  void ReportMissing(std::string_view key) const;

  std::optional<std::string> String(std::string_view key, bool required = false) const;
  std::optional<bool> Bool(std::string_view key) const;
  std::optional<int64_t> Integer(std::string_view key, int64_t min, int64_t max) const;
  std::optional<double> Number(std::string_view key) const;
  // A duration string (duration.h), at least `min_seconds`.
  std::optional<int64_t> Duration(std::string_view key, int64_t min_seconds) const;
  // The member when it is a map or a list; reports other types.
  const Json* Map(std::string_view key, bool required = false) const;
  const Json* List(std::string_view key) const;

 private:
  // The member when present and of `type`; reports "expected WHAT, got ...".
  const Json* Typed(std::string_view key, bool (*is_type)(const Json&), const char* what,
                    bool required) const;

  Problems& problems_;
  const Json* object_ = nullptr;
  std::string pointer_;
};

}  // namespace sluice::pipeline::config_internal
