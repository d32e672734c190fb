#pragma once
// The store implementations shared by the SQLite and PostgreSQL backends, as
// templates over a Dialect (sqlite::Dialect, pg::Dialect): the connection and
// statement types and the few SQL differences. Member definitions live in
// common/*_impl.hpp, instantiated by each backend's .cpp.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/admin.hpp"
#include "storage/carbon.hpp"
#include "storage/certificates.hpp"
#include "storage/charging_profiles.hpp"
#include "storage/energy.hpp"
#include "storage/monitoring.hpp"
#include "storage/stores.hpp"

namespace storage::common {

/// Stations and their connectors.
template <class D>
class StationStoreT : public StationStore {
 public:
  explicit StationStoreT(typename D::Database& db) : db_(db) {}
  std::optional<Station> get(const std::string& id) override;
  std::vector<Station> list() override;
  void put(const Station& station) override;
  bool remove(const std::string& id) override;
  void mark_all_offline() override;
  void put_connector(const Connector& connector) override;
  std::vector<Connector> connectors(const std::string& station_id) override;

 private:
  using Statement = typename D::Statement;
  typename D::Database& db_;
};

/// Id tokens.
template <class D>
class TokenStoreT : public TokenStore {
 public:
  explicit TokenStoreT(typename D::Database& db) : db_(db) {}
  std::optional<IdToken> get(const std::string& id_tag) override;
  std::vector<IdToken> list() override;
  void put(const IdToken& token) override;
  bool remove(const std::string& id_tag) override;

 private:
  using Statement = typename D::Statement;
  typename D::Database& db_;
};

/// Transactions, their events and orphan stops.
template <class D>
class TransactionStoreT : public TransactionStore {
 public:
  explicit TransactionStoreT(typename D::Database& db) : db_(db) {}
  std::int64_t insert(const Transaction& tx) override;
  void update(const Transaction& tx) override;
  std::optional<Transaction> get(std::int64_t id) override;
  std::optional<Transaction> find_start(const std::string& station_id, int connector_id,
                                        const std::string& id_tag, const DateTime& start_time,
                                        std::int64_t meter_start) override;
  std::optional<Transaction> find_by_station_tx_id(const std::string& station_id,
                                                   const std::string& station_tx_id) override;
  std::vector<Transaction> list(const TransactionFilter& filter) override;
  std::int64_t count_active() override;
  void add_orphan_stop(const OrphanStop& stop) override;
  std::vector<OrphanStop> orphan_stops(const std::string& station_id) override;
  bool add_event(const TransactionEvent& event) override;
  std::vector<TransactionEvent> events(std::int64_t transaction_id) override;
  std::optional<std::int64_t> last_seq_no(std::int64_t transaction_id) override;

 private:
  using Statement = typename D::Statement;
  typename D::Database& db_;
};

/// Sites and the stations' carbon settings.
template <class D>
class SiteStoreT : public SiteStore {
 public:
  explicit SiteStoreT(typename D::Database& db) : db_(db) {}
  std::optional<Site> get(const std::string& id) override;
  std::vector<Site> list() override;
  void put(const Site& site) override;
  bool remove(const std::string& id) override;
  StationCarbonSettings station(const std::string& station_id) override;
  void put_station(const StationCarbonSettings& settings) override;
  std::vector<StationCarbonSettings> stations_of(const std::string& site_id) override;

 private:
  using Statement = typename D::Statement;
  typename D::Database& db_;
};

/// The carbon parameter registry, records, ledger, account links and green
/// certificates; records, parameters and entries only appended.
template <class D>
class CarbonStoreT : public CarbonStore {
 public:
  explicit CarbonStoreT(typename D::Database& db) : db_(db) {}
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
  using Statement = typename D::Statement;
  typename D::Database& db_;
};

/// Site energy settings, circuits, readings, intervals and decisions.
template <class D>
class EnergyStoreT : public EnergyStore {
 public:
  explicit EnergyStoreT(typename D::Database& db) : db_(db) {}
  std::optional<SiteEnergySettings> settings(const std::string& site_id) override;
  std::vector<SiteEnergySettings> all_settings() override;
  void put_settings(const SiteEnergySettings& s) override;
  std::vector<Circuit> circuits(const std::string& site_id) override;
  void put_circuit(const Circuit& c) override;
  bool remove_circuit(const std::string& site_id, const std::string& id) override;
  std::vector<EvseEnergySettings> evses(const std::string& station_id) override;
  void put_evse(const EvseEnergySettings& e) override;
  std::vector<LimitWindow> windows(const std::string& site_id) override;
  void put_windows(const std::string& site_id, const std::vector<LimitWindow>& w) override;
  std::vector<MeterSource> meter_sources(const std::string& site_id) override;
  void put_meter_source(const MeterSource& m) override;
  bool remove_meter_source(const std::string& site_id, const std::string& name) override;
  std::vector<SiteReading> readings(const std::string& site_id) override;
  void put_reading(const SiteReading& r) override;
  void add_interval(const SiteInterval& i) override;
  std::vector<SiteInterval> intervals(const std::string& site_id, const DateTime& from,
                                      const DateTime& to) override;
  std::int64_t append_decision(const EnergyDecision& d) override;
  std::vector<EnergyDecision> decisions(const std::string& site_id, std::size_t limit) override;
  std::size_t prune_decisions(const DateTime& before) override;

 private:
  using Statement = typename D::Statement;
  typename D::Database& db_;
};

/// 2.0.1 variable monitors per station.
template <class D>
class MonitorStoreT : public MonitorStore {
 public:
  explicit MonitorStoreT(typename D::Database& db) : db_(db) {}
  void put(const std::vector<VariableMonitor>& monitors) override;
  std::size_t remove(const std::string& station_id,
                     const std::vector<std::int64_t>& monitor_ids) override;
  std::size_t remove_from(const std::string& station_id, const std::string& source) override;
  bool event(const std::string& station_id, std::int64_t monitor_id, const DateTime& at,
             const std::string& actual_value, bool cleared) override;
  std::vector<VariableMonitor> list(const std::string& station_id) override;

 private:
  using Statement = typename D::Statement;
  typename D::Database& db_;
};

/// Admin API tokens and the audit log.
template <class D>
class AdminStoreT : public AdminStore {
 public:
  explicit AdminStoreT(typename D::Database& db) : db_(db) {}
  bool add_token(const ApiToken& token) override;
  std::vector<ApiToken> tokens() override;
  bool revoke_token(const std::string& name, const DateTime& at) override;
  std::int64_t append_audit(const AuditEntry& entry) override;
  std::vector<AuditEntry> audit(std::size_t limit, const std::optional<DateTime>& since) override;

 private:
  using Statement = typename D::Statement;
  typename D::Database& db_;
};

/// Issued station certificates, revocations and deliveries.
template <class D>
class CertificateStoreT : public CertificateStore {
 public:
  explicit CertificateStoreT(typename D::Database& db) : db_(db) {}
  void add_issued(const IssuedCertificate& certificate) override;
  void add_delivery(const std::string& serial, const DateTime& at,
                    const std::string& status) override;
  bool revoke(const std::string& serial, const DateTime& at, const std::string& reason) override;
  std::optional<IssuedCertificate> find(const std::string& serial) override;
  std::vector<IssuedCertificate> for_station(const std::string& station_id) override;
  std::vector<IssuedCertificate> all() override;
  std::vector<std::string> revoked_serials() override;
  std::vector<std::string> keys_of_others(const std::string& station_id) override;

 private:
  std::vector<IssuedCertificate> select(const std::string& where, const std::string& arg);
  using Statement = typename D::Statement;
  typename D::Database& db_;
};

/// Charging profiles per station.
template <class D>
class ChargingProfileStoreT : public ChargingProfileStore {
 public:
  explicit ChargingProfileStoreT(typename D::Database& db) : db_(db) {}
  bool put(const ChargingProfile& profile) override;
  std::size_t remove(const std::string& station_id, const ProfileFilter& filter) override;
  std::vector<ChargingProfile> profiles(const std::string& station_id) override;

 private:
  using Statement = typename D::Statement;
  typename D::Database& db_;
};

/// Security events, appended.
template <class D>
class EventStoreT : public EventStore {
 public:
  explicit EventStoreT(typename D::Database& db) : db_(db) {}
  std::int64_t append(const SecurityEvent& event) override;
  std::vector<SecurityEvent> recent(const std::string& station_id, std::size_t limit,
                                    bool critical_only) override;

 private:
  using Statement = typename D::Statement;
  typename D::Database& db_;
};

/// Station notifications, appended.
template <class D>
class NotificationStoreT : public NotificationStore {
 public:
  explicit NotificationStoreT(typename D::Database& db) : db_(db) {}
  std::int64_t append(const StationNotification& notification) override;
  std::vector<StationNotification> recent(const std::string& station_id, const std::string& action,
                                          std::size_t limit) override;

 private:
  using Statement = typename D::Statement;
  typename D::Database& db_;
};

}  // namespace storage::common
