// SendTaskHeartbeat at the executor and journal level: a heartbeat restarts a callback task's
// HeartbeatSeconds, the timer it replaced no longer fires, a task without heartbeats misses its
// deadline with States.HeartbeatTimeout, and the journal round-trips the heartbeat so recovery
// and replay see it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "asl/loader.h"
#include "engine/executor.h"
#include "engine/journal.h"

namespace sluice::engine {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kStart = 1'700'000'000 * kSecond;

constexpr const char* kCallback = R"({"StartAt":"Ask","States":{
  "Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
         "Parameters":{"token.$":"$$.Task.Token"},"HeartbeatSeconds":10,"TimeoutSeconds":100,
         "End":true}}})";

std::unique_ptr<Executor> Make() {
  auto machine = asl::Compile(Json::parse(kCallback));
  EXPECT_TRUE(machine.ok());
  ExecutionOptions o;
  o.state_machine_name = "m";
  o.execution_arn = "arn:aws:states:local:123456789012:execution:m:e";
  return std::make_unique<Executor>(machine.value(), o);
}

std::optional<Command> Find(const Commands& commands, Command::Kind kind) {
  for (const auto& c : commands) {
    if (c.kind == kind) return c;
  }
  return std::nullopt;
}

TEST(Heartbeat, RestartsTheHeartbeatTimer) {
  auto ex = Make();
  Commands started = ex->Start(Json::object(), kStart);
  auto task = Find(started, Command::Kind::kScheduleTask);
  ASSERT_TRUE(task.has_value());
  EXPECT_EQ(task->task_token, "arn:aws:states:local:123456789012:execution:m:e#3");
  EXPECT_EQ((*task->payload)["token"], task->task_token);  // $$.Task.Token
  // Two timers: the task's timeout (100 s) and its heartbeat (10 s).
  std::optional<Command> heartbeat;
  for (const auto& c : started) {
    if (c.kind == Command::Kind::kStartTimer && c.due_nanos == kStart + 10 * kSecond) heartbeat = c;
  }
  ASSERT_TRUE(heartbeat.has_value());

  Commands beat = ex->OnTaskHeartbeat(task->task_id, kStart + 8 * kSecond);
  auto cancelled = Find(beat, Command::Kind::kCancelTimer);
  auto restarted = Find(beat, Command::Kind::kStartTimer);
  ASSERT_TRUE(cancelled.has_value());
  ASSERT_TRUE(restarted.has_value());
  EXPECT_EQ(cancelled->timer_id, heartbeat->timer_id);
  EXPECT_EQ(restarted->due_nanos, kStart + 18 * kSecond);

  // The replaced timer is stale; the new one fails the task.
  EXPECT_TRUE(ex->OnTimer(heartbeat->timer_id, kStart + 10 * kSecond).empty());
  EXPECT_FALSE(ex->done());
  ex->OnTimer(restarted->timer_id, kStart + 18 * kSecond);
  ASSERT_TRUE(ex->done());
  EXPECT_EQ(ex->status(), ExecutionStatus::kFailed);
  EXPECT_EQ(ex->error().error, "States.HeartbeatTimeout");
}

TEST(Heartbeat, UnknownTasksAndTasksWithoutHeartbeatsAreLeftAlone) {
  auto ex = Make();
  ex->Start(Json::object(), kStart);
  EXPECT_TRUE(ex->OnTaskHeartbeat(999, kStart + kSecond).empty());
  auto plain = asl::Compile(Json::parse(R"({"StartAt":"T","States":{"T":{"Type":"Task",
      "Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","End":true}}})"));
  ASSERT_TRUE(plain.ok());
  Executor no_heartbeat(plain.value(), ExecutionOptions{});
  auto task = Find(no_heartbeat.Start(Json::object(), kStart), Command::Kind::kScheduleTask);
  ASSERT_TRUE(task.has_value());
  EXPECT_TRUE(no_heartbeat.OnTaskHeartbeat(task->task_id, kStart + kSecond).empty());
}

TEST(Heartbeat, JournalRoundTripsAndRebuildsTheSameTimers) {
  JournalEntry entry;
  entry.kind = JournalEntry::Kind::kHeartbeat;
  entry.id = 1;
  entry.time = kStart + 8 * kSecond;
  auto decoded = DecodeJournalEntry(EncodeJournalEntry(entry));
  ASSERT_TRUE(decoded.ok()) << decoded.error();
  EXPECT_EQ(decoded->kind, JournalEntry::Kind::kHeartbeat);
  EXPECT_EQ(decoded->id, 1u);
  EXPECT_EQ(decoded->time, entry.time);

  // Delivered like any entry: the same commands as calling the executor directly.
  auto ex = Make();
  auto task = Find(ex->Start(Json::object(), kStart), Command::Kind::kScheduleTask);
  ASSERT_TRUE(task.has_value());
  entry.id = task->task_id;
  auto restarted = Find(Deliver(*ex, entry), Command::Kind::kStartTimer);
  ASSERT_TRUE(restarted.has_value());
  EXPECT_EQ(restarted->due_nanos, kStart + 18 * kSecond);
}

}  // namespace
}  // namespace sluice::engine
