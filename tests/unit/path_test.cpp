// Tests for asl/path.h: Jayway-compatible JSONPath as AWS Step Functions uses it.
#include "asl/path.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace sluice::asl {
namespace {

Json J(const char* text) { return Json::parse(text); }

Path P(std::string_view text) {
  auto path = Path::Parse(text);
  EXPECT_TRUE(path.ok()) << text << ": " << (path.ok() ? "" : path.error());
  return path.ok() ? path.value() : Path();
}

// Selects `path` from `data`; "ERROR: <message>" on failure, else the compact JSON.
std::string Select(std::string_view path, const Json& data, const Json& context = Json::object(),
                   const Json* variables = nullptr) {
  EvalScope scope{data, context, variables};
  auto result = P(path).Select(scope);
  if (!result.ok()) return "ERROR: " + result.error().message;
  return result.value().dump();
}

std::string ParseError(std::string_view text) {
  auto path = Path::Parse(text);
  return path.ok() ? "OK" : path.error();
}

std::string Assign(std::string_view path, const Json& target, const Json& value) {
  auto result = P(path).Assign(target, value);
  if (!result.ok()) return "ERROR: " + result.error().message;
  return result.value().dump();
}

const Json kStore = J(R"({
  "store": {
    "book": [
      {"category": "reference", "author": "Nigel Rees", "title": "Sayings of the Century",
       "price": 8.95},
      {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword of Honour",
       "price": 12.99},
      {"category": "fiction", "author": "Herman Melville", "title": "Moby Dick",
       "isbn": "0-553-21311-3", "price": 8.99},
      {"category": "fiction", "author": "J. R. R. Tolkien", "title": "The Lord of the Rings",
       "isbn": "0-395-19395-8", "price": 22.99}
    ],
    "bicycle": {"color": "red", "price": 19.95}
  },
  "expensive": 10
})");

// --- the common forms ---

TEST(PathTest, DefaultPathIsRoot) {
  Path path;
  EXPECT_EQ(path.text(), "$");
  EXPECT_TRUE(path.IsRoot());
  EXPECT_TRUE(path.IsDefinite());
  EXPECT_TRUE(path.IsReferencePath());
  EXPECT_EQ(path.root(), PathRoot::kData);
}

TEST(PathTest, RootSelectsTheWholeDocument) {
  EXPECT_EQ(Select("$", J(R"({"a":1})")), R"({"a":1})");
  EXPECT_EQ(Select("$", J("\"text\"")), "\"text\"");
  EXPECT_EQ(Select("$", Json(nullptr)), "null");
}

TEST(PathTest, DotNotationSelectsNestedField) {
  EXPECT_EQ(Select("$.a.b", J(R"({"a":{"b":[1,2]}})")), "[1,2]");
  EXPECT_EQ(Select("$.a.b", J(R"({"a":{"b":null}})")), "null");
}

TEST(PathTest, BracketNotationSelectsNames) {
  Json data = J(R"({"a b":{"c.d":1, "it's":2}})");
  EXPECT_EQ(Select("$['a b']['c.d']", data), "1");
  EXPECT_EQ(Select(R"($["a b"]["c.d"])", data), "1");
  EXPECT_EQ(Select(R"($["a b"]["it's"])", data), "2");
  EXPECT_EQ(Select("$.['a b'].['c.d']", data), "1");
}

TEST(PathTest, BackslashInBracketNameIsKeptAsWritten) {
  // Recorded on AWS (test_escape_sequence_parsing): the path $['Test\""Name"'] selects the key
  // Test\""Name" -- the backslash stays part of the name.
  Json data = Json::object({{R"(Test\""Name")", R"(Value"\)"}});
  EXPECT_EQ(Select(R"($['Test\""Name"'])", data), R"("Value\"\\")");
  EXPECT_EQ(Select(R"($['it\'s'])", Json::object({{R"(it\'s)", 1}})), "1");
}

TEST(PathTest, NamesMayHoldHyphensAndOtherCharacters) {
  EXPECT_EQ(Select("$.int-literal", J(R"({"int-literal":0})")), "0");
  EXPECT_EQ(Select("$.a:b", J(R"({"a:b":true})")), "true");
}

TEST(PathTest, ArrayIndexSelectsElement) {
  Json data = J(R"({"a":[10,20,30]})");
  EXPECT_EQ(Select("$.a[0]", data), "10");
  EXPECT_EQ(Select("$.a[2]", data), "30");
  EXPECT_EQ(Select("$.a[ 1 ]", data), "20");
  EXPECT_EQ(Select("$[1]", J("[1,2]")), "2");
}

TEST(PathTest, NegativeIndexCountsFromTheEnd) {
  Json data = J(R"({"a":[10,20,30]})");
  EXPECT_EQ(Select("$.a[-1]", data), "30");
  EXPECT_EQ(Select("$.a[-3]", data), "10");
  EXPECT_EQ(Select("$.a[-4]", data), "ERROR: No results for path: $['a'][-4]");
}

TEST(PathTest, ContextRootReadsTheContextObject) {
  Json context = J(R"({"Execution":{"Id":"arn:x","Input":{"k":1}},"State":{"Name":"S"}})");
  EXPECT_EQ(Select("$$.Execution.Id", J("{}"), context), "\"arn:x\"");
  EXPECT_EQ(Select("$$.State", J("{}"), context), R"({"Name":"S"})");
  EXPECT_EQ(Select("$$", J("{}"), context), context.dump());
  EXPECT_EQ(P("$$.Execution.Id").root(), PathRoot::kContext);
}

TEST(PathTest, VariableRootReadsAVariable) {
  Json variables = J(R"({"order":{"items":[{"id":7}]},"n":3})");
  EXPECT_EQ(Select("$order.items[0].id", J("{}"), J("{}"), &variables), "7");
  EXPECT_EQ(Select("$n", J("{}"), J("{}"), &variables), "3");
  Path path = P("$order.items");
  EXPECT_EQ(path.root(), PathRoot::kVariable);
  EXPECT_EQ(path.variable_name(), "order");
  EXPECT_FALSE(path.IsRoot());
}

TEST(PathTest, UndefinedVariableIsAnError) {
  Json variables = J(R"({"a":1})");
  EXPECT_EQ(Select("$b", J("{}"), J("{}"), &variables), "ERROR: Variable '$b' is not defined");
  EXPECT_EQ(Select("$b.c", J("{}"), J("{}"), nullptr), "ERROR: Variable '$b' is not defined");
}

TEST(PathTest, VariableNamesFollowIdentifierRules) {
  EXPECT_EQ(P("$_x1.y").variable_name(), "_x1");
  EXPECT_EQ(P("$abc[0]").variable_name(), "abc");
  EXPECT_NE(ParseError("$1abc"), "OK");
}

// --- AWS-recorded error messages ---

TEST(PathTest, MissingLeafOfDefinitePathFailsWithNoResults) {
  // AWS: "Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']"
  EXPECT_EQ(Select("$.NoSuchInputPath", J(R"({"int-literal":0})")),
            "ERROR: No results for path: $['NoSuchInputPath']");
  EXPECT_EQ(Select("$.a.b", J(R"({"a":{}})")), "ERROR: No results for path: $['a']['b']");
}

TEST(PathTest, MissingIntermediatePropertyFailsWithMissingProperty) {
  // AWS: "Invalid path '$.no.such.result.path' : Missing property in path $['no']"
  EXPECT_EQ(Select("$.no.such.result.path", J(R"({"a":1})")),
            "ERROR: Missing property in path $['no']");
  EXPECT_EQ(Select("$.a.no.x", J(R"({"a":{}})")), "ERROR: Missing property in path $['a']['no']");
}

TEST(PathTest, InvalidPathCauseWrapsTheMessage) {
  Path path = P("$.NoSuchInputPath");
  EvalScope scope{J(R"({"int-literal":0})"), J("{}")};
  auto result = path.Select(scope);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(InvalidPathCause(path, result.error()),
            "Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']");
}

TEST(PathTest, PropertyOfNonObjectFailsLikeJayway) {
  EXPECT_EQ(Select("$.a.b", J(R"({"a":5})")),
            "ERROR: Expected to find an object with property ['b'] in path $['a'] but found "
            "'java.lang.Integer'. This is not a json object according to the JsonProvider: "
            "'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'.");
  EXPECT_EQ(Select("$.a", J(R"("s")")),
            "ERROR: Expected to find an object with property ['a'] in path $ but found "
            "'java.lang.String'. This is not a json object according to the JsonProvider: "
            "'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'.");
  EXPECT_EQ(Select("$.a.b", J(R"({"a":null})")),
            "ERROR: Expected to find an object with property ['b'] in path $['a'] but found "
            "'null'. This is not a json object according to the JsonProvider: "
            "'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'.");
}

TEST(PathTest, IndexOfNonArrayFailsLikeJayway) {
  EXPECT_EQ(Select("$.a[0].b", J(R"({"a":{"x":1}})")),
            "ERROR: Filter: [0]['b'] can only be applied to arrays. Current context is: "
            "{\"x\":1}");
  EXPECT_EQ(Select("$.a[0]", J(R"({"a":null})")), "ERROR: The path $['a'] is null");
}

TEST(PathTest, IndexOutOfRangeHasNoResults) {
  EXPECT_EQ(Select("$.a[5]", J(R"({"a":[1]})")), "ERROR: No results for path: $['a'][5]");
  EXPECT_EQ(Select("$.a[5].b", J(R"({"a":[1]})")), "ERROR: No results for path: $['a'][5]['b']");
}

// --- indefinite paths ---

TEST(PathTest, WildcardSelectsAllChildren) {
  EXPECT_EQ(Select("$.store.book[*].author", kStore),
            R"(["Nigel Rees","Evelyn Waugh","Herman Melville","J. R. R. Tolkien"])");
  EXPECT_EQ(Select("$.store.bicycle.*", kStore), R"(["red",19.95])");
  EXPECT_EQ(Select("$.store.bicycle[*]", kStore), R"(["red",19.95])");
  EXPECT_EQ(Select("$.a[*]", J(R"({"a":[]})")), "[]");
  EXPECT_FALSE(P("$.a[*]").IsDefinite());
}

TEST(PathTest, IndefinitePathSkipsMissesSilently) {
  EXPECT_EQ(Select("$.store.book[*].isbn", kStore), R"(["0-553-21311-3","0-395-19395-8"])");
  EXPECT_EQ(Select("$.a[*].b.c", J(R"({"a":[{"b":{"c":1}},{"x":2},3]})")), "[1]");
}

TEST(PathTest, IndefinitePathWhoseDefinitePrefixFailsSelectsNothing) {
  // Recorded on AWS (test_json_path_array_wildcard_or_slice_with_no_input): each gives [] on {}.
  for (const char* path : {"$.items[*]", "$.item.items[*]", "$.items[1:]", "$.items[:1]",
                           "$.item.items[1:5]", "$.items[1:].itemValue", "$.items[:1].itemValue"}) {
    EXPECT_EQ(Select(path, J("{}")), "[]") << path;
  }
  EXPECT_EQ(Select("$.a[*]", J(R"({"a":5})")), "[]");
  EXPECT_EQ(Select("$.a[?(@.x)]", J(R"({"a":5})")), "[]");
}

TEST(PathTest, FilterSelectsMatchingArrayElements) {
  // Recorded on AWS (test_state_pass_regex_json_path_base).
  EXPECT_EQ(Select("$.users[?(@.status == 0)]",
                   J(R"({"users":[{"year":1997,"status":0},{"year":1998,"status":1}]})")),
            R"([{"year":1997,"status":0}])");
}

TEST(PathTest, DeepScanFindsAllMatchesInDocumentOrder) {
  EXPECT_EQ(Select("$..author", kStore),
            R"(["Nigel Rees","Evelyn Waugh","Herman Melville","J. R. R. Tolkien"])");
  EXPECT_EQ(Select("$.store..price", kStore), "[8.95,12.99,8.99,22.99,19.95]");
  EXPECT_EQ(Select("$..book[2].title", kStore), R"(["Moby Dick"])");
  EXPECT_EQ(Select("$..book[-1].title", kStore), R"(["The Lord of the Rings"])");
  EXPECT_EQ(Select("$..nope", kStore), "[]");
  EXPECT_EQ(Select("$..['color']", kStore), R"(["red"])");
}

TEST(PathTest, DeepScanWildcardListsEveryNode) {
  EXPECT_EQ(Select("$..*", J(R"({"a":{"b":1},"c":[2]})")), R"([{"b":1},[2],1,2])");
}

TEST(PathTest, IndexUnionSelectsSeveralElements) {
  EXPECT_EQ(Select("$.store.book[0,2].title", kStore), R"(["Sayings of the Century","Moby Dick"])");
  EXPECT_EQ(Select("$.a[0, -1]", J(R"({"a":[1,2,3]})")), "[1,3]");
  EXPECT_EQ(Select("$.a[0,7]", J(R"({"a":[1,2,3]})")), "[1]");
}

TEST(PathTest, NameUnionAsLeafMergesIntoOneObject) {
  EXPECT_EQ(Select("$.store.bicycle['color','price']", kStore),
            R"([{"color":"red","price":19.95}])");
  EXPECT_EQ(Select("$['a','x']", J(R"({"a":1,"b":2})")), R"([{"a":1}])");
}

TEST(PathTest, NameUnionInsidePathIteratesEachName) {
  EXPECT_EQ(Select("$['a','b'].v", J(R"({"a":{"v":1},"b":{"v":2},"c":{"v":3}})")), "[1,2]");
}

TEST(PathTest, SlicesFollowJaywayRules) {
  Json data = J(R"({"a":[0,1,2,3,4]})");
  EXPECT_EQ(Select("$.a[1:3]", data), "[1,2]");
  EXPECT_EQ(Select("$.a[:2]", data), "[0,1]");
  EXPECT_EQ(Select("$.a[3:]", data), "[3,4]");
  EXPECT_EQ(Select("$.a[-2:]", data), "[3,4]");
  EXPECT_EQ(Select("$.a[:-2]", data), "[0,1,2]");
  EXPECT_EQ(Select("$.a[2:99]", data), "[2,3,4]");
  EXPECT_EQ(Select("$.a[3:1]", data), "[]");
  EXPECT_EQ(Select("$.a[7:]", data), "[]");
  EXPECT_FALSE(P("$.a[1:2]").IsDefinite());
}

// --- filters ---

TEST(PathTest, FilterComparesNumbers) {
  EXPECT_EQ(Select("$.store.book[?(@.price < 10)].title", kStore),
            R"(["Sayings of the Century","Moby Dick"])");
  EXPECT_EQ(Select("$.store.book[?(@.price >= 12.99)].price", kStore), "[12.99,22.99]");
  EXPECT_EQ(Select("$.store.book[?(@.price > $.expensive)].price", kStore), "[12.99,22.99]");
  EXPECT_EQ(Select("$.a[?(@ == 2)]", J(R"({"a":[1,2,3]})")), "[2]");
  EXPECT_EQ(Select("$.a[?(@ != 2)]", J(R"({"a":[1,2,3]})")), "[1,3]");
  EXPECT_EQ(Select("$.a[?(@.n == -1.5)].n", J(R"({"a":[{"n":-1.5},{"n":1}]})")), "[-1.5]");
}

TEST(PathTest, FilterComparesStrings) {
  EXPECT_EQ(Select("$.store.book[?(@.category == 'reference')].author", kStore),
            R"(["Nigel Rees"])");
  EXPECT_EQ(Select(R"($.store.book[?(@.category == "reference")].author)", kStore),
            R"(["Nigel Rees"])");
  EXPECT_EQ(Select("$.a[?(@ > 'b')]", J(R"({"a":["a","b","c"]})")), R"(["c"])");
}

TEST(PathTest, FilterExistenceCheck) {
  EXPECT_EQ(Select("$.store.book[?(@.isbn)].title", kStore),
            R"(["Moby Dick","The Lord of the Rings"])");
  EXPECT_EQ(Select("$.store.book[?(!@.isbn)].title", kStore),
            R"(["Sayings of the Century","Sword of Honour"])");
  EXPECT_EQ(Select("$.a[?(@.x)]", J(R"({"a":[{"x":null},{"y":1}]})")), R"([{"x":null}])");
}

TEST(PathTest, FilterLogicalOperators) {
  EXPECT_EQ(Select("$.store.book[?(@.price < 10 && @.category == 'fiction')].title", kStore),
            R"(["Moby Dick"])");
  EXPECT_EQ(Select("$.store.book[?(@.price > 20 || @.category == 'reference')].price", kStore),
            "[8.95,22.99]");
  EXPECT_EQ(Select("$.store.book[?(!(@.price < 10))].price", kStore), "[12.99,22.99]");
  EXPECT_EQ(Select("$.store.book[?((@.price < 9) && (@.isbn))].price", kStore), "[8.99]");
}

TEST(PathTest, FilterRegexMatchesWholeString) {
  EXPECT_EQ(Select("$.store.book[?(@.author =~ /.*REES/i)].author", kStore), R"(["Nigel Rees"])");
  EXPECT_EQ(Select("$.store.book[?(@.author =~ /Rees/)].author", kStore), "[]");
}

TEST(PathTest, FilterInAndNin) {
  Json data = J(R"({"a":[{"s":"S"},{"s":"M"},{"s":"L"}]})");
  EXPECT_EQ(Select("$.a[?(@.s in ['S','M'])].s", data), R"(["S","M"])");
  EXPECT_EQ(Select("$.a[?(@.s nin ['S','M'])].s", data), R"(["L"])");
}

TEST(PathTest, FilterSetAndSizeOperators) {
  Json data = J(R"({"a":[{"t":["x","y"]},{"t":["z"]},{"t":[]}]})");
  EXPECT_EQ(Select("$.a[?(@.t subsetof ['x','y','w'])].t", data), R"([["x","y"],[]])");
  EXPECT_EQ(Select("$.a[?(@.t anyof ['z'])].t", data), R"([["z"]])");
  EXPECT_EQ(Select("$.a[?(@.t noneof ['x','z'])].t", data), "[[]]");
  EXPECT_EQ(Select("$.a[?(@.t size 2)].t", data), R"([["x","y"]])");
  EXPECT_EQ(Select("$.a[?(@.t empty true)].t", data), "[[]]");
  EXPECT_EQ(Select("$.a[?(@.t contains 'z')].t", data), R"([["z"]])");
}

TEST(PathTest, FilterNumberAndStringEqualityIsJaywaysAsymmetricOne) {
  Json data = J(R"({"a":[{"v":1},{"v":"1"}]})");
  EXPECT_EQ(Select("$.a[?(@.v == 1)].v", data), R"([1,"1"])");
  EXPECT_EQ(Select("$.a[?(@.v == '1')].v", data), R"([1,"1"])");
  EXPECT_EQ(Select("$.a[?(@.v === 1)].v", data), "[1]");
}

TEST(PathTest, FilterOnObjectTestsTheObjectItself) {
  EXPECT_EQ(Select("$.store.bicycle[?(@.color == 'red')].price", kStore), "[19.95]");
}

TEST(PathTest, FilterWithLengthFunction) {
  Json data = J(R"({"a":[{"t":[1,2,3]},{"t":[1]}]})");
  EXPECT_EQ(Select("$.a[?(@.t.length() > 2)].t", data), "[[1,2,3]]");
}

TEST(PathTest, FilterOnMissingOrMismatchedFieldsIsFalse) {
  Json data = J(R"({"a":[{"v":"x"},{"w":1},{"v":3}]})");
  EXPECT_EQ(Select("$.a[?(@.v > 2)].v", data), "[3]");
  EXPECT_EQ(Select("$.a[?(@.v != 3)]", data), R"([{"v":"x"},{"w":1}])");
}

// --- functions ---

TEST(PathTest, LengthOfArrayAndObject) {
  EXPECT_EQ(Select("$.a.length()", J(R"({"a":[1,2,3]})")), "3");
  EXPECT_EQ(Select("$.a.length()", J(R"({"a":{"x":1}})")), "1");
  EXPECT_EQ(Select("$.a.length()", J(R"({"a":"str"})")), "null");
  EXPECT_EQ(Select("$.store.book.length()", kStore), "4");
  EXPECT_TRUE(P("$.a.length()").IsDefinite());
  EXPECT_FALSE(P("$.a.length()").IsReferencePath());
}

TEST(PathTest, NumericAggregates) {
  Json data = J(R"({"a":[1,2,3,"x"]})");
  EXPECT_EQ(Select("$.a.sum()", data), "6.0");
  EXPECT_EQ(Select("$.a.min()", data), "1.0");
  EXPECT_EQ(Select("$.a.max()", data), "3.0");
  EXPECT_EQ(Select("$.a.avg()", data), "2.0");
  EXPECT_EQ(Select("$.b.sum()", J(R"({"b":[]})")),
            "ERROR: Aggregation function attempted to calculate value using empty array");
}

// --- definiteness ---

TEST(PathTest, ReferencePathsHaveOnlyNamesAndIndexes) {
  EXPECT_TRUE(P("$").IsReferencePath());
  EXPECT_TRUE(P("$.a.b[0]['c']").IsReferencePath());
  EXPECT_TRUE(P("$$.Execution.Id").IsReferencePath());
  EXPECT_FALSE(P("$.a[*]").IsReferencePath());
  EXPECT_FALSE(P("$..a").IsReferencePath());
  EXPECT_FALSE(P("$.a[0,1]").IsReferencePath());
  EXPECT_FALSE(P("$['a','b']").IsReferencePath());
  EXPECT_FALSE(P("$.a[1:]").IsReferencePath());
  EXPECT_FALSE(P("$.a[?(@.x)]").IsReferencePath());
}

// --- parse errors ---

TEST(PathTest, ParseErrorsSayWhatAndWhere) {
  EXPECT_EQ(ParseError(""), "path is empty");
  EXPECT_EQ(ParseError("a.b"), "path must start with '$'");
  EXPECT_EQ(ParseError("$a-b"), "unexpected character '-' at position 2, expected '.' or '['");
  EXPECT_EQ(ParseError("$.a["), "unbalanced '[' at position 3");
  EXPECT_EQ(ParseError("$.a."), "path must not end with '.'");
  EXPECT_EQ(ParseError("$.a.."), "path must not end with '..'");
  EXPECT_EQ(ParseError("$.a...b"), "unexpected character '.' at position 5");
  EXPECT_EQ(ParseError("$.a b"),
            "unexpected blank at position 3; use bracket notation ['my prop'] for names with "
            "blanks");
  EXPECT_EQ(ParseError("$['a"), "unterminated name starting at position 2: missing closing '''");
  EXPECT_EQ(ParseError("$['a'"), "missing ']' at end of path");
  EXPECT_EQ(ParseError("$[x]"),
            "unexpected character 'x' at position 2, expected ?, ', \", 0-9 or *");
  EXPECT_EQ(ParseError("$.a[1x]"), "unexpected character 'x' at position 5 in array index");
  EXPECT_EQ(ParseError("$.a[1:2:3]"), "invalid array slice '[1:2:3]': steps are not supported");
  EXPECT_EQ(ParseError("$.a.foo()"), "unknown function 'foo()' at position 4");
  EXPECT_EQ(ParseError("$.a.length().b"), "function 'length()' must end the path (position 12)");
  EXPECT_EQ(ParseError("$.a[?(@.x ==)]"), "filter ends where a value is expected");
  EXPECT_EQ(ParseError("$.a[?(@.x <> 1)]"), "unknown filter operator '<>' at position 10");
  EXPECT_EQ(ParseError("$.a[?(@.x == 1]"), "unbalanced '(' at position 5");
  EXPECT_EQ(ParseError("$.a[?(1)]"), "expected an operator after the value at position 7");
}

TEST(PathTest, TextIsKeptAsWritten) { EXPECT_EQ(P("$['a'].b[0]").text(), "$['a'].b[0]"); }

TEST(PathTest, SurroundingBlanksAreIgnoredLikeJayway) {
  EXPECT_EQ(Select(" $.a ", J(R"({"a":1})")), "1");
  EXPECT_EQ(P(" $.a ").text(), " $.a ");
  EXPECT_EQ(ParseError(" $.a["), "unbalanced '[' at position 4");
}

// --- Assign (ResultPath) ---

TEST(PathTest, AssignRootReplacesTarget) {
  EXPECT_EQ(Assign("$", J(R"({"a":1})"), J(R"("r")")), R"("r")");
}

TEST(PathTest, AssignAddsFieldAtTheEnd) {
  EXPECT_EQ(Assign("$.taskresult", J(R"({"comment":"c","who":"w"})"), J(R"("Hello")")),
            R"({"comment":"c","who":"w","taskresult":"Hello"})");
}

TEST(PathTest, AssignReplacesExistingFieldInPlace) {
  EXPECT_EQ(Assign("$.a", J(R"({"a":1,"b":2})"), J("9")), R"({"a":9,"b":2})");
}

TEST(PathTest, AssignCreatesIntermediateObjects) {
  EXPECT_EQ(Assign("$.x.y.z", J(R"({"a":1})"), J("true")), R"({"a":1,"x":{"y":{"z":true}}})");
  EXPECT_EQ(Assign("$.strings.lambdaresult", J(R"({"strings":{"s1":"a"}})"), J("\"r\"")),
            R"({"strings":{"s1":"a","lambdaresult":"r"}})");
}

TEST(PathTest, AssignIntoExistingArrayElement) {
  EXPECT_EQ(Assign("$.a[1].v", J(R"({"a":[{},{}]})"), J("1")), R"({"a":[{},{"v":1}]})");
  EXPECT_EQ(Assign("$.a[-1]", J(R"({"a":[1,2]})"), J("7")), R"({"a":[1,7]})");
}

TEST(PathTest, AssignAcrossNonObjectFails) {
  EXPECT_EQ(Assign("$.x", J(R"("hello")"), J("1")),
            R"(ERROR: Unable to apply ReferencePath $.x to input "hello")");
  EXPECT_EQ(Assign("$.a.b", J(R"({"a":5})"), J("1")),
            R"(ERROR: Unable to apply ReferencePath $.a.b to input {"a":5})");
  EXPECT_EQ(Assign("$.a[3]", J(R"({"a":[1]})"), J("1")),
            R"(ERROR: Unable to apply ReferencePath $.a[3] to input {"a":[1]})");
  EXPECT_EQ(Assign("$.n[0]", J(R"({})"), J("1")),
            R"(ERROR: Unable to apply ReferencePath $.n[0] to input {})");
}

TEST(PathTest, PathIsCheapToCopyAndShareable) {
  Path a = P("$.a");
  Path b = a;
  EXPECT_EQ(b.text(), "$.a");
  EXPECT_EQ(Select("$.a", J(R"({"a":1})")), "1");
}

}  // namespace
}  // namespace sluice::asl
