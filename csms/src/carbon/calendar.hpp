#pragma once
// UTC calendar arithmetic the carbon feature needs: months of reports and
// statements, expiry after N months, caps per day; and a site's local time
// (its IANA time zone from the system's tz database) for the energy
// controller's tariff windows.

#include <cstdint>
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

/// Whether `timezone` is "UTC" or a zone of the system's tz database
/// (/usr/share/zoneinfo), e.g. "Asia/Shanghai".
bool known_timezone(const std::string& timezone);
/// The offset of local time from UTC in `timezone` at `t`, in seconds (DST
/// included); 0 for "UTC" and for an unknown zone.
std::int64_t utc_offset_s(const std::string& timezone, const ocpp::DateTime& t);

}  // namespace csms::carbon
