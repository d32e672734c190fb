#pragma once
// Site energy management's persistent state (docs/energy.md): limits and
// controller settings per site, the circuit tree, EVSE settings, limit
// windows, the newest reading per meter source, 15-minute interval energy and
// the controller's decision log.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/model.hpp"

namespace storage {

/// A site's limits and controller settings.
struct SiteEnergySettings {
  std::string site_id;
  std::optional<double> import_limit_w;  ///< Grid connection; none: no site limit.
  double margin_w = 0;
  std::optional<double> max_base_w;  ///< Assumed base load when readings are stale.
  double battery_priority_soc = 0;
  double battery_max_discharge_w = 0;
  std::string default_mode = "fast";  ///< fast, smart or off.
  bool smart_keep_minimum = false;    ///< Smart EVSEs never fall below their minimum.
  int period_s = 15;
  int reading_max_age_s = 60;  ///< For pushed readings.
  double safe_current_a = 6;   ///< Each EVSE's fallback (its TxDefaultProfile).
  int lease_s = 900;           ///< A dynamic limit's life; then the safe limit applies.
  DateTime updated_at;
};

/// A node of the circuit tree ("" parent: under the grid connection).
struct Circuit {
  std::string site_id;
  std::string id;
  std::string parent;
  std::optional<double> max_current_a;
  std::optional<double> max_power_w;
};

/// How one EVSE (2.0.1 EVSE id, 1.6 connector id) is wired and charges.
struct EvseEnergySettings {
  std::string station_id;
  int evse_id = 1;
  std::string circuit;  ///< "" : the grid connection.
  int phases = 3;
  std::string rotation = "L1L2L3";  ///< Grid phases of the EVSE's L1, L2, L3.
  double min_current_a = 6;
  double max_current_a = 32;
  int priority = 0;
  std::string mode;  ///< "" : the site's default.
};

/// A daily window (UTC minutes) with a lower import limit.
struct LimitWindow {
  std::string site_id;
  int start_minute = 0;
  int end_minute = 0;
  double import_limit_w = 0;
};

/// A meter the CSMS polls over Modbus TCP (SunSpec).
struct MeterSource {
  std::string site_id;
  std::string name;
  std::string host;
  int port = 502;
  int unit_id = 1;
  std::string role;     ///< grid, pv, battery or circuit.
  std::string circuit;  ///< role circuit: the circuit it measures.
  int poll_interval_s = 5;
  int max_age_s = 30;
};

/// The newest reading of one source.
struct SiteReading {
  std::string site_id;
  std::string source = "push";
  DateTime time;
  std::optional<double> grid_w;
  std::optional<double> pv_w;
  std::optional<double> battery_w;
  std::optional<double> battery_soc;
  std::optional<double> base_w;
  std::string circuit;                 ///< Non-empty: a circuit meter's reading.
  std::optional<double> current_a[3];  ///< A circuit meter's per-phase currents (L1-L3).
  int max_age_s = 60;
};

/// Energy over one 15-minute interval (Wh).
struct SiteInterval {
  std::string site_id;
  DateTime start;
  double grid_import_wh = 0;
  double grid_export_wh = 0;
  double pv_wh = 0;
  double battery_in_wh = 0;
  double battery_out_wh = 0;
  double charging_wh = 0;
};

/// One controller decision with its inputs (JSON texts as logged).
struct EnergyDecision {
  std::int64_t id = 0;
  std::string site_id;
  DateTime time;
  double budget_w = 0;
  std::string binding;
  bool fail_safe = false;
  std::string readings_json;
  std::string evses_json;
};

/// The store of all of the above.
class EnergyStore {
 public:
  virtual ~EnergyStore() = default;
  virtual std::optional<SiteEnergySettings> settings(const std::string& site_id) = 0;
  virtual std::vector<SiteEnergySettings> all_settings() = 0;
  virtual void put_settings(const SiteEnergySettings& s) = 0;
  virtual std::vector<Circuit> circuits(const std::string& site_id) = 0;
  virtual void put_circuit(const Circuit& c) = 0;
  virtual bool remove_circuit(const std::string& site_id, const std::string& id) = 0;
  virtual std::vector<EvseEnergySettings> evses(const std::string& station_id) = 0;
  virtual void put_evse(const EvseEnergySettings& e) = 0;
  virtual std::vector<LimitWindow> windows(const std::string& site_id) = 0;
  /// Replaces the site's windows.
  virtual void put_windows(const std::string& site_id, const std::vector<LimitWindow>& w) = 0;
  /// Polled meters; empty site_id: of every site.
  virtual std::vector<MeterSource> meter_sources(const std::string& site_id) = 0;
  virtual void put_meter_source(const MeterSource& m) = 0;
  virtual bool remove_meter_source(const std::string& site_id, const std::string& name) = 0;
  virtual std::vector<SiteReading> readings(const std::string& site_id) = 0;
  /// Keeps the reading as its source's newest (an older one is ignored).
  virtual void put_reading(const SiteReading& r) = 0;
  /// Adds energy to the interval starting at `i.start`.
  virtual void add_interval(const SiteInterval& i) = 0;
  virtual std::vector<SiteInterval> intervals(const std::string& site_id, const DateTime& from,
                                              const DateTime& to) = 0;
  virtual std::int64_t append_decision(const EnergyDecision& d) = 0;
  /// Newest first.
  virtual std::vector<EnergyDecision> decisions(const std::string& site_id, std::size_t limit) = 0;
  /// Deletes decisions older than `before`; returns how many.
  virtual std::size_t prune_decisions(const DateTime& before) = 0;
};

}  // namespace storage
