#pragma once
// The site and carbon stores, written once for SQLite and PostgreSQL.
// Included by one .cpp per backend, which instantiates it.

#include <sstream>
#include <stdexcept>

#include "common/stores.hpp"

namespace storage::common {

namespace {

// ---- sites ------------------------------------------------------------------

const std::string kSiteColumns =
    "id, name, address, region, timezone, latitude, longitude, created_at";

template <class Statement>
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

template <class Statement>
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

template <class Statement>
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

template <class Statement>
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

template <class Statement>
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

template <class D>
std::optional<Site> SiteStoreT<D>::get(const std::string& id) {
  static const std::string sql = "SELECT " + kSiteColumns + " FROM sites WHERE id = ?";
  Statement st(db_, sql);
  st.bind_all(id);
  if (!st.step()) return std::nullopt;
  return read_site(st);
}

template <class D>
std::vector<Site> SiteStoreT<D>::list() {
  static const std::string sql =
      "SELECT " + kSiteColumns + " FROM sites ORDER BY id" + D::kCollateC;
  Statement st(db_, sql);
  std::vector<Site> out;
  while (st.step()) out.push_back(read_site(st));
  return out;
}

template <class D>
void SiteStoreT<D>::put(const Site& s) {
  static const std::string sql = D::replace_into(
      "sites", "id, name, address, region, timezone, latitude, longitude, created_at", "id");
  Statement st(db_, sql);
  st.bind_all(s.id, s.name, s.address, s.region, s.timezone, s.latitude, s.longitude, s.created_at);
  st.run();
}

template <class D>
bool SiteStoreT<D>::remove(const std::string& id) {
  Statement st(db_, "DELETE FROM sites WHERE id = ?");
  st.bind_all(id);
  st.run();
  const bool removed = st.changes() > 0;
  Statement detach(db_, "UPDATE station_carbon SET site_id = '' WHERE site_id = ?");
  detach.bind_all(id);
  detach.run();
  return removed;
}

template <class D>
StationCarbonSettings SiteStoreT<D>::station(const std::string& station_id) {
  static const std::string sql =
      "SELECT " + kStationCarbonColumns + " FROM station_carbon WHERE station_id = ?";
  Statement st(db_, sql);
  st.bind_all(station_id);
  if (st.step()) return read_station_carbon(st);
  StationCarbonSettings s;  // none stored: the defaults
  s.station_id = station_id;
  return s;
}

template <class D>
void SiteStoreT<D>::put_station(const StationCarbonSettings& s) {
  static const std::string sql = D::replace_into(
      "station_carbon", "station_id, site_id, current_type, meter_public_key", "station_id");
  Statement st(db_, sql);
  st.bind_all(s.station_id, s.site_id, s.current_type, s.meter_public_key);
  st.run();
}

template <class D>
std::vector<StationCarbonSettings> SiteStoreT<D>::stations_of(const std::string& site_id) {
  static const std::string sql = "SELECT " + kStationCarbonColumns +
                                 " FROM station_carbon WHERE site_id = ? ORDER BY station_id" +
                                 D::kCollateC;
  Statement st(db_, sql);
  st.bind_all(site_id);
  std::vector<StationCarbonSettings> out;
  while (st.step()) out.push_back(read_station_carbon(st));
  return out;
}

// ---- CarbonStore ----------------------------------------------------------------

template <class D>
std::int64_t CarbonStoreT<D>::add_parameter(const CarbonParameter& p) {
  static const std::string sql =
      std::string(
          "INSERT INTO carbon_parameters (kind, variant, value, unit, region, vintage, "
          "valid_from, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)") +
      D::kReturningId;
  Statement st(db_, sql);
  st.bind_all(p.kind, p.variant, p.value, p.unit, p.region, p.vintage, p.valid_from, p.source,
              p.created_at);
  return D::inserted_id(st);
}

template <class D>
std::vector<CarbonParameter> CarbonStoreT<D>::parameters(const std::string& kind,
                                                         const std::optional<std::string>& region) {
  static const std::string sql = "SELECT " + kParameterColumns +
                                 " FROM carbon_parameters WHERE (? = '' OR kind = ?) AND "
                                 "(CAST(? AS TEXT) IS NULL OR region = ?) ORDER BY kind" +
                                 D::kCollateC + ", variant" + D::kCollateC + ", region" +
                                 D::kCollateC + ", valid_from, id";
  Statement st(db_, sql);
  st.bind_all(kind, kind, region, region);
  std::vector<CarbonParameter> out;
  while (st.step()) out.push_back(read_parameter(st));
  return out;
}

template <class D>
std::optional<CarbonParameter> CarbonStoreT<D>::parameter_at(const std::string& kind,
                                                             const std::string& variant,
                                                             const std::string& region,
                                                             const DateTime& at) {
  // A regional value in force wins over a national one; among several in
  // force, the newest valid_from (then the newest row).
  static const std::string sql = "SELECT " + kParameterColumns +
                                 " FROM carbon_parameters WHERE kind = ? AND variant = ? AND "
                                 "(region = ? OR region = '') AND valid_from <= ? "
                                 "ORDER BY region = '' , valid_from DESC, id DESC LIMIT 1";
  Statement st(db_, sql);
  st.bind_all(kind, variant, region, at);
  if (!st.step()) return std::nullopt;
  return read_parameter(st);
}

template <class D>
std::int64_t CarbonStoreT<D>::add_record(const CarbonRecord& r) {
  static const std::string sql =
      std::string(
          "INSERT INTO carbon_records (transaction_id, station_id, site_id, region, "
          "id_tag, account, session_start, session_end, computed_at, method_version, "
          "energy_delivered_wh, provenance, current_type, energy_consumed_wh, "
          "baseline_kg, project_kg, reduction_kg, green_share, project_market_kg, "
          "reduction_market_kg, certificate_kwh, excluded, flags, supersedes, pv_kwh) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
          "?, ?)") +
      D::kReturningId;
  Statement st(db_, sql);
  st.bind_all(r.transaction_id, r.station_id, r.site_id, r.region, r.id_tag, r.account,
              r.session_start, r.session_end, r.computed_at, r.method_version,
              r.energy_delivered_wh, r.provenance, r.current_type, r.energy_consumed_wh,
              r.baseline_kg, r.project_kg, r.reduction_kg, r.green_share, r.project_market_kg,
              r.reduction_market_kg, r.certificate_kwh, r.excluded, join_flags(r.flags),
              r.supersedes, r.pv_kwh);
  const std::int64_t id = D::inserted_id(st);
  Statement param(db_,
                  "INSERT INTO carbon_record_parameters (record_id, position, parameter_id, kind, "
                  "variant, value, unit, region, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  int position = 0;
  for (const auto& p : r.parameters) {
    param.bind_all(id, position++, p.id, p.kind, p.variant, p.value, p.unit, p.region, p.source);
    param.run();
    param.reset();
  }
  return id;
}

namespace {

template <class Database, class Statement>
std::vector<CarbonRecord> read_records(Database& db, Statement& st) {
  std::vector<CarbonRecord> out;
  while (st.step()) out.push_back(read_record_row(st));
  Statement param(db,
                  "SELECT parameter_id, kind, variant, value, unit, region, source FROM "
                  "carbon_record_parameters WHERE record_id = ? ORDER BY position");
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

template <class D>
std::optional<CarbonRecord> CarbonStoreT<D>::record(std::int64_t id) {
  static const std::string sql =
      "SELECT " + kRecordColumns + "FROM carbon_records r WHERE r.id = ?";
  Statement st(db_, sql);
  st.bind_all(id);
  auto rows = read_records(db_, st);
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

template <class D>
std::optional<CarbonRecord> CarbonStoreT<D>::current_record(std::int64_t transaction_id) {
  static const std::string sql =
      "SELECT " + kRecordColumns +
      "FROM carbon_records r WHERE r.transaction_id = ? AND NOT EXISTS "
      "(SELECT 1 FROM carbon_records n WHERE n.supersedes = r.id) ORDER BY r.id DESC LIMIT 1";
  Statement st(db_, sql);
  st.bind_all(transaction_id);
  auto rows = read_records(db_, st);
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

template <class D>
std::vector<CarbonRecord> CarbonStoreT<D>::records_of(std::int64_t transaction_id) {
  static const std::string sql =
      "SELECT " + kRecordColumns + "FROM carbon_records r WHERE r.transaction_id = ? ORDER BY r.id";
  Statement st(db_, sql);
  st.bind_all(transaction_id);
  return read_records(db_, st);
}

template <class D>
std::vector<CarbonRecord> CarbonStoreT<D>::records(const CarbonRecordFilter& f) {
  static const std::string sql =
      "SELECT " + kRecordColumns +
      "FROM carbon_records r WHERE (CAST(? AS TEXT) IS NULL OR r.site_id = ?) AND "
      "(CAST(? AS TEXT) IS NULL OR r.account = ?) AND "
      "(CAST(? AS BIGINT) IS NULL OR r.session_end >= ?) AND "
      "(CAST(? AS BIGINT) IS NULL OR r.session_end < ?) AND (? = " +
      D::kFalse +
      " OR NOT EXISTS (SELECT 1 FROM carbon_records n WHERE n.supersedes = r.id)) "
      "ORDER BY r.session_end, r.id";
  Statement st(db_, sql);
  st.bind_all(f.site_id, f.site_id, f.account, f.account, f.from, f.from, f.to, f.to,
              f.current_only);
  return read_records(db_, st);
}

template <class D>
std::int64_t CarbonStoreT<D>::append_entry(const LedgerEntry& e) {
  Statement st(db_,
               "INSERT INTO carbon_ledger (seq, account, type, grams, points, ref, reason, time, "
               "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  st.bind_all(e.seq, e.account, e.type, e.grams, e.points, e.ref, e.reason, e.time, e.prev_hash,
              e.hash);
  st.run();
  return e.seq;
}

template <class D>
std::optional<LedgerEntry> CarbonStoreT<D>::last_entry() {
  static const std::string sql =
      "SELECT " + kEntryColumns + " FROM carbon_ledger ORDER BY seq DESC LIMIT 1";
  Statement st(db_, sql);
  if (!st.step()) return std::nullopt;
  return read_entry(st);
}

template <class D>
std::vector<LedgerEntry> CarbonStoreT<D>::entries(const std::string& account,
                                                  const std::optional<DateTime>& from,
                                                  const std::optional<DateTime>& to) {
  static const std::string sql = "SELECT " + kEntryColumns +
                                 " FROM carbon_ledger WHERE (? = '' OR account = ?) AND "
                                 "(CAST(? AS BIGINT) IS NULL OR time >= ?) AND "
                                 "(CAST(? AS BIGINT) IS NULL OR time < ?) "
                                 "ORDER BY seq";
  Statement st(db_, sql);
  st.bind_all(account, account, from, from, to, to);
  std::vector<LedgerEntry> out;
  while (st.step()) out.push_back(read_entry(st));
  return out;
}

template <class D>
std::vector<std::string> CarbonStoreT<D>::accounts() {
  static const std::string sql =
      std::string("SELECT account FROM carbon_ledger GROUP BY account ORDER BY account") +
      D::kCollateC;
  Statement st(db_, sql);
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.text(0));
  return out;
}

template <class D>
std::optional<std::string> CarbonStoreT<D>::linked_account(const std::string& id_tag) {
  static const std::string sql =
      std::string("SELECT account FROM carbon_account_links WHERE ") + D::kIdTagEquals;
  Statement st(db_, sql);
  st.bind_all(id_tag);
  if (!st.step()) return std::nullopt;
  return st.text(0);
}

template <class D>
void CarbonStoreT<D>::link_account(const std::string& id_tag, const std::string& account) {
  static const std::string sql =
      D::replace_into("carbon_account_links", "id_tag, account", D::kIdTagKey);
  Statement st(db_, sql);
  st.bind_all(id_tag, account);
  st.run();
}

template <class D>
std::int64_t CarbonStoreT<D>::add_certificates(const GreenCertificateBatch& b) {
  Statement used(db_,
                 "SELECT b.site_id, b.month FROM green_certificate_ids i JOIN "
                 "green_certificate_batches b ON b.id = i.batch_id WHERE i.certificate_id = ?");
  for (const auto& id : b.certificate_ids) {
    used.bind_all(id);
    if (used.step())
      throw std::invalid_argument("green certificate " + id + " was already used (site " +
                                  used.text(0) + ", " + used.text(1) + ")");
    used.reset();
  }
  static const std::string sql =
      std::string(
          "INSERT INTO green_certificate_batches (site_id, month, kwh, recorded_at) "
          "VALUES (?, ?, ?, ?)") +
      D::kReturningId;
  Statement st(db_, sql);
  st.bind_all(b.site_id, b.month, b.kwh, b.recorded_at);
  const std::int64_t batch = D::inserted_id(st);
  Statement add(db_, "INSERT INTO green_certificate_ids (certificate_id, batch_id) VALUES (?, ?)");
  for (const auto& id : b.certificate_ids) {
    add.bind_all(id, batch);
    add.run();  // a repeated id within the batch fails on the primary key
    add.reset();
  }
  return batch;
}

template <class D>
std::vector<GreenCertificateBatch> CarbonStoreT<D>::certificates(const std::string& site_id,
                                                                 const std::string& month) {
  Statement st(db_,
               "SELECT id, site_id, month, kwh, recorded_at FROM green_certificate_batches "
               "WHERE site_id = ? AND (? = '' OR month = ?) ORDER BY id");
  st.bind_all(site_id, month, month);
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
  static const std::string ids_sql =
      std::string(
          "SELECT certificate_id FROM green_certificate_ids WHERE batch_id = ? "
          "ORDER BY certificate_id") +
      D::kCollateC;
  Statement ids(db_, ids_sql);
  for (auto& b : out) {
    ids.bind_all(b.id);
    while (ids.step()) b.certificate_ids.push_back(ids.text(0));
    ids.reset();
  }
  return out;
}

}  // namespace storage::common
