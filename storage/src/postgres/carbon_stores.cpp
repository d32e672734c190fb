#include "postgres/carbon_stores.hpp"

#include <sstream>
#include <stdexcept>

namespace storage::pg {

// Text is ordered COLLATE "C" (bytewise), as SQLite orders it, whatever the
// database's locale.

namespace {

// ---- sites ------------------------------------------------------------------

const std::string kSiteColumns =
    "id, name, address, region, timezone, latitude, longitude, created_at";

Site read_site(const Statement& st) {
  Site s;
  s.id = st.text(0);
  s.name = st.text(1);
  s.address = st.text(2);
  s.region = st.text(3);
  s.timezone = st.text(4);
  s.latitude = st.opt_real(5);
  s.longitude = st.opt_real(6);
  s.created_at = st.time(7);
  return s;
}

const std::string kStationCarbonColumns = "station_id, site_id, current_type, meter_public_key";

StationCarbonSettings read_station_carbon(const Statement& st) {
  StationCarbonSettings s;
  s.station_id = st.text(0);
  s.site_id = st.text(1);
  s.current_type = st.text(2);
  s.meter_public_key = st.text(3);
  return s;
}

// ---- parameters -------------------------------------------------------------

const std::string kParameterColumns =
    "id, kind, variant, value, unit, region, vintage, valid_from, source, created_at";

CarbonParameter read_parameter(const Statement& st) {
  CarbonParameter p;
  p.id = st.int64(0);
  p.kind = st.text(1);
  p.variant = st.text(2);
  p.value = st.real(3);
  p.unit = st.text(4);
  p.region = st.text(5);
  p.vintage = st.integer(6);
  p.valid_from = st.time(7);
  p.source = st.text(8);
  p.created_at = st.time(9);
  return p;
}

// ---- records ----------------------------------------------------------------

const std::string kRecordColumns =
    "r.id, r.transaction_id, r.station_id, r.site_id, r.region, r.id_tag, r.account, "
    "r.session_start, r.session_end, r.computed_at, r.method_version, r.energy_delivered_wh, "
    "r.provenance, r.current_type, r.energy_consumed_wh, r.baseline_kg, r.project_kg, "
    "r.reduction_kg, r.green_share, r.project_market_kg, r.reduction_market_kg, "
    "r.certificate_kwh, r.excluded, r.flags, r.supersedes, r.pv_kwh, "
    "(SELECT n.id FROM carbon_records n WHERE n.supersedes = r.id) ";

std::string join_flags(const std::vector<std::string>& flags) {
  std::string out;
  for (const auto& f : flags) out += (out.empty() ? "" : ",") + f;
  return out;
}

std::vector<std::string> split_flags(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string f; std::getline(in, f, ',');)
    if (!f.empty()) out.push_back(f);
  return out;
}

CarbonRecord read_record_row(const Statement& st) {
  CarbonRecord r;
  r.id = st.int64(0);
  r.transaction_id = st.int64(1);
  r.station_id = st.text(2);
  r.site_id = st.text(3);
  r.region = st.text(4);
  r.id_tag = st.text(5);
  r.account = st.text(6);
  r.session_start = st.time(7);
  r.session_end = st.time(8);
  r.computed_at = st.time(9);
  r.method_version = st.text(10);
  r.energy_delivered_wh = st.real(11);
  r.provenance = st.text(12);
  r.current_type = st.text(13);
  r.energy_consumed_wh = st.real(14);
  r.baseline_kg = st.real(15);
  r.project_kg = st.real(16);
  r.reduction_kg = st.real(17);
  r.green_share = st.opt_real(18);
  r.project_market_kg = st.opt_real(19);
  r.reduction_market_kg = st.opt_real(20);
  r.certificate_kwh = st.real(21);
  r.excluded = st.text(22);
  r.flags = split_flags(st.text(23));
  r.supersedes = st.opt_int64(24);
  r.pv_kwh = st.real(25);
  r.superseded_by = st.opt_int64(26);
  return r;
}

// ---- ledger -----------------------------------------------------------------

const std::string kEntryColumns =
    "seq, account, type, grams, points, ref, reason, time, prev_hash, hash";

LedgerEntry read_entry(const Statement& st) {
  LedgerEntry e;
  e.seq = st.int64(0);
  e.account = st.text(1);
  e.type = st.text(2);
  e.grams = st.int64(3);
  e.points = st.int64(4);
  e.ref = st.text(5);
  e.reason = st.text(6);
  e.time = st.time(7);
  e.prev_hash = st.text(8);
  e.hash = st.text(9);
  return e;
}

}  // namespace

std::optional<Site> PgSiteStore::get(const std::string& id) {
  static const std::string sql = "SELECT " + kSiteColumns + " FROM sites WHERE id = $1";
  Statement st(db_, sql);
  st.bind_all(id);
  if (!st.step()) return std::nullopt;
  return read_site(st);
}

std::vector<Site> PgSiteStore::list() {
  static const std::string sql = "SELECT " + kSiteColumns + " FROM sites ORDER BY id COLLATE \"C\"";
  Statement st(db_, sql);
  std::vector<Site> out;
  while (st.step()) out.push_back(read_site(st));
  return out;
}

void PgSiteStore::put(const Site& s) {
  // Every column replaced, as SQLite's INSERT OR REPLACE does.
  Statement st(db_,
               "INSERT INTO sites (id, name, address, region, timezone, latitude, longitude, "
               "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO UPDATE "
               "SET name = excluded.name, address = excluded.address, region = excluded.region, "
               "timezone = excluded.timezone, latitude = excluded.latitude, "
               "longitude = excluded.longitude, created_at = excluded.created_at");
  st.bind_all(s.id, s.name, s.address, s.region, s.timezone, s.latitude, s.longitude, s.created_at);
  st.run();
}

bool PgSiteStore::remove(const std::string& id) {
  Statement st(db_, "DELETE FROM sites WHERE id = $1");
  st.bind_all(id);
  st.run();
  const bool removed = st.changes() > 0;
  Statement detach(db_, "UPDATE station_carbon SET site_id = '' WHERE site_id = $1");
  detach.bind_all(id);
  detach.run();
  return removed;
}

StationCarbonSettings PgSiteStore::station(const std::string& station_id) {
  static const std::string sql =
      "SELECT " + kStationCarbonColumns + " FROM station_carbon WHERE station_id = $1";
  Statement st(db_, sql);
  st.bind_all(station_id);
  if (st.step()) return read_station_carbon(st);
  StationCarbonSettings s;  // none stored: the defaults
  s.station_id = station_id;
  return s;
}

void PgSiteStore::put_station(const StationCarbonSettings& s) {
  Statement st(db_,
               "INSERT INTO station_carbon (station_id, site_id, current_type, meter_public_key) "
               "VALUES ($1, $2, $3, $4) ON CONFLICT (station_id) DO UPDATE SET "
               "site_id = excluded.site_id, current_type = excluded.current_type, "
               "meter_public_key = excluded.meter_public_key");
  st.bind_all(s.station_id, s.site_id, s.current_type, s.meter_public_key);
  st.run();
}

std::vector<StationCarbonSettings> PgSiteStore::stations_of(const std::string& site_id) {
  static const std::string sql = "SELECT " + kStationCarbonColumns +
                                 " FROM station_carbon WHERE site_id = $1 "
                                 "ORDER BY station_id COLLATE \"C\"";
  Statement st(db_, sql);
  st.bind_all(site_id);
  std::vector<StationCarbonSettings> out;
  while (st.step()) out.push_back(read_station_carbon(st));
  return out;
}

// ---- CarbonStore ----------------------------------------------------------------

std::int64_t PgCarbonStore::add_parameter(const CarbonParameter& p) {
  Statement st(db_,
               "INSERT INTO carbon_parameters (kind, variant, value, unit, region, vintage, "
               "valid_from, source, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
               "RETURNING id");
  st.bind_all(p.kind, p.variant, p.value, p.unit, p.region, p.vintage, p.valid_from, p.source,
              p.created_at);
  st.step();
  return st.int64(0);
}

std::vector<CarbonParameter> PgCarbonStore::parameters(const std::string& kind,
                                                       const std::optional<std::string>& region) {
  static const std::string sql =
      "SELECT " + kParameterColumns +
      " FROM carbon_parameters WHERE ($1::text = '' OR kind = $1) AND "
      "($2::text IS NULL OR region = $2) "
      "ORDER BY kind COLLATE \"C\", variant COLLATE \"C\", region COLLATE \"C\", valid_from, id";
  Statement st(db_, sql);
  st.bind_all(kind, region);
  std::vector<CarbonParameter> out;
  while (st.step()) out.push_back(read_parameter(st));
  return out;
}

std::optional<CarbonParameter> PgCarbonStore::parameter_at(const std::string& kind,
                                                           const std::string& variant,
                                                           const std::string& region,
                                                           const DateTime& at) {
  // A regional value in force wins over a national one (false sorts first);
  // among several in force, the newest valid_from (then the newest row).
  static const std::string sql = "SELECT " + kParameterColumns +
                                 " FROM carbon_parameters WHERE kind = $1 AND variant = $2 AND "
                                 "(region = $3 OR region = '') AND valid_from <= $4 "
                                 "ORDER BY region = '', valid_from DESC, id DESC LIMIT 1";
  Statement st(db_, sql);
  st.bind_all(kind, variant, region, at);
  if (!st.step()) return std::nullopt;
  return read_parameter(st);
}

std::int64_t PgCarbonStore::add_record(const CarbonRecord& r) {
  Statement st(db_,
               "INSERT INTO carbon_records (transaction_id, station_id, site_id, region, id_tag, "
               "account, session_start, session_end, computed_at, method_version, "
               "energy_delivered_wh, provenance, current_type, energy_consumed_wh, baseline_kg, "
               "project_kg, reduction_kg, green_share, project_market_kg, reduction_market_kg, "
               "certificate_kwh, excluded, flags, supersedes, pv_kwh) "
               "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
               "$17, $18, $19, $20, $21, $22, $23, $24, $25) RETURNING id");
  st.bind_all(r.transaction_id, r.station_id, r.site_id, r.region, r.id_tag, r.account,
              r.session_start, r.session_end, r.computed_at, r.method_version,
              r.energy_delivered_wh, r.provenance, r.current_type, r.energy_consumed_wh,
              r.baseline_kg, r.project_kg, r.reduction_kg, r.green_share, r.project_market_kg,
              r.reduction_market_kg, r.certificate_kwh, r.excluded, join_flags(r.flags),
              r.supersedes, r.pv_kwh);
  st.step();
  const std::int64_t id = st.int64(0);
  Statement param(db_,
                  "INSERT INTO carbon_record_parameters (record_id, position, parameter_id, kind, "
                  "variant, value, unit, region, source) "
                  "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
  int position = 0;
  for (const auto& p : r.parameters) {
    param.bind_all(id, position++, p.id, p.kind, p.variant, p.value, p.unit, p.region, p.source);
    param.run();
    param.reset();
  }
  return id;
}

namespace {

std::vector<CarbonRecord> read_records(PgConnection& db, Statement& st) {
  std::vector<CarbonRecord> out;
  while (st.step()) out.push_back(read_record_row(st));
  Statement param(db,
                  "SELECT parameter_id, kind, variant, value, unit, region, source FROM "
                  "carbon_record_parameters WHERE record_id = $1 ORDER BY position");
  for (auto& r : out) {
    param.bind_all(r.id);
    while (param.step()) {
      AppliedParameter p;
      p.id = param.int64(0);
      p.kind = param.text(1);
      p.variant = param.text(2);
      p.value = param.real(3);
      p.unit = param.text(4);
      p.region = param.text(5);
      p.source = param.text(6);
      r.parameters.push_back(std::move(p));
    }
    param.reset();
  }
  return out;
}

}  // namespace

std::optional<CarbonRecord> PgCarbonStore::record(std::int64_t id) {
  static const std::string sql =
      "SELECT " + kRecordColumns + "FROM carbon_records r WHERE r.id = $1";
  Statement st(db_, sql);
  st.bind_all(id);
  auto rows = read_records(db_, st);
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

std::optional<CarbonRecord> PgCarbonStore::current_record(std::int64_t transaction_id) {
  static const std::string sql =
      "SELECT " + kRecordColumns +
      "FROM carbon_records r WHERE r.transaction_id = $1 AND NOT EXISTS "
      "(SELECT 1 FROM carbon_records n WHERE n.supersedes = r.id) ORDER BY r.id DESC LIMIT 1";
  Statement st(db_, sql);
  st.bind_all(transaction_id);
  auto rows = read_records(db_, st);
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

std::vector<CarbonRecord> PgCarbonStore::records_of(std::int64_t transaction_id) {
  static const std::string sql = "SELECT " + kRecordColumns +
                                 "FROM carbon_records r WHERE r.transaction_id = $1 ORDER BY r.id";
  Statement st(db_, sql);
  st.bind_all(transaction_id);
  return read_records(db_, st);
}

std::vector<CarbonRecord> PgCarbonStore::records(const CarbonRecordFilter& f) {
  static const std::string sql =
      "SELECT " + kRecordColumns +
      "FROM carbon_records r WHERE ($1::text IS NULL OR r.site_id = $1) AND "
      "($2::text IS NULL OR r.account = $2) AND ($3::bigint IS NULL OR r.session_end >= $3) AND "
      "($4::bigint IS NULL OR r.session_end < $4) AND (NOT $5::boolean OR NOT EXISTS "
      "(SELECT 1 FROM carbon_records n WHERE n.supersedes = r.id)) "
      "ORDER BY r.session_end, r.id";
  Statement st(db_, sql);
  st.bind_all(f.site_id, f.account, f.from, f.to, f.current_only);
  return read_records(db_, st);
}

std::int64_t PgCarbonStore::append_entry(const LedgerEntry& e) {
  // seq is the caller's (it chains the hashes): a second node appending the
  // same seq fails on the key instead of forking the chain.
  Statement st(db_,
               "INSERT INTO carbon_ledger (seq, account, type, grams, points, ref, reason, time, "
               "prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)");
  st.bind_all(e.seq, e.account, e.type, e.grams, e.points, e.ref, e.reason, e.time, e.prev_hash,
              e.hash);
  st.run();
  return e.seq;
}

std::optional<LedgerEntry> PgCarbonStore::last_entry() {
  static const std::string sql =
      "SELECT " + kEntryColumns + " FROM carbon_ledger ORDER BY seq DESC LIMIT 1";
  Statement st(db_, sql);
  if (!st.step()) return std::nullopt;
  return read_entry(st);
}

std::vector<LedgerEntry> PgCarbonStore::entries(const std::string& account,
                                                const std::optional<DateTime>& from,
                                                const std::optional<DateTime>& to) {
  static const std::string sql = "SELECT " + kEntryColumns +
                                 " FROM carbon_ledger WHERE ($1::text = '' OR account = $1) AND "
                                 "($2::bigint IS NULL OR time >= $2) AND "
                                 "($3::bigint IS NULL OR time < $3) ORDER BY seq";
  Statement st(db_, sql);
  st.bind_all(account, from, to);
  std::vector<LedgerEntry> out;
  while (st.step()) out.push_back(read_entry(st));
  return out;
}

std::vector<std::string> PgCarbonStore::accounts() {
  Statement st(db_,
               "SELECT account FROM carbon_ledger GROUP BY account ORDER BY account COLLATE \"C\"");
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.text(0));
  return out;
}

std::optional<std::string> PgCarbonStore::linked_account(const std::string& id_tag) {
  // Id tokens are case-insensitive: the unique index is on lower(id_tag).
  Statement st(db_, "SELECT account FROM carbon_account_links WHERE lower(id_tag) = lower($1)");
  st.bind_all(id_tag);
  if (!st.step()) return std::nullopt;
  return st.text(0);
}

void PgCarbonStore::link_account(const std::string& id_tag, const std::string& account) {
  Statement st(db_,
               "INSERT INTO carbon_account_links (id_tag, account) VALUES ($1, $2) "
               "ON CONFLICT ((lower(id_tag))) DO UPDATE SET id_tag = excluded.id_tag, "
               "account = excluded.account");
  st.bind_all(id_tag, account);
  st.run();
}

std::int64_t PgCarbonStore::add_certificates(const GreenCertificateBatch& b) {
  Statement used(db_,
                 "SELECT b.site_id, b.month FROM green_certificate_ids i JOIN "
                 "green_certificate_batches b ON b.id = i.batch_id WHERE i.certificate_id = $1");
  for (const auto& id : b.certificate_ids) {
    used.bind_all(id);
    if (used.step())
      throw std::invalid_argument("green certificate " + id + " was already used (site " +
                                  used.text(0) + ", " + used.text(1) + ")");
    used.reset();
  }
  Statement st(db_,
               "INSERT INTO green_certificate_batches (site_id, month, kwh, recorded_at) "
               "VALUES ($1, $2, $3, $4) RETURNING id");
  st.bind_all(b.site_id, b.month, b.kwh, b.recorded_at);
  st.step();
  const std::int64_t batch = st.int64(0);
  Statement add(db_,
                "INSERT INTO green_certificate_ids (certificate_id, batch_id) VALUES ($1, $2)");
  for (const auto& id : b.certificate_ids) {
    add.bind_all(id, batch);
    add.run();  // a repeated id within the batch fails on the primary key
    add.reset();
  }
  return batch;
}

std::vector<GreenCertificateBatch> PgCarbonStore::certificates(const std::string& site_id,
                                                               const std::string& month) {
  Statement st(db_,
               "SELECT id, site_id, month, kwh, recorded_at FROM green_certificate_batches "
               "WHERE site_id = $1 AND ($2::text = '' OR month = $2) ORDER BY id");
  st.bind_all(site_id, month);
  std::vector<GreenCertificateBatch> out;
  while (st.step()) {
    GreenCertificateBatch b;
    b.id = st.int64(0);
    b.site_id = st.text(1);
    b.month = st.text(2);
    b.kwh = st.real(3);
    b.recorded_at = st.time(4);
    out.push_back(std::move(b));
  }
  Statement ids(db_,
                "SELECT certificate_id FROM green_certificate_ids WHERE batch_id = $1 "
                "ORDER BY certificate_id COLLATE \"C\"");
  for (auto& b : out) {
    ids.bind_all(b.id);
    while (ids.step()) b.certificate_ids.push_back(ids.text(0));
    ids.reset();
  }
  return out;
}

}  // namespace storage::pg
