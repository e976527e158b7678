#include <utility>

#include "engine/store/sqlite_internal.h"

namespace sluice::engine::store_internal {

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, const std::string& vfs,
                                     int busy_timeout_ms, StepHook hook) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, vfs.empty() ? nullptr : vfs.c_str());
  // Owned from here on, even when opening failed (sqlite3_open_v2 may still allocate).
  std::unique_ptr<Db> db(new Db(raw, std::move(hook)));
  if (rc != SQLITE_OK) {
    std::string message = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    return Fail("open " + path + ": " + message);
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  return db;
}

Db::~Db() {
  for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
  sqlite3_close_v2(db_);
}

Result<Stmt> Db::Prepare(const char* what, std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return Fail(Error(what));
    it = cache_.emplace(std::string(sql), Cached{stmt}).first;
  }
  Cached& cached = it->second;
  if (cached.in_use) return Fail(std::string(what) + ": statement already in use: " + it->first);
  cached.in_use = true;
  return Stmt(*this, cached.stmt, what, &cached.in_use);
}

Status<> Db::Exec(const char* what, std::string_view script) {
  const char* next = script.data();
  const char* end = script.data() + script.size();
  while (next < end) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db_, next, static_cast<int>(end - next), &raw, &next);
    if (rc != SQLITE_OK) return Fail(Error(what));
    if (raw == nullptr) break;  // only whitespace or comments left
    auto status = Stmt(*this, raw, what, /*in_use=*/nullptr).Run();
    if (!status.ok()) return status;
  }
  return Ok{};
}

Result<std::string> Db::QueryText(const char* what, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  if (rc != SQLITE_OK) return Fail(Error(what));
  Stmt stmt(*this, raw, what, /*in_use=*/nullptr);
  auto row = stmt.Step();
  if (!row.ok()) return Fail(row.error());
  if (!*row) return Fail(std::string(what) + ": no result");
  return stmt.Text(0);
}

void Db::Rollback() {
  if (sqlite3_get_autocommit(db_)) return;  // no transaction open (or SQLite rolled back)
  sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

std::string Db::Error(std::string_view what) const {
  return std::string(what) + ": " + sqlite3_errmsg(db_);
}

bool Db::FaultInjected(sqlite3_stmt* stmt) const { return hook_ && hook_(sqlite3_sql(stmt)); }

Stmt::Stmt(Stmt&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      what_(other.what_),
      in_use_(std::exchange(other.in_use_, nullptr)),
      bind_rc_(other.bind_rc_) {}

Stmt::~Stmt() {
  if (stmt_ == nullptr) return;
  if (in_use_ == nullptr) {
    sqlite3_finalize(stmt_);
    return;
  }
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  *in_use_ = false;
}

Stmt& Stmt::Check(int rc) {
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Stmt& Stmt::Bind(int index, int64_t value) {
  return Check(sqlite3_bind_int64(stmt_, index, value));
}

Stmt& Stmt::Bind(int index, const std::string& value) {
  return Check(
      sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_STATIC));
}

Stmt& Stmt::Bind(int index, const char* static_text) {
  return Check(sqlite3_bind_text(stmt_, index, static_text, -1, SQLITE_STATIC));
}

Stmt& Stmt::Bind(int index, const std::optional<std::string>& value) {
  return value ? Bind(index, *value) : BindNull(index);
}

Stmt& Stmt::Bind(int index, const std::optional<int64_t>& value) {
  return value ? Bind(index, *value) : BindNull(index);
}

Stmt& Stmt::BindNull(int index) { return Check(sqlite3_bind_null(stmt_, index)); }

Result<bool> Stmt::Step() {
  if (bind_rc_ != SQLITE_OK) {
    return Fail(std::string(what_) + ": bind: " + sqlite3_errstr(bind_rc_));
  }
  if (db_->FaultInjected(stmt_)) return Fail(std::string(what_) + ": injected fault");
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Fail(db_->Error(what_));
}

Status<> Stmt::Run() {
  while (true) {
    auto row = Step();
    if (!row.ok()) return Fail(row.error());
    if (!*row) return Ok{};
  }
}

int64_t Stmt::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Stmt::Text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (text == nullptr) return "";
  return std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::optional<int64_t> Stmt::OptInt(int column) const {
  if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
  return Int(column);
}

std::optional<std::string> Stmt::OptText(int column) const {
  if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
  return Text(column);
}

}  // namespace sluice::engine::store_internal
