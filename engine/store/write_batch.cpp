#include "engine/store/write_batch.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "engine/store/store_internal.h"

namespace sluice::engine {

using namespace store_internal;  // NOLINT: the op structs

WriteBatch::WriteBatch() = default;
WriteBatch::~WriteBatch() = default;
WriteBatch::WriteBatch(WriteBatch&&) noexcept = default;
WriteBatch& WriteBatch::operator=(WriteBatch&&) noexcept = default;

std::string WriteBatch::PutDefinition(std::string definition_text) {
  std::string hash = DefinitionHash(definition_text);
  ops_.push_back({PutDefinitionOp{hash, std::move(definition_text)}});
  return hash;
}

void WriteBatch::PutStateMachine(StateMachineRecord record) {
  ops_.push_back({PutStateMachineOp{std::move(record)}});
}

void WriteBatch::DeleteStateMachine(std::string arn) {
  ops_.push_back({DeleteStateMachineOp{std::move(arn)}});
}

void WriteBatch::PutStateMachineVersion(StateMachineVersionRecord record) {
  ops_.push_back({PutStateMachineVersionOp{std::move(record)}});
}

void WriteBatch::PutActivity(ActivityRecord record) {
  ops_.push_back({PutActivityOp{std::move(record)}});
}

void WriteBatch::DeleteActivity(std::string arn) {
  ops_.push_back({DeleteActivityOp{std::move(arn)}});
}

void WriteBatch::InsertExecution(ExecutionRecord record) {
  ops_.push_back({InsertExecutionOp{std::move(record)}});
}

void WriteBatch::UpdateExecution(std::string execution_arn, ExecutionUpdate update) {
  ops_.push_back({UpdateExecutionOp{std::move(execution_arn), std::move(update)}});
}

void WriteBatch::AppendEvent(const std::string& execution_arn, const HistoryEvent& event) {
  AppendEventOp op{execution_arn,         event.id,   event.previous_event_id,
                   event.timestamp_nanos, event.type, std::nullopt};
  if (!event.details.empty()) op.details = event.details;  // already JSON text
  ops_.push_back({std::move(op)});
}

void WriteBatch::AddTimer(std::string execution_arn, int64_t timer_id, int64_t due_nanos) {
  ops_.push_back({AddTimerOp{std::move(execution_arn), TimerRecord{timer_id, due_nanos}}});
}

void WriteBatch::RemoveTimer(std::string execution_arn, int64_t timer_id) {
  ops_.push_back({RemoveTimerOp{std::move(execution_arn), timer_id}});
}

void WriteBatch::AddTask(std::string execution_arn, int64_t scheduled_event_id,
                         std::string resource, std::string payload) {
  TaskRecord task{scheduled_event_id, std::move(resource), std::move(payload),
                  IdempotencyKey(execution_arn, scheduled_event_id)};
  ops_.push_back({AddTaskOp{std::move(execution_arn), std::move(task)}});
}

void WriteBatch::RemoveTask(std::string execution_arn, int64_t scheduled_event_id) {
  ops_.push_back({RemoveTaskOp{std::move(execution_arn), scheduled_event_id}});
}

void WriteBatch::AppendJournal(std::string execution_arn, int64_t seq, std::string entry) {
  ops_.push_back({AppendJournalOp{std::move(execution_arn), seq, std::move(entry)}});
}

void WriteBatch::PutTaskToken(TaskTokenRecord record) {
  ops_.push_back({PutTaskTokenOp{std::move(record)}});
}

void WriteBatch::RemoveTaskToken(std::string token) {
  ops_.push_back({RemoveTaskTokenOp{std::move(token)}});
}

void WriteBatch::AddPipelineVersion(PipelineVersionRecord record) {
  ops_.push_back({AddPipelineVersionOp{std::move(record)}});
}

void WriteBatch::PutSensor(SensorRecord record) {
  ops_.push_back({PutSensorOp{std::move(record)}});
}

void WriteBatch::PutPipelineRun(PipelineRunRecord record) {
  ops_.push_back({PutPipelineRunOp{std::move(record)}});
}

void WriteBatch::ClaimPipelineRun(PipelineRunRecord record,
                                  std::optional<std::string> expected_arn) {
  ops_.push_back({PutPipelineRunOp{std::move(record), true, std::move(expected_arn)}});
}

void WriteBatch::AppendPipelineEvent(PipelineEventRecord record) {
  ops_.push_back({AppendPipelineEventOp{std::move(record)}});
}

size_t WriteBatch::size() const { return ops_.size(); }

void WriteBatch::Clear() { ops_.clear(); }

}  // namespace sluice::engine
