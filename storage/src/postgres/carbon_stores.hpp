#pragma once
// PostgreSQL implementations of the site and carbon stores (migration 0002).

#include "postgres/statement.hpp"
#include "storage/carbon.hpp"

namespace storage::pg {

/// Sites and the stations' carbon settings on PostgreSQL.
class PgSiteStore final : public SiteStore {
 public:
  explicit PgSiteStore(PgConnection& db) : db_(db) {}
  std::optional<Site> get(const std::string& id) override;
  std::vector<Site> list() override;
  void put(const Site& site) override;
  bool remove(const std::string& id) override;
  StationCarbonSettings station(const std::string& station_id) override;
  void put_station(const StationCarbonSettings& settings) override;
  std::vector<StationCarbonSettings> stations_of(const std::string& site_id) override;

 private:
  PgConnection& db_;
};

/// The carbon parameter registry, records, ledger, account links and green
/// certificates on PostgreSQL; records, parameters and entries only appended.
class PgCarbonStore final : public CarbonStore {
 public:
  explicit PgCarbonStore(PgConnection& db) : db_(db) {}
  std::int64_t add_parameter(const CarbonParameter& p) override;
  std::vector<CarbonParameter> parameters(const std::string& kind,
                                          const std::optional<std::string>& region) override;
  std::optional<CarbonParameter> parameter_at(const std::string& kind, const std::string& variant,
                                              const std::string& region,
                                              const DateTime& at) override;
  std::int64_t add_record(const CarbonRecord& r) override;
  std::optional<CarbonRecord> record(std::int64_t id) override;
  std::optional<CarbonRecord> current_record(std::int64_t transaction_id) override;
  std::vector<CarbonRecord> records_of(std::int64_t transaction_id) override;
  std::vector<CarbonRecord> records(const CarbonRecordFilter& filter) override;
  std::int64_t append_entry(const LedgerEntry& e) override;
  std::optional<LedgerEntry> last_entry() override;
  std::vector<LedgerEntry> entries(const std::string& account, const std::optional<DateTime>& from,
                                   const std::optional<DateTime>& to) override;
  std::vector<std::string> accounts() override;
  std::optional<std::string> linked_account(const std::string& id_tag) override;
  void link_account(const std::string& id_tag, const std::string& account) override;
  std::int64_t add_certificates(const GreenCertificateBatch& batch) override;
  std::vector<GreenCertificateBatch> certificates(const std::string& site_id,
                                                  const std::string& month) override;

 private:
  PgConnection& db_;
};

}  // namespace storage::pg
