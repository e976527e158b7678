// Test doubles for the pipeline lifecycle tests: an in-memory PipelineData stamped by a clock
// function, and a scripted Jobs that answers on a later loop turn.
#pragma once

#include <gtest/gtest.h>
#include <uv.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "asl/json.h"
#include "handlers/deferred_calls.h"
#include "handlers/pipeline/civil_time.h"
#include "handlers/pipeline/config.h"
#include "handlers/pipeline/jobs.h"
#include "handlers/pipeline/pipeline_data.h"

namespace sluice::pipeline::testing {

struct RecordedEvent {
  PipelineEvent event;
  int64_t at_ns = 0;
};

class MemoryPipelineData final : public PipelineData {
 public:
  explicit MemoryPipelineData(std::function<int64_t()> now) : now_(std::move(now)) {}

  // Parses and stores `yaml` as the config of its pipeline; fails the test when it is invalid.
  void Apply(const std::string& yaml) {
    auto parsed = ParsePipelineConfig(yaml);
    ASSERT_TRUE(parsed.ok()) << FormatConfigDiagnostics(parsed.error(), "config");
    auto config = std::make_shared<const PipelineConfig>(std::move(parsed).value());
    configs_[config->pipeline.id] = config;
  }

  void PutSensor(const std::string& pipeline, const std::string& key, Json data) {
    PutSensorAt(pipeline, key, std::move(data), now_());
  }

  // A sensor that is written at `at_ns` (invisible before).
  void PutSensorAt(const std::string& pipeline, const std::string& key, Json data, int64_t at_ns) {
    sensors_[pipeline][key] =
        Written{at_ns, Json{{"data", std::move(data)}, {"writtenAt", FormatUtcSeconds(at_ns)}}};
  }

  Result<Json> Sensors(std::string_view pipeline) override {
    if (fail_reads) return Fail(std::string("database is locked"));
    Json out = Json::object();
    auto it = sensors_.find(std::string(pipeline));
    if (it == sensors_.end()) return out;
    for (const auto& [key, written] : it->second) {
      if (written.at_ns <= now_()) out[key] = written.sensor;
    }
    return out;
  }

  Result<std::shared_ptr<const PipelineConfig>> Config(std::string_view pipeline) override {
    if (fail_reads) return Fail(std::string("database is locked"));
    auto it = configs_.find(std::string(pipeline));
    return it == configs_.end() ? nullptr : it->second;
  }

  Status<> AppendEvent(const PipelineEvent& event) override {
    if (fail_writes) return Fail(std::string("disk full"));
    events.push_back(RecordedEvent{event, now_()});
    return Ok{};
  }

  // Event types in order.
  std::vector<std::string> Types() const {
    std::vector<std::string> types;
    for (const auto& e : events) types.push_back(e.event.type);
    return types;
  }

  int Count(const std::string& type) const {
    int n = 0;
    for (const auto& e : events) n += e.event.type == type;
    return n;
  }

  const RecordedEvent* Find(const std::string& type) const {
    for (const auto& e : events) {
      if (e.event.type == type) return &e;
    }
    return nullptr;
  }

  bool fail_reads = false;
  bool fail_writes = false;
  std::vector<RecordedEvent> events;

 private:
  std::function<int64_t()> now_;
  std::map<std::string, std::shared_ptr<const PipelineConfig>> configs_;
  struct Written {
    int64_t at_ns = 0;
    Json sensor;
  };
  std::map<std::string, std::map<std::string, Written>> sensors_;
};

// Jobs whose answers the test scripts. Unscripted starts succeed with {"runId": "run-N"};
// unscripted checks report running.
class FakeJobs final : public Jobs {
 public:
  explicit FakeJobs(uv_loop_t* loop) : deferred_(loop) {}

  void Start(const JobConfig& job, StartCallback done) override {
    (void)job;
    ++starts;
    Result<Json, JobError> ref = Json{{"runId", "run-" + std::to_string(starts)}};
    if (!start_results.empty()) {
      ref = start_results.front();
      if (start_results.size() > 1 || !repeat_last_start) start_results.pop_front();
    }
    deferred_.Post(next_++, [done, ref] { done(ref); });
  }

  void Check(const JobConfig& job, const Json& ref, CheckCallback done) override {
    (void)job;
    ++checks;
    last_ref = ref;
    JobStatus status;
    if (check_status) status = check_status(checks);
    deferred_.Post(next_++, [done, status] { done(status); });
  }

  std::deque<Result<Json, JobError>> start_results;
  bool repeat_last_start = true;  // the last scripted start answers every later start
  std::function<JobStatus(int check_number)> check_status;
  int starts = 0;
  int checks = 0;
  Json last_ref;

 private:
  handlers::DeferredCalls deferred_;
  uint64_t next_ = 1;
};

inline JobStatus Running() { return JobStatus{}; }
inline JobStatus Succeeded() {
  JobStatus s;
  s.state = JobState::kSucceeded;
  s.detail = Json{{"exitCode", 0}};
  return s;
}
inline JobStatus Failed(std::string message) {
  JobStatus s;
  s.state = JobState::kFailed;
  s.failure = JobError{JobFailureCategory::kPermanent, std::move(message)};
  s.detail = Json{{"exitCode", 1}};
  return s;
}
inline Result<Json, JobError> StartError(JobFailureCategory category, std::string message) {
  return Fail(JobError{category, std::move(message)});
}

}  // namespace sluice::pipeline::testing
