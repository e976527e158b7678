// The pipeline event catalogue (handlers/pipeline/event_types.h): lookups, and every type is
// documented in docs/.
#include "handlers/pipeline/event_types.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <set>
#include <string>

namespace sluice::pipeline {
namespace {

std::string ReadDoc(const std::string& name) {
  std::ifstream in(std::string(SLUICE_SOURCE_DIR) + "/docs/" + name);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(EventTypes, LookupIsExact) {
  EXPECT_TRUE(IsEventType("SLA_BREACH"));
  EXPECT_TRUE(IsEventType("WATCHDOG_DEGRADED"));
  EXPECT_FALSE(IsEventType("sla_breach"));
  EXPECT_FALSE(IsEventType("SLA_BREACH "));
  EXPECT_FALSE(IsEventType(""));
}

TEST(EventTypes, NoTypeIsListedTwice) {
  std::set<std::string_view> seen;
  for (std::string_view type : EventTypes()) EXPECT_TRUE(seen.insert(type).second) << type;
}

TEST(EventTypes, JoinedListsEveryTypeInOrder) {
  const std::string joined = JoinedEventTypes();
  size_t at = 0;
  for (std::string_view type : EventTypes()) {
    const size_t found = joined.find(type, at);
    ASSERT_NE(found, std::string::npos) << type;
    at = found + type.size();
  }
  EXPECT_EQ(joined.rfind("VALIDATION_PASSED, PIPELINE_EXCLUDED, ", 0), 0u);
}

TEST(EventTypes, EveryTypeIsDocumented) {
  const std::string docs = ReadDoc("pipelines.md") + ReadDoc("server.md");
  ASSERT_FALSE(docs.empty()) << "docs/pipelines.md not found under " SLUICE_SOURCE_DIR;
  for (std::string_view type : EventTypes()) {
    EXPECT_NE(docs.find("`" + std::string(type) + "`"), std::string::npos)
        << type << " is not in docs/pipelines.md or docs/server.md";
  }
}

}  // namespace
}  // namespace sluice::pipeline
