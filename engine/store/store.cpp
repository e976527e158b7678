// Store: opening (connection settings, then migrations), closing and checkpointing. Commit is in
// commit.cpp, the queries in queries.cpp.
#include "engine/store/store.h"

#include <algorithm>
#include <utility>

#include "engine/store/store_internal.h"

namespace sluice::engine {

using store_internal::Db;

namespace {

const char* SynchronousPragma(Durability durability) {
  switch (durability) {
    case Durability::kFull:
      return "PRAGMA synchronous = FULL";
    case Durability::kNormal:
      return "PRAGMA synchronous = NORMAL";
  }
  return "PRAGMA synchronous = FULL";
}

// Connection settings; each is per connection, so every Open sets them all. journal_mode and
// foreign_keys cannot change inside a transaction, hence before the migrations.
Status<> Configure(Db& db, Durability durability) {
  auto mode = db.QueryText("enable WAL", "PRAGMA journal_mode = WAL");
  if (!mode.ok()) return Fail(mode.error());
  // An in-memory database has no WAL ("memory"); any other answer means WAL is unavailable.
  if (*mode != "wal" && *mode != "memory") {
    return Fail("enable WAL: journal_mode stayed '" + *mode + "'");
  }
  for (const char* pragma : {SynchronousPragma(durability),
                             // Checkpoints are the runtime's call (Store::Checkpoint), never a
                             // cost hidden in whichever commit crosses the threshold.
                             "PRAGMA wal_autocheckpoint = 0", "PRAGMA foreign_keys = ON"}) {
    auto set = db.Exec("configure connection", pragma);
    if (!set.ok()) return set;
  }
  return Ok{};
}

}  // namespace

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::Open(const std::string& path, StoreOptions options) {
  auto db = Db::Open(path, options.vfs, options.busy_timeout_ms, std::move(options.fail_step));
  if (!db.ok()) return Fail(db.error());
  auto configured = Configure(**db, options.durability);
  if (!configured.ok()) return Fail("open " + path + ": " + configured.error());
  auto migrated = store_internal::Migrate(**db, path, options.schema_version);
  if (!migrated.ok()) return Fail(migrated.error());
  auto impl = std::make_unique<Impl>();
  impl->db = std::move(*db);
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

Result<CheckpointStats> Store::Checkpoint() {
  int wal_frames = 0;
  int checkpointed = 0;
  Db& db = *impl_->db;
  int rc = sqlite3_wal_checkpoint_v2(db.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_frames,
                                     &checkpointed);
  if (rc != SQLITE_OK) return Fail(db.Error("checkpoint"));
  // SQLite reports -1 for both when the database has no WAL (":memory:").
  return CheckpointStats{std::max(wal_frames, 0), std::max(checkpointed, 0)};
}

}  // namespace sluice::engine
