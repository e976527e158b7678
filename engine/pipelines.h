// Pipelines: the pipeline safety controller's data as one service over the Store — pipeline
// configs (validated, applied as numbered versions), sensors, and pipeline events. The CLI's
// `pipeline`, `sensor` and `events` commands are thin adapters over it, and it implements
// handlers/pipeline/pipeline_data.h, the view the pipeline handlers get of the same data.
//
// Config files. A path names a config file, or a directory whose *.yaml and *.yml files (not
// recursive, by name) are the configs. LoadPipelineFiles reads and validates every file before
// anything is stored and reports every problem of every file, each located by file, line,
// column and JSON Pointer; two files defining the same `pipeline.id` are a problem too.
//
// Versions. Apply stores a file as the next version of its pipeline (by `pipeline.id`) only
// when its text differs from the latest version's, byte for byte, so re-applying an unchanged
// directory stores nothing. All files of one Apply go in one transaction: all or none.
//
// Sensors. A sensor is a JSON object per (pipeline, key), replaced as a whole by each write and
// stamped with the clock's time; a write is one transaction. Anything but a JSON object is
// refused with a message saying what it was.
//
// Errors are values naming the file, pipeline, key or version concerned.
//
// Thread rule: one thread at a time (the Store's rule); the Store and the Clock outlive this.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "asl/json.h"
#include "asl/result.h"
#include "engine/clock.h"
#include "engine/store/store.h"
#include "handlers/pipeline/config.h"
#include "handlers/pipeline/pipeline_data.h"

namespace sluice::engine {

// One config file, read and validated.
struct PipelineFile {
  std::string path;  // as named (a directory's files: DIR/NAME)
  std::string text;  // the file's content, byte for byte
  pipeline::PipelineConfig config;
};

// Everything wrong with one file (or with a path that names no config file).
struct PipelineFileProblems {
  std::string path;
  pipeline::ConfigDiagnostics diagnostics;  // at least one
};
using PipelineFileErrors = std::vector<PipelineFileProblems>;

// The config files `path` names: itself when it is not a directory, else its *.yaml and *.yml
// files by name. Fails for a directory holding none, or a path that does not exist.
Result<std::vector<std::string>, PipelineFileProblems> PipelineConfigPaths(const std::string& path);

// Reads and validates the files under every path (PipelineConfigPaths), in order. Fails with
// the problems of every bad file (every file is read), including each file whose pipeline.id
// an earlier file already defines.
Result<std::vector<PipelineFile>, PipelineFileErrors> LoadPipelineFiles(
    const std::vector<std::string>& paths);

// One "FILE:LINE:COLUMN: POINTER: message" line per problem (FormatConfigDiagnostics).
std::string FormatPipelineFileErrors(const PipelineFileErrors& errors);

// `--since` of `sluice events`: an RFC 3339 timestamp ("2026-03-01T12:00:00Z"), a date
// ("2026-03-01": its midnight UTC), or a duration meaning that long before `now_nanos` ("90m",
// "2d"). Returns nanoseconds since the epoch, or an error quoting the text.
Result<int64_t> ParseSince(std::string_view text, int64_t now_nanos);

// The JSON shapes shown by the CLI (and given to handlers).
//   sensor:  {"pipeline", "key", "data": {…}, "writtenAt": RFC 3339}
//   version: {"id", "version", "source", "created": RFC 3339, "config": {…}}
//   event:   {"id", "type", "pipelineId", "scheduleId", "date", "message", "timestamp": RFC 3339,
//             "detail": {…}} (Interlock's event detail names)
// They fail only when a stored JSON column does not parse.
Result<Json> SensorToJson(const SensorRecord& sensor);
Result<Json> PipelineVersionToJson(const PipelineVersionRecord& version);
Result<Json> PipelineEventToJson(const PipelineEventRecord& event);

// The outcome of applying one file.
struct AppliedPipeline {
  std::string path;
  PipelineVersionRecord latest;  // the pipeline's latest version after the apply
  bool changed = false;          // this apply stored `latest`
};

class Pipelines final : public pipeline::PipelineData {
 public:
  Pipelines(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  // Configs. Apply's results are in file order.
  Result<std::vector<AppliedPipeline>> Apply(const std::vector<PipelineFile>& files);
  Result<std::vector<PipelineVersionRecord>> List();  // the latest version of each, by id
  // Version `version` of pipeline `id` (0: the latest); fails naming them when absent.
  Result<PipelineVersionRecord> Show(const std::string& id, int64_t version = 0);

  // Sensors. `json_text` must be a JSON object.
  Result<SensorRecord> PutSensor(const std::string& pipeline, const std::string& key,
                                 std::string_view json_text);
  Result<SensorRecord> GetSensor(const std::string& pipeline, const std::string& key);
  Result<std::vector<SensorRecord>> ListSensors(const std::string& pipeline);  // "": all

  // Events, oldest first.
  Result<std::vector<PipelineEventRecord>> Events(const PipelineEventFilter& filter);

  // pipeline::PipelineData.
  Result<Json> Sensors(std::string_view pipeline) override;
  Result<std::shared_ptr<const pipeline::PipelineConfig>> Config(
      std::string_view pipeline) override;
  // Stores the event only. Engine code records events through PipelineRunner::RecordEvent,
  // which also tells the runner's event observer (the daemon's alerts).
  Status<> AppendEvent(const pipeline::PipelineEvent& event) override;

 private:
  // A stored config parsed once per (pipeline, version).
  struct CachedConfig {
    int64_t version = 0;
    std::shared_ptr<const pipeline::PipelineConfig> config;
  };

  Store& store_;
  const Clock& clock_;
  std::map<std::string, CachedConfig, std::less<>> configs_;
};

}  // namespace sluice::engine
