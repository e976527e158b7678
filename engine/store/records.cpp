#include "engine/store/records.h"

#include <openssl/evp.h>

#include <array>
#include <nlohmann/json.hpp>

#include "asl/json.h"

namespace sluice::engine {

namespace {

constexpr std::array kStatuses = {ExecutionStatus::kRunning, ExecutionStatus::kSucceeded,
                                  ExecutionStatus::kFailed, ExecutionStatus::kTimedOut,
                                  ExecutionStatus::kAborted};

// Reads blob[key] into *out when present. A value of the wrong type sets *error (unless an
// earlier key already did) and leaves *out alone.
template <typename T>
void ReadKey(const Json& blob, const char* key, bool (Json::*is_type)() const noexcept,
             const char* type_name, T* out, std::string* error) {
  auto it = blob.find(key);
  if (it == blob.end() || !error->empty()) return;
  if (!((*it).*is_type)()) {
    *error = "\"" + std::string(key) + "\" is not " + type_name;
    return;
  }
  *out = it->template get<T>();
}

}  // namespace

const char* StateMachineTypeName(StateMachineType type) {
  switch (type) {
    case StateMachineType::kStandard:
      return "STANDARD";
    case StateMachineType::kExpress:
      return "EXPRESS";
  }
  return "?";
}

Result<StateMachineType> ParseStateMachineType(std::string_view name) {
  for (auto type : {StateMachineType::kStandard, StateMachineType::kExpress}) {
    if (name == StateMachineTypeName(type)) return type;
  }
  return Fail("unknown state machine type '" + std::string(name) + "'");
}

Result<ExecutionStatus> ParseExecutionStatus(std::string_view name) {
  for (auto status : kStatuses) {
    if (name == ExecutionStatusName(status)) return status;
  }
  return Fail("unknown execution status '" + std::string(name) + "'");
}

const char* PipelineRunStatusName(PipelineRunStatus status) {
  switch (status) {
    case PipelineRunStatus::kRunning:
      return "RUNNING";
    case PipelineRunStatus::kCompleted:
      return "COMPLETED";
    case PipelineRunStatus::kFailedFinal:
      return "FAILED_FINAL";
  }
  return "?";
}

Result<PipelineRunStatus> ParsePipelineRunStatus(std::string_view name) {
  for (auto status : {PipelineRunStatus::kRunning, PipelineRunStatus::kCompleted,
                      PipelineRunStatus::kFailedFinal}) {
    if (name == PipelineRunStatusName(status)) return status;
  }
  return Fail("unknown pipeline run status '" + std::string(name) + "'");
}

std::string DefinitionHash(std::string_view definition_text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // Fails only when OpenSSL cannot allocate; the empty hash is then refused by the schema's
  // CHECK (length(hash) = 64), so the failure surfaces at Commit instead of passing silently.
  if (EVP_Digest(definition_text.data(), definition_text.size(), digest, &length, EVP_sha256(),
                 nullptr) != 1) {
    return "";
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

std::string IdempotencyKey(std::string_view execution_arn, int64_t scheduled_event_id) {
  return std::string(execution_arn) + ":" + std::to_string(scheduled_event_id);
}

ExecutionRecord NewExecutionRecord(const ExecutionOptions& options, std::string definition_hash,
                                   std::string input, int64_t start_nanos) {
  ExecutionRecord record;
  record.arn = options.execution_arn;
  record.name = options.execution_name;
  record.state_machine_arn = options.state_machine_arn;
  record.definition_hash = std::move(definition_hash);
  record.input = std::move(input);
  record.options = EncodeExecutionOptions(options);
  record.start_nanos = start_nanos;
  record.redrive_count = options.redrive_count;
  return record;
}

std::string EncodeExecutionOptions(const ExecutionOptions& options) {
  Json blob = Json::object();
  blob["stateMachineName"] = options.state_machine_name;
  blob["roleArn"] = options.role_arn;
  blob["seed"] = options.seed;
  blob["maxPayloadBytes"] = options.max_payload_bytes;
  blob["express"] = options.express;
  blob["maxHistoryEvents"] = options.max_history_events;
  return blob.dump();
}

Result<ExecutionOptions> DecodeExecutionOptions(const ExecutionRecord& record) {
  ExecutionOptions options;
  options.execution_arn = record.arn;
  options.execution_name = record.name;
  options.state_machine_arn = record.state_machine_arn;
  options.redrive_count = record.redrive_count;
  Json blob = Json::parse(record.options, nullptr, /*allow_exceptions=*/false);
  std::string bad = "options of execution " + record.arn + ": ";
  if (!blob.is_object()) return Fail(bad + "not a JSON object");
  std::string error;
  ReadKey(blob, "stateMachineName", &Json::is_string, "a string", &options.state_machine_name,
          &error);
  ReadKey(blob, "roleArn", &Json::is_string, "a string", &options.role_arn, &error);
  ReadKey(blob, "seed", &Json::is_number_unsigned, "an unsigned integer", &options.seed, &error);
  ReadKey(blob, "maxPayloadBytes", &Json::is_number_unsigned, "an unsigned integer",
          &options.max_payload_bytes, &error);
  ReadKey(blob, "express", &Json::is_boolean, "a boolean", &options.express, &error);
  ReadKey(blob, "maxHistoryEvents", &Json::is_number_integer, "an integer",
          &options.max_history_events, &error);
  if (!error.empty()) return Fail(bad + error);
  return options;
}

}  // namespace sluice::engine
