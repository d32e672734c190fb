#include "server/context.hpp"

#include "csms/log.hpp"

namespace csms {

void ServerContext::log_frame(const std::string& station_id, storage::Direction direction,
                              std::string_view frame) {
  storage::LoggedFrame row;
  row.station_id = station_id;
  row.timestamp = storage::DateTime::now();
  row.direction = direction;
  row.frame = std::string(frame);
  db.write([row = std::move(row)](storage::Session& s) { s.messages.append(row); }, nullptr);
}

void ServerContext::security_event(const std::string& station_id, const std::string& type,
                                   const std::string& tech_info, const std::string& remote_address,
                                   bool critical) {
  log::warn("security event {} station={} from={}: {}", type, station_id.empty() ? "-" : station_id,
            remote_address, tech_info);
  storage::SecurityEvent ev;
  ev.station_id = station_id;
  ev.timestamp = storage::DateTime::now();
  ev.type = type;
  ev.tech_info = tech_info;
  ev.remote_address = remote_address;
  ev.critical = critical;
  db.write([ev = std::move(ev)](storage::Session& s) { s.events.append(ev); }, nullptr);
}

void ServerContext::station_security_event(storage::SecurityEvent ev, storage::Done done) {
  const auto level = ev.critical ? log::Level::Warn : log::Level::Info;
  if (log::level() <= level)
    log::write(level, fmt::format("security event {}{} reported by {}: {}", ev.type,
                                  ev.critical ? " (critical)" : "", ev.station_id, ev.tech_info));
  db.write([ev = std::move(ev)](storage::Session& s) { s.events.append(ev); }, std::move(done));
}

}  // namespace csms
