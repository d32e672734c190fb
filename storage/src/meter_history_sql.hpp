#pragma once
// SQL of the meter-sample readers, shared by both backends: a transaction's
// samples come from meter_history (raw rows and the first/last points of the
// 15-minute rollups that replaced older ones, migration 0017 / PG 0003).

#include <string>

namespace storage::detail {

inline const std::string kSelectHistory =
    "SELECT station_id, evse_id, connector_id, transaction_id, timestamp, value, measurand, "
    "phase, unit, context, location, format, id FROM ";

/// The earliest (`desc` false) or latest sample of a measurand without a
/// phase: one index lookup in the raw table and one in the rollups, the better
/// of the two (a view's UNION would sort the whole transaction instead).
inline std::string first_or_last_sql(bool desc) {
  const std::string order =
      desc ? " ORDER BY timestamp DESC, id DESC LIMIT 1" : " ORDER BY timestamp, id LIMIT 1";
  const std::string where = "WHERE transaction_id = ? AND measurand = ? AND phase = ''";
  return "SELECT * FROM (" + kSelectHistory + "meter_samples " + where + order +
         ") AS raw UNION ALL SELECT * FROM (" + kSelectHistory + "meter_rollup_points " + where +
         order + ") AS rolled" +
         (desc ? " ORDER BY 5 DESC, 13 DESC LIMIT 1" : " ORDER BY 5, 13 LIMIT 1");
}

}  // namespace storage::detail
