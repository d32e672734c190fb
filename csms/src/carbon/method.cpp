#include "carbon/method.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace csms::carbon {

MethodResult apply_method(const MethodInputs& in, const MethodParameters& p) {
  if (!(p.charger_efficiency > 0 && p.charger_efficiency <= 1))
    throw std::invalid_argument("charger efficiency must be in (0, 1]");
  if (!(p.ev_kwh_per_100km > 0)) throw std::invalid_argument("EV consumption must be positive");
  if (!(p.points_rate_g > 0)) throw std::invalid_argument("points rate must be positive");
  MethodResult r;
  const double delivered_kwh = std::max(0.0, in.energy_delivered_wh) / 1000.0;
  const double consumed_kwh = delivered_kwh / p.charger_efficiency;
  r.energy_consumed_wh = consumed_kwh * 1000.0;
  r.baseline_kg = delivered_kwh * (p.fuel_l_per_100km / p.ev_kwh_per_100km) * p.fuel_kg_per_l;
  r.project_kg = consumed_kwh * p.grid_kg_per_kwh;
  r.reduction_kg = std::max(0.0, r.baseline_kg - r.project_kg);
  if (in.green_kwh) {
    const double share =
        consumed_kwh > 0 ? std::min(1.0, std::max(0.0, *in.green_kwh) / consumed_kwh) : 0.0;
    r.green_share = share;
    r.project_market_kg = consumed_kwh * (1.0 - share) * p.grid_kg_per_kwh;
    r.reduction_market_kg = std::max(0.0, r.baseline_kg - *r.project_market_kg);
  }
  // A tiny epsilon so 5.164 kg computed as 5163.9999... g is still 5164 g.
  const double grams = r.reduction_kg * 1000.0;
  r.reduction_grams = static_cast<std::int64_t>(std::floor(grams + 1e-6));
  r.points = static_cast<std::int64_t>(std::floor(grams / p.points_rate_g + 1e-6));
  return r;
}

}  // namespace csms::carbon
