#pragma once
// The carbon method for one charging session (docs/carbon.md): Verra VM0038
// v1.0's structure (eq. 1 baseline, eq. 4 project, eq. 10 reduction) with the
// market-based variant. Pure arithmetic, no storage: unit-tested against the
// worked example.

#include <cstdint>
#include <optional>

namespace csms::carbon {

/// Names the method in every record, so a later change of formula is visible.
constexpr const char* kMethodVersion = "csms-carbon/1 (VM0038 v1.0 eq. 1, 4, 10; market-based)";

/// The parameter values a session's figures come from.
struct MethodParameters {
  double fuel_l_per_100km = 0;    ///< FC: the displaced combustion car.
  double ev_kwh_per_100km = 0;    ///< EVC: the electric car.
  double fuel_kg_per_l = 0;       ///< EF_fuel.
  double charger_efficiency = 1;  ///< eta (AC 1.0, DC 0.923 by default).
  double grid_kg_per_kwh = 0;     ///< EF_grid of the site's region.
  double points_rate_g = 1;       ///< Grams of CO2 per point.
};

/// What is known of the session.
struct MethodInputs {
  double energy_delivered_wh = 0;  ///< E_del, never negative.
  /// Green-certificate kWh allocated to this session's consumption; nullopt:
  /// the site has no green data, so there are no market-based figures.
  std::optional<double> green_kwh;
};

/// The figures, kg of CO2 unless said otherwise.
struct MethodResult {
  double energy_consumed_wh = 0;              ///< E_cons = E_del / eta.
  double baseline_kg = 0;                     ///< BE = E_del x (FC / EVC) x EF_fuel.
  double project_kg = 0;                      ///< PE_LB = E_cons x EF_grid.
  double reduction_kg = 0;                    ///< ER_LB = max(0, BE - PE_LB).
  std::optional<double> green_share;          ///< Green kWh / E_cons, capped at 1.
  std::optional<double> project_market_kg;    ///< PE_MB = E_cons x (1 - g) x EF_grid.
  std::optional<double> reduction_market_kg;  ///< ER_MB = max(0, BE - PE_MB).
  std::int64_t reduction_grams = 0;           ///< floor(ER_LB in g).
  std::int64_t points = 0;                    ///< floor(ER_LB in g / points rate).
};

/// Applies the method. Throws std::invalid_argument for a parameter that would
/// make it meaningless (a non-positive efficiency, EV consumption or points rate).
MethodResult apply_method(const MethodInputs& in, const MethodParameters& p);

}  // namespace csms::carbon
