// Helpers for the tests of the SQLite store: open and commit or fail the test, a temporary
// directory per test, and direct SQLite access to look at the file as another program would.
#pragma once

#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/store/store.h"

namespace sluice::testing {

std::unique_ptr<engine::Store> OpenOrDie(const std::string& path,
                                         engine::StoreOptions options = {});

// Fails the current test (a non-fatal failure) when the commit fails.
void CommitOrDie(engine::Store& store, const engine::WriteBatch& batch);

// A directory of its own under the system temp dir (named after `prefix`, the test and the
// process), removed at the end of the test.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

 private:
  std::filesystem::path dir_;
};

class RawDb {
 public:
  explicit RawDb(const std::string& path);
  ~RawDb();
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  // Every row of `sql`, each as its columns' text joined by '|' (NULL as "<null>").
  std::vector<std::string> Rows(const std::string& sql);
  // The first row of `sql`, or "<no row>".
  std::string One(const std::string& sql);
  // The tables, by name, without SQLite's own.
  std::vector<std::string> Tables();
  // The whole content: schema version, then every table's rows, sorted.
  std::string Dump();

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace sluice::testing
