#include "postgres/statement.hpp"

#include <libpq-fe.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace storage::pg {

namespace {

// The start of a statement, to say which one failed without flooding logs.
std::string excerpt(const std::string& sql) {
  constexpr std::size_t kMax = 80;
  return sql.size() <= kMax ? sql : sql.substr(0, kMax) + "...";
}

/// PgError for a failed result; only the primary message: the DETAIL of a
/// constraint violation quotes row values (id tags, hashes) that logs must not get.
[[noreturn]] void throw_result_error(PGconn* conn, const PGresult* res,
                                     const std::string& context) {
  std::string state;
  std::string msg;
  if (res != nullptr) {
    if (const char* s = PQresultErrorField(res, PG_DIAG_SQLSTATE)) state = s;
    if (const char* m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)) msg = m;
  }
  if (msg.empty()) {
    msg = conn != nullptr ? PQerrorMessage(conn) : "no result";
    while (!msg.empty() && std::isspace(static_cast<unsigned char>(msg.back()))) msg.pop_back();
  }
  std::string what = "postgres: " + msg;
  if (!context.empty()) what.append(" (").append(context).append(")");
  throw PgError(state, what);
}

struct ResultGuard {
  PGresult* res;
  ~ResultGuard() { PQclear(res); }
};

bool ok(const PGresult* res) {
  const auto status = PQresultStatus(res);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

void ignore_notice(void*, const char*) {}

/// Replaces the value after `key=` (until `stop` chars or a quoted string) by ***.
std::string mask_key_value(std::string s, const std::string& key, const std::string& stops) {
  std::size_t from = 0;
  for (;;) {
    std::size_t pos = s.find(key, from);
    if (pos == std::string::npos) return s;
    std::size_t i = pos + key.size();
    while (i < s.size() && s[i] == ' ') ++i;
    if (i >= s.size() || s[i] != '=') {
      from = pos + key.size();
      continue;
    }
    ++i;
    while (i < s.size() && s[i] == ' ') ++i;
    std::size_t end = i;
    if (end < s.size() && s[end] == '\'') {
      ++end;
      while (end < s.size() && s[end] != '\'') end += s[end] == '\\' ? 2 : 1;
      end = std::min(s.size(), end + 1);
    } else {
      while (end < s.size() && stops.find(s[end]) == std::string::npos) ++end;
    }
    s.replace(i, end - i, "***");
    from = i + 3;
  }
}

/// SQLite-style `?` placeholders as $1..$N, so store SQL can read the same on
/// both backends; text in quotes is left alone. SQL that already uses $n is
/// taken as it is.
std::string to_numbered_params(const std::string& sql) {
  if (sql.find('?') == std::string::npos || sql.find('$') != std::string::npos) return sql;
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote != 0) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string mask_url(const std::string& url) {
  std::string out = url;
  const std::size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    const std::size_t start = scheme + 3;
    // userinfo ends at the last '@' before the path or query: an unencoded '@'
    // in the password must not leak its tail.
    std::size_t stop = out.find_first_of("?", start);
    if (stop == std::string::npos) stop = out.size();
    const std::size_t at = out.rfind('@', stop);
    if (at != std::string::npos && at >= start) {
      const std::size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
    const std::size_t query = out.find('?', start);
    if (query != std::string::npos) {
      std::string head = out.substr(0, query);
      std::string tail = mask_key_value(out.substr(query), "password", "&#");
      out = head + tail;
    }
    return out;
  }
  return mask_key_value(out, "password", " \t\n");
}

PgConnection::PgConnection(const std::string& conninfo) {
  conn_ = PQconnectdb(conninfo.c_str());
  if (conn_ == nullptr) throw PgError("", "postgres: out of memory connecting");
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn_);
    while (!msg.empty() && std::isspace(static_cast<unsigned char>(msg.back()))) msg.pop_back();
    PQfinish(conn_);
    conn_ = nullptr;
    throw PgError("", "postgres: cannot connect to " + mask_url(conninfo) + ": " + msg);
  }
  try {
    configure();
  } catch (...) {
    PQfinish(conn_);
    conn_ = nullptr;
    throw;
  }
}

void PgConnection::configure() {
  // Notices (e.g. "relation already exists, skipping") would go to stderr.
  PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
  // Timestamps are integers, but now() and the server's messages follow this.
  exec("SET TIME ZONE 'UTC'; SET client_encoding TO 'UTF8'");
}

void PgConnection::reconnect_if_broken() {
  if (PQstatus(conn_) == CONNECTION_OK) return;
  prepared_.clear();
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn_);
    while (!msg.empty() && std::isspace(static_cast<unsigned char>(msg.back()))) msg.pop_back();
    throw PgError("", "postgres: connection lost and not re-established: " + msg);
  }
  configure();
}

PgConnection::~PgConnection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

void PgConnection::exec(const std::string& sql) {
  ResultGuard res{PQexec(conn_, sql.c_str())};
  if (!ok(res.res)) throw_result_error(conn_, res.res, excerpt(sql));
}

const std::string& PgConnection::prepare(const std::string& sql) {
  auto it = prepared_.find(sql);
  if (it != prepared_.end()) return it->second;
  std::string name = "s" + std::to_string(prepared_.size() + 1);
  const std::string text = to_numbered_params(sql);
  ResultGuard res{PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr)};
  if (!ok(res.res)) throw_result_error(conn_, res.res, "preparing " + excerpt(sql));
  return prepared_.emplace(sql, std::move(name)).first->second;
}

bool PgConnection::in_transaction() const {
  const auto status = PQtransactionStatus(conn_);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

Statement::Statement(PgConnection& db, const std::string& sql) : db_(db), name_(db.prepare(sql)) {}

Statement::~Statement() {
  if (result_ != nullptr) PQclear(result_);
}

namespace {

void set_param(std::vector<std::optional<std::string>>& params, int index,
               std::optional<std::string> value) {
  if (index < 1) throw PgError("", "postgres: parameter index " + std::to_string(index));
  if (params.size() < static_cast<std::size_t>(index)) params.resize(index);
  params[index - 1] = std::move(value);
}

}  // namespace

void Statement::bind(int index, std::int64_t v) {
  set_param(params_, index, std::to_string(v));
}

void Statement::bind(int index, int v) {
  set_param(params_, index, std::to_string(v));
}

void Statement::bind(int index, bool v) {
  set_param(params_, index, std::string(v ? "t" : "f"));
}

void Statement::bind(int index, double v) {
  if (std::isnan(v)) {
    set_param(params_, index, std::string("NaN"));
  } else if (std::isinf(v)) {
    set_param(params_, index, std::string(v > 0 ? "Infinity" : "-Infinity"));
  } else {
    // 17 significant digits: the double reads back bit for bit.
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    set_param(params_, index, std::string(buf));
  }
}

void Statement::bind(int index, std::string_view v) {
  set_param(params_, index, std::string(v));
}

void Statement::bind(int index, std::nullopt_t) {
  set_param(params_, index, std::nullopt);
}

PGresult* PgConnection::execute_prepared(const std::string& name,
                                         const std::vector<const char*>& values) {
  const int n = static_cast<int>(values.size());
  if (PQtransactionStatus(conn_) != PQTRANS_INTRANS) {
    // Outside a transaction a statement is atomic by itself; in a failed one
    // it fails anyway.
    return PQexecPrepared(conn_, name.c_str(), n, values.data(), nullptr, nullptr, 0);
  }
  if (PQenterPipelineMode(conn_) != 1) throw_result_error(conn_, nullptr, "entering pipeline mode");
  PQsendQueryParams(conn_, "SAVEPOINT csms_stmt", 0, nullptr, nullptr, nullptr, nullptr, 0);
  PQsendQueryPrepared(conn_, name.c_str(), n, values.data(), nullptr, nullptr, 0);
  PQsendQueryParams(conn_, "RELEASE SAVEPOINT csms_stmt", 0, nullptr, nullptr, nullptr, nullptr, 0);
  PQpipelineSync(conn_);
  // Results in order: savepoint, statement, release, then the sync.
  PGresult* results[3] = {nullptr, nullptr, nullptr};
  int index = 0;
  bool lost = false;
  for (;;) {
    PGresult* r = PQgetResult(conn_);
    if (r == nullptr) {
      if (PQstatus(conn_) != CONNECTION_OK) {
        lost = true;
        break;
      }
      ++index;  // The end of one command's results.
      continue;
    }
    if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
      PQclear(r);
      break;
    }
    if (index < 3 && results[index] == nullptr) {
      results[index] = r;
    } else {
      PQclear(r);
    }
  }
  PQexitPipelineMode(conn_);
  PQclear(results[0]);
  PQclear(results[2]);
  PGresult* main = results[1];
  if (lost && main == nullptr) return PQmakeEmptyPGresult(conn_, PGRES_FATAL_ERROR);
  if (main != nullptr && !ok(main)) {
    // Undo the failed statement alone; the transaction is usable again.
    ResultGuard undo{PQexec(conn_, "ROLLBACK TO SAVEPOINT csms_stmt; RELEASE SAVEPOINT csms_stmt")};
  }
  return main != nullptr ? main : PQmakeEmptyPGresult(conn_, PGRES_FATAL_ERROR);
}

void Statement::execute() {
  std::vector<const char*> values(params_.size());
  for (std::size_t i = 0; i < params_.size(); ++i) {
    values[i] = params_[i] ? params_[i]->c_str() : nullptr;
  }
  if (result_ != nullptr) PQclear(result_);
  result_ = db_.execute_prepared(name_, values);
  row_ = -1;
  if (!ok(result_)) {
    PGresult* failed = result_;
    result_ = nullptr;
    ResultGuard guard{failed};
    // The SQL text, not the statement's name, says which one failed.
    std::string sql;
    for (const auto& [text, name] : db_.prepared_) {
      if (&name == &name_) sql = text;
    }
    throw_result_error(db_.handle(), failed, excerpt(sql));
  }
}

bool Statement::step() {
  if (result_ == nullptr) execute();
  ++row_;
  return row_ < PQntuples(result_);
}

void Statement::run() {
  execute();
}

void Statement::reset() {
  if (result_ != nullptr) PQclear(result_);
  result_ = nullptr;
  row_ = -1;
}

std::int64_t Statement::changes() const {
  if (result_ == nullptr) return 0;
  const char* n = PQcmdTuples(result_);
  return n == nullptr || *n == '\0' ? 0 : std::strtoll(n, nullptr, 10);
}

bool Statement::is_null(int col) const {
  return result_ == nullptr || row_ < 0 || PQgetisnull(result_, row_, col) != 0;
}

std::int64_t Statement::int64(int col) const {
  if (is_null(col)) return 0;
  const char* v = PQgetvalue(result_, row_, col);
  // A BOOLEAN read as a number, as SQLite's 0/1.
  if (v[0] == 't' && v[1] == '\0') return 1;
  if (v[0] == 'f' && v[1] == '\0') return 0;
  return std::strtoll(v, nullptr, 10);
}

int Statement::integer(int col) const {
  return static_cast<int>(int64(col));
}

bool Statement::boolean(int col) const {
  return int64(col) != 0;
}

double Statement::real(int col) const {
  if (is_null(col)) return 0;
  return std::strtod(PQgetvalue(result_, row_, col), nullptr);
}

std::string Statement::text(int col) const {
  if (is_null(col)) return {};
  return std::string(PQgetvalue(result_, row_, col),
                     static_cast<std::size_t>(PQgetlength(result_, row_, col)));
}

std::optional<std::int64_t> Statement::opt_int64(int col) const {
  if (is_null(col)) return std::nullopt;
  return int64(col);
}

std::optional<double> Statement::opt_real(int col) const {
  if (is_null(col)) return std::nullopt;
  return real(col);
}

std::optional<std::string> Statement::opt_text(int col) const {
  if (is_null(col)) return std::nullopt;
  return text(col);
}

std::optional<DateTime> Statement::opt_time(int col) const {
  if (is_null(col)) return std::nullopt;
  return time(col);
}

std::int64_t limit_param(std::size_t limit) {
  // PostgreSQL's LIMIT takes a BIGINT; NULL means no limit.
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  return limit > kMax ? std::numeric_limits<std::int64_t>::max() : static_cast<std::int64_t>(limit);
}

}  // namespace storage::pg
