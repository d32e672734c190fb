#include "services/availability.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

namespace csms {

using storage::ConnectorStatus;
using storage::DateTime;

std::optional<double> AvailabilityFigures::share() const {
  const double total = available_s + unavailable_s;
  if (total <= 0) return std::nullopt;
  return available_s / total;
}

bool month_range(const std::string& month, DateTime& from, DateTime& to) {
  if (month.size() != 7 || month[4] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6})
    if (month[i] < '0' || month[i] > '9') return false;
  const int year = std::stoi(month.substr(0, 4));
  const int mon = std::stoi(month.substr(5, 2));
  if (year < 1970 || mon < 1 || mon > 12) return false;
  char a[32];
  char b[32];
  std::snprintf(a, sizeof a, "%04d-%02d-01T00:00:00Z", year, mon);
  std::snprintf(b, sizeof b, "%04d-%02d-01T00:00:00Z", mon == 12 ? year + 1 : year,
                mon == 12 ? 1 : mon + 1);
  auto f = DateTime::parse(a);
  auto t = DateTime::parse(b);
  if (!f || !t) return false;
  from = *f;
  to = *t;
  return true;
}

namespace {

// 2.0.1 connectors are numbered within their EVSE: the EVSE names the place.
int place(int evse_id, int connector_id) {
  return evse_id != 0 ? evse_id : connector_id;
}

// One moment something changed for a station.
struct Change {
  std::int64_t at = 0;
  int order = 0;  // within one instant: links, operator, statuses
  const storage::StationLink* link = nullptr;
  const storage::OperatorAvailability* op = nullptr;
  const storage::StatusChange* status = nullptr;
};

bool applies(const storage::OperatorAvailability& op, int where) {
  if (op.evse_id == 0 && op.connector_id == 0) return true;
  return place(op.evse_id, op.connector_id) == where;
}

}  // namespace

std::vector<StationAvailability> compute_availability(const storage::AvailabilityHistory& history,
                                                      const DateTime& from, const DateTime& to) {
  const std::int64_t start = from.unix_micros();
  const std::int64_t end = to.unix_micros();
  std::map<std::string, std::vector<Change>> by_station;
  std::map<std::string, std::set<int>> places;
  for (const auto& l : history.links)
    by_station[l.station_id].push_back({l.at.unix_micros(), 0, &l});
  for (const auto& o : history.operator_changes)
    by_station[o.station_id].push_back({o.at.unix_micros(), 1, nullptr, &o});
  for (const auto& s : history.statuses) {
    by_station[s.station_id].push_back({s.at.unix_micros(), 2, nullptr, nullptr, &s});
    const int where = place(s.evse_id, s.connector_id);
    if (where != 0) places[s.station_id].insert(where);
  }
  std::vector<StationAvailability> out;
  for (auto& [station, changes] : by_station) {
    if (places[station].empty()) continue;  // no connector ever reported
    std::stable_sort(changes.begin(), changes.end(), [](const Change& a, const Change& b) {
      return a.at != b.at ? a.at < b.at : a.order < b.order;
    });
    StationAvailability sa;
    sa.station_id = station;
    for (int where : places[station]) {
      ConnectorAvailability ca;
      ca.station_id = station;
      ca.connector_id = where;
      // The state; before a link record the station counts as connected (older
      // history has none).
      bool online = true;
      bool operator_inoperative = false;
      std::optional<ConnectorStatus> status;
      std::optional<ConnectorStatus> station_status;  // 1.6 connector 0
      std::int64_t t = start;
      auto account = [&](std::int64_t until) {
        const std::int64_t a = std::max(t, start);
        const std::int64_t b = std::min(until, end);
        if (b <= a) return;
        const double seconds = static_cast<double>(b - a) / 1e6;
        auto& f = ca.figures;
        if (!status) {
          f.unknown_s += seconds;
        } else if (!online) {
          f.unavailable_s += seconds;
        } else if ((*status == ConnectorStatus::Unavailable ||
                    station_status == ConnectorStatus::Unavailable) &&
                   operator_inoperative) {
          f.excluded_s += seconds;
        } else if (*status == ConnectorStatus::Faulted || *status == ConnectorStatus::Unavailable ||
                   *status == ConnectorStatus::Unknown ||
                   station_status == ConnectorStatus::Faulted ||
                   station_status == ConnectorStatus::Unavailable) {
          f.unavailable_s += seconds;
        } else {
          f.available_s += seconds;
        }
      };
      for (const auto& c : changes) {
        account(c.at);
        t = std::max(t, c.at);
        if (c.link) {
          online = c.link->online;
        } else if (c.op) {
          if (applies(*c.op, where)) operator_inoperative = !c.op->operative;
        } else if (c.status) {
          const int w = place(c.status->evse_id, c.status->connector_id);
          if (w == where) status = c.status->status;
          if (w == 0) station_status = c.status->status;
        }
      }
      account(end);
      sa.figures.available_s += ca.figures.available_s;
      sa.figures.unavailable_s += ca.figures.unavailable_s;
      sa.figures.excluded_s += ca.figures.excluded_s;
      sa.figures.unknown_s += ca.figures.unknown_s;
      sa.connectors.push_back(ca);
    }
    out.push_back(std::move(sa));
  }
  return out;
}

}  // namespace csms
