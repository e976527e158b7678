#include "tests/support/store_testing.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>

namespace sluice::testing {

namespace fs = std::filesystem;

std::unique_ptr<engine::Store> OpenOrDie(const std::string& path, engine::StoreOptions options) {
  auto store = engine::Store::Open(path, std::move(options));
  EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error());
  return store.ok() ? std::move(*store) : nullptr;
}

void CommitOrDie(engine::Store& store, const engine::WriteBatch& batch) {
  auto committed = store.Commit(batch);
  EXPECT_TRUE(committed.ok()) << committed.error();
}

TempDir::TempDir(const std::string& prefix) {
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  dir_ = fs::temp_directory_path() /
         (prefix + std::string(test->name()) + "_" + std::to_string(getpid()));
  fs::remove_all(dir_);
  fs::create_directories(dir_);
}

TempDir::~TempDir() { fs::remove_all(dir_); }

RawDb::RawDb(const std::string& path) { EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK); }

RawDb::~RawDb() { sqlite3_close(db_); }

std::vector<std::string> RawDb::Rows(const std::string& sql) {
  std::vector<std::string> rows;
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sql << ": " << sqlite3_errmsg(db_);
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    std::string row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
      row += (i ? "|" : "") + std::string(text ? text : "<null>");
    }
    rows.push_back(row);
  }
  sqlite3_finalize(stmt);
  return rows;
}

std::string RawDb::One(const std::string& sql) {
  auto rows = Rows(sql);
  return rows.empty() ? "<no row>" : rows.front();
}

std::vector<std::string> RawDb::Tables() {
  return Rows(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
      " ORDER BY name");
}

std::string RawDb::Dump() {
  std::string dump = "user_version=" + One("PRAGMA user_version") + "\n";
  for (const auto& table :
       Rows("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
    auto rows = Rows("SELECT * FROM " + table);
    std::sort(rows.begin(), rows.end());
    dump += "[" + table + "]\n";
    for (const auto& row : rows) dump += row + "\n";
  }
  return dump;
}

}  // namespace sluice::testing
