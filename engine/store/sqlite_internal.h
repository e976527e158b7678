// SQLite access for the store: one connection, its cache of prepared statements, and the
// fault-injection hook every step passes through. Internal to engine/store.
//
// Statements are prepared once per connection (SQLITE_PREPARE_PERSISTENT) and reused: a Stmt
// borrows a cached statement and resets it when it goes out of scope, so the hot path (append an
// event) binds and steps without ever re-preparing. Text is bound without copying
// (SQLITE_STATIC): a bound string must outlive the Stmt's last Step, which is why binding an
// rvalue string does not compile.
//
// Thread rule: one thread at a time per Db (opened with SQLITE_OPEN_NOMUTEX).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "asl/result.h"

namespace sluice::engine::store_internal {

using StepHook = std::function<bool(std::string_view sql)>;

class Stmt;

class Db {
 public:
  // Opens (creating if needed) `path` read-write; ":memory:" is a private in-memory database.
  // `vfs` names a registered SQLite VFS; empty for the default.
  static Result<std::unique_ptr<Db>> Open(const std::string& path, const std::string& vfs,
                                          int busy_timeout_ms, StepHook hook);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // The cached statement for `sql`, prepared on first use. `what` names the operation in the
  // errors of this use, e.g. "append event". A statement serves one Stmt at a time: preparing
  // it again while an earlier Stmt of it is alive (a nested use that would reset the outer one)
  // fails.
  Result<Stmt> Prepare(const char* what, std::string_view sql);

  // Runs every statement of `script` once (rows discarded), through the hook; not cached.
  Status<> Exec(const char* what, std::string_view script);

  // The first column of the first row of `sql`, as text ("" for NULL); not cached.
  Result<std::string> QueryText(const char* what, std::string_view sql);

  // Rolls back the open transaction, if any (SQLite may already have rolled it back after an
  // I/O error). Bypasses the hook. Call it with no Stmt alive: then no statement is in progress
  // and SQLite cannot refuse the ROLLBACK.
  void Rollback();

  // "what: <sqlite3_errmsg>".
  std::string Error(std::string_view what) const;

  // True when the hook asks `stmt`'s step to fail.
  bool FaultInjected(sqlite3_stmt* stmt) const;

  sqlite3* handle() { return db_; }

 private:
  Db(sqlite3* db, StepHook hook) : db_(db), hook_(std::move(hook)) {}

  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;  // a Stmt borrows it now
  };

  sqlite3* db_;
  StepHook hook_;
  std::unordered_map<std::string, Cached, Hash, std::equal_to<>> cache_;
};

// One use of a prepared statement: bind, step, read columns. Columns and parameters are
// 0-based and 1-based respectively, as in SQLite. A bind error is reported by the next Step.
class Stmt {
 public:
  // Borrows a cached statement (`in_use` is its flag, cleared when done), or owns a one-off
  // statement when `in_use` is null.
  Stmt(Db& db, sqlite3_stmt* stmt, const char* what, bool* in_use)
      : db_(&db), stmt_(stmt), what_(what), in_use_(in_use) {}
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&&) = delete;
  Stmt(const Stmt&) = delete;
  ~Stmt();

  Stmt& Bind(int index, int64_t value);
  Stmt& Bind(int index, const std::string& value);
  Stmt& Bind(int index, std::string&& value) = delete;  // would dangle (SQLITE_STATIC)
  Stmt& Bind(int index, const char* static_text);       // a literal: lives forever
  Stmt& Bind(int index, const std::optional<std::string>& value);
  Stmt& Bind(int index, const std::optional<int64_t>& value);
  Stmt& BindNull(int index);

  // Advances: true when a row is ready, false when the statement is done.
  Result<bool> Step();
  // Steps until done, discarding rows.
  Status<> Run();

  int64_t Int(int column) const;
  std::string Text(int column) const;  // "" for NULL
  std::optional<int64_t> OptInt(int column) const;
  std::optional<std::string> OptText(int column) const;

 private:
  Stmt& Check(int rc);

  Db* db_;
  sqlite3_stmt* stmt_;
  const char* what_;
  bool* in_use_;  // null: owned, finalized (not reset) when done
  int bind_rc_ = SQLITE_OK;
};

}  // namespace sluice::engine::store_internal
