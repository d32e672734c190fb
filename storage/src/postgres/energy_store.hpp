#pragma once
// PostgreSQL implementation of the site energy store (migration 0002).

#include "postgres/statement.hpp"
#include "storage/energy.hpp"

namespace storage::pg {

/// Site energy settings, circuits, readings, intervals and decisions on PostgreSQL.
class PgEnergyStore final : public EnergyStore {
 public:
  explicit PgEnergyStore(PgConnection& db) : db_(db) {}
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
  PgConnection& db_;
};

}  // namespace storage::pg
