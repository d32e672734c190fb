#pragma once
// UTC calendar arithmetic the carbon feature needs: months of reports and
// statements, expiry after N months, caps per day.

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "ocpp/common/datetime.hpp"

namespace csms::carbon {

/// "YYYY-MM" of a time (UTC).
std::string month_of(const ocpp::DateTime& t);
/// "YYYY-MM-DD" of a time (UTC).
std::string day_of(const ocpp::DateTime& t);
/// [first instant, first instant of the next month) of "YYYY-MM"; nullopt when
/// the text is not such a month.
std::optional<std::pair<ocpp::DateTime, ocpp::DateTime>> month_range(std::string_view month);
/// The same day and time `months` later (the last day of a shorter month).
ocpp::DateTime add_months(const ocpp::DateTime& t, int months);

}  // namespace csms::carbon
