#include "engine/pipelines.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <system_error>
#include <utility>

#include "asl/json_kind.h"
#include "asl/timestamp.h"
#include "engine/store/write_batch.h"
#include "handlers/pipeline/civil_time.h"
#include "handlers/pipeline/duration.h"

namespace sluice::engine {

namespace fs = std::filesystem;

namespace {

// Rule keys refuse it too (handlers/pipeline/config.cpp): Interlock's DynamoDB sort-key prefix,
// which would never match a rule.
constexpr std::string_view kSensorPrefix = "SENSOR#";

PipelineFileProblems Problem(std::string path, std::string pointer, std::string message) {
  return {std::move(path), {{std::move(pointer), 0, 0, std::move(message)}}};
}

bool IsConfigFileName(const fs::path& path) {
  return path.extension() == ".yaml" || path.extension() == ".yml";
}

// The *.yaml and *.yml files of `dir`, by name.
Result<std::vector<std::string>, PipelineFileProblems> ConfigFilesIn(const std::string& dir) {
  std::error_code error;
  std::vector<std::string> files;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    if (IsConfigFileName(it->path()) && !it->is_directory()) files.push_back(it->path().string());
  }
  if (error) return Fail(Problem(dir, "", "cannot list the directory: " + error.message()));
  if (files.empty()) return Fail(Problem(dir, "", "the directory holds no *.yaml or *.yml file"));
  std::sort(files.begin(), files.end());
  return files;
}

Result<PipelineFile, PipelineFileProblems> LoadOne(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(Problem(path, "", std::string("cannot read: ") + std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();  // an empty file sets failbit here; the parser reports it
  auto config = pipeline::ParsePipelineConfig(text.str());
  if (!config.ok()) return Fail(PipelineFileProblems{path, std::move(config).error()});
  return PipelineFile{path, text.str(), std::move(config).value()};
}

// nlohmann's message without its "[json.exception.parse_error.101] " prefix.
std::string ParseErrorText(const std::exception& e) {
  std::string_view what = e.what();
  size_t end = what.starts_with('[') ? what.find("] ") : std::string_view::npos;
  return std::string(end == std::string_view::npos ? what : what.substr(end + 2));
}

Result<Json> ParseSensorData(std::string_view text) {
  Json data;
  try {
    data = Json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return Fail("sensor data is not valid JSON: " + ParseErrorText(e));
  }
  if (!data.is_object()) {
    return Fail(std::string("sensor data must be a JSON object, got ") + asl::JsonKindName(data));
  }
  return data;
}

Status<> CheckSensorName(const std::string& pipeline, const std::string& key) {
  if (pipeline.empty()) return Fail(std::string("the sensor's pipeline must not be empty"));
  if (key.empty()) return Fail(std::string("the sensor key must not be empty"));
  if (key.starts_with(kSensorPrefix)) {
    return Fail("sensor key \"" + key +
                "\": sensor keys are written without the 'SENSOR#' prefix (rules never match it)");
  }
  return Ok{};
}

// A stored JSON column back as a value; `what` names the row for the error.
Result<Json> ParseStored(const std::string& text, const std::string& what) {
  Json value = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return Fail(what + ": stored JSON does not parse");
  return value;
}

std::string SensorName(const std::string& pipeline, const std::string& key) {
  return "sensor \"" + key + "\" of pipeline \"" + pipeline + "\"";
}

}  // namespace

Result<std::vector<std::string>, PipelineFileProblems> PipelineConfigPaths(
    const std::string& path) {
  std::error_code error;
  fs::file_status status = fs::status(path, error);
  if (error && error != std::errc::no_such_file_or_directory) {
    return Fail(Problem(path, "", "cannot read: " + error.message()));
  }
  if (!fs::exists(status)) return Fail(Problem(path, "", "no such file or directory"));
  if (fs::is_directory(status)) return ConfigFilesIn(path);
  return std::vector<std::string>{path};
}

Result<std::vector<PipelineFile>, PipelineFileErrors> LoadPipelineFiles(
    const std::vector<std::string>& paths) {
  std::vector<PipelineFile> files;
  PipelineFileErrors errors;
  std::map<std::string, std::string> defined_by;  // pipeline id -> file
  for (const std::string& path : paths) {
    auto names = PipelineConfigPaths(path);
    if (!names.ok()) {
      errors.push_back(std::move(names).error());
      continue;
    }
    for (const std::string& name : *names) {
      auto file = LoadOne(name);
      if (!file.ok()) {
        errors.push_back(std::move(file).error());
        continue;
      }
      const std::string& id = file->config.pipeline.id;
      auto [first, inserted] = defined_by.emplace(id, name);
      if (!inserted) {
        errors.push_back(Problem(name, "/pipeline/id",
                                 "pipeline \"" + id + "\" is already defined by " + first->second));
        continue;
      }
      files.push_back(std::move(file).value());
    }
  }
  if (!errors.empty()) return Fail(std::move(errors));
  return files;
}

std::string FormatPipelineFileErrors(const PipelineFileErrors& errors) {
  std::string text;
  for (const auto& file : errors)
    text += pipeline::FormatConfigDiagnostics(file.diagnostics, file.path);
  return text;
}

Result<int64_t> ParseSince(std::string_view text, int64_t now_nanos) {
  if (auto instant = asl::ParseTimestamp(text)) return *instant;
  if (auto date = pipeline::ParseDate(text)) {
    return pipeline::DaysFromCivil(*date) * pipeline::kSecondsPerDay * pipeline::kNanosPerSecond;
  }
  auto ago = pipeline::ParseDuration(text);
  if (ago.ok()) return now_nanos - *ago * pipeline::kNanosPerSecond;
  return Fail("\"" + std::string(text) +
              "\" is not a time: expected an RFC 3339 time (2026-03-01T12:00:00Z), a date "
              "(2026-03-01) or a duration before now (90m, 2d)");
}

Result<Json> SensorToJson(const SensorRecord& sensor) {
  auto data = ParseStored(sensor.data, SensorName(sensor.pipeline, sensor.key));
  if (!data.ok()) return data;
  return Json{{"pipeline", sensor.pipeline},
              {"key", sensor.key},
              {"data", std::move(*data)},
              {"writtenAt", asl::FormatTimestamp(sensor.written_nanos)}};
}

Result<Json> PipelineVersionToJson(const PipelineVersionRecord& version) {
  auto config = ParseStored(
      version.config, "pipeline \"" + version.id + "\" version " + std::to_string(version.version));
  if (!config.ok()) return config;
  return Json{{"id", version.id},
              {"version", version.version},
              {"source", version.source},
              {"created", asl::FormatTimestamp(version.created_nanos)},
              {"config", std::move(*config)}};
}

Result<Json> PipelineEventToJson(const PipelineEventRecord& event) {
  auto detail = ParseStored(event.detail, "pipeline event " + std::to_string(event.id));
  if (!detail.ok()) return detail;
  return Json{{"id", event.id},
              {"type", event.type},
              {"pipelineId", event.pipeline},
              {"scheduleId", event.schedule},
              {"date", event.date},
              {"message", event.message},
              {"timestamp", asl::FormatTimestamp(event.time_nanos)},
              {"detail", std::move(*detail)}};
}

Result<std::vector<AppliedPipeline>> Pipelines::Apply(const std::vector<PipelineFile>& files) {
  const int64_t now = clock_.Now();
  WriteBatch batch;
  std::vector<int64_t> before;
  for (const PipelineFile& file : files) {
    auto latest = store_.GetLatestPipelineVersion(file.config.pipeline.id);
    if (!latest.ok()) return Fail(latest.error());
    before.push_back(*latest ? (*latest)->version : 0);
    batch.AddPipelineVersion(
        {file.config.pipeline.id, 0, file.path, file.text, file.config.raw.dump(), now});
  }
  auto committed = store_.Commit(batch);
  if (!committed.ok()) return Fail(committed.error());
  std::vector<AppliedPipeline> applied;
  for (size_t i = 0; i < files.size(); ++i) {
    auto latest = Show(files[i].config.pipeline.id);
    if (!latest.ok()) return Fail(latest.error());
    bool changed = latest->version != before[i];
    applied.push_back({files[i].path, std::move(*latest), changed});
  }
  return applied;
}

Result<std::vector<PipelineVersionRecord>> Pipelines::List() { return store_.ListPipelines(); }

Result<PipelineVersionRecord> Pipelines::Show(const std::string& id, int64_t version) {
  auto latest = store_.GetLatestPipelineVersion(id);
  if (!latest.ok()) return Fail(latest.error());
  if (!*latest) return Fail("no pipeline \"" + id + "\" has been applied");
  if (version == 0 || version == (*latest)->version) return std::move(**latest);
  auto found = store_.GetPipelineVersion(id, version);
  if (!found.ok()) return Fail(found.error());
  if (!*found) {
    return Fail("pipeline \"" + id + "\" has no version " + std::to_string(version) +
                " (its versions are 1-" + std::to_string((*latest)->version) + ")");
  }
  return std::move(**found);
}

Result<SensorRecord> Pipelines::PutSensor(const std::string& pipeline, const std::string& key,
                                          std::string_view json_text) {
  auto named = CheckSensorName(pipeline, key);
  if (!named.ok()) return Fail(named.error());
  auto data = ParseSensorData(json_text);
  if (!data.ok()) return Fail(data.error());
  SensorRecord record{pipeline, key, data->dump(), clock_.Now()};
  WriteBatch batch;
  batch.PutSensor(record);
  auto committed = store_.Commit(batch);
  if (!committed.ok()) return Fail(committed.error());
  return record;
}

Result<SensorRecord> Pipelines::GetSensor(const std::string& pipeline, const std::string& key) {
  auto sensor = store_.GetSensor(pipeline, key);
  if (!sensor.ok()) return Fail(sensor.error());
  if (!*sensor) return Fail("no " + SensorName(pipeline, key));
  return std::move(**sensor);
}

Result<std::vector<SensorRecord>> Pipelines::ListSensors(const std::string& pipeline) {
  return store_.ListSensors(pipeline);
}

Result<std::vector<PipelineEventRecord>> Pipelines::Events(const PipelineEventFilter& filter) {
  return store_.ListPipelineEvents(filter);
}

Result<Json> Pipelines::Sensors(std::string_view pipeline) {
  auto sensors = store_.ListSensors(std::string(pipeline));
  if (!sensors.ok()) return Fail(sensors.error());
  Json by_key = Json::object();
  for (const SensorRecord& sensor : *sensors) {
    auto json = SensorToJson(sensor);
    if (!json.ok()) return json;
    by_key[sensor.key] =
        Json{{"data", std::move((*json)["data"])}, {"writtenAt", std::move((*json)["writtenAt"])}};
  }
  return by_key;
}

Result<std::shared_ptr<const pipeline::PipelineConfig>> Pipelines::Config(
    std::string_view pipeline) {
  auto latest = store_.GetLatestPipelineVersion(std::string(pipeline));
  if (!latest.ok()) return Fail(latest.error());
  if (!*latest) return std::shared_ptr<const pipeline::PipelineConfig>();
  const PipelineVersionRecord& record = **latest;
  auto cached = configs_.find(pipeline);
  if (cached != configs_.end() && cached->second.version == record.version) {
    return cached->second.config;
  }
  auto parsed = pipeline::ParsePipelineConfig(record.text);
  if (!parsed.ok()) {
    // Only a later Sluice with stricter validation can get here: the text passed at apply.
    return Fail("pipeline \"" + record.id + "\" version " + std::to_string(record.version) +
                " no longer validates:\n" +
                pipeline::FormatConfigDiagnostics(parsed.error(), record.source));
  }
  auto config = std::make_shared<const pipeline::PipelineConfig>(std::move(parsed).value());
  configs_[record.id] = {record.version, config};
  return config;
}

Status<> Pipelines::AppendEvent(const pipeline::PipelineEvent& event) {
  if (event.type.empty()) return Fail(std::string("a pipeline event needs a type"));
  if (!event.detail.is_null() && !event.detail.is_object()) {
    return Fail(event.type + " event: the detail must be a JSON object, got " +
                asl::JsonKindName(event.detail));
  }
  WriteBatch batch;
  batch.AppendPipelineEvent({0, event.type, event.pipeline, event.schedule, event.date,
                             clock_.Now(), event.message,
                             event.detail.is_null() ? "{}" : event.detail.dump()});
  return store_.Commit(batch);
}

}  // namespace sluice::engine
