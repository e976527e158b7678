// JSON text written directly, without building a Json tree first.
//
// For hot paths that produce JSON only to store or show it (history event details): the text is
// byte-identical to nlohmann's compact dump() of the equivalent ordered_json tree, so readers
// that parse it back, and stored texts written by dump() before, see no difference.
//
//   std::string text = asl::JsonObjectWriter()
//                          .String("name", "Hello")
//                          .Int("index", 3)
//                          .Raw("inputDetails", R"({"truncated":false})")
//                          .Finish();  // {"name":"Hello","index":3,"inputDetails":{…}}
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "asl/json.h"

namespace sluice::asl {

// Appends `s` as a JSON string (quotes included), escaped exactly as nlohmann's dump() escapes
// it: `"` and `\` with a backslash, \b \t \n \f \r, other control characters as \u00xx (lower-case
// hex); everything else, DEL and UTF-8 included, unchanged. Invalid UTF-8 (which the default
// dump() refuses with an exception) becomes U+FFFD, as dump() with error_handler_t::replace.
void AppendJsonString(std::string& out, std::string_view s);

// Appends `value`'s compact JSON text, as value.dump() writes it (strings as AppendJsonString,
// numbers as nlohmann formats them), without dump()'s allocations.
void AppendJson(std::string& out, const Json& value);

// Builds one JSON object's compact text, member by member in the order they are added. Keys
// are escaped like values; adding a key twice writes it twice (callers add each key once).
class JsonObjectWriter {
 public:
  JsonObjectWriter();

  JsonObjectWriter& String(std::string_view key, std::string_view value);
  JsonObjectWriter& Int(std::string_view key, int64_t value);
  // `json` is already compact JSON text (e.g. another writer's Finish()), written as is.
  JsonObjectWriter& Raw(std::string_view key, std::string_view json);
  // A string member holding `value`'s compact JSON text, as AWS records state inputs and
  // outputs: "input": "{\"a\":1}".
  JsonObjectWriter& Dumped(std::string_view key, const Json& value);

  // The object's text, "{}" when no member was added. The writer is spent afterwards.
  std::string Finish();

 private:
  void Key(std::string_view key);

  std::string text_;
};

}  // namespace sluice::asl
