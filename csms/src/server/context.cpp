#include "server/context.hpp"

#include <chrono>
#include <memory>

#include "csms/log.hpp"

namespace csms {

namespace {

// The message log is written in batches, at most this often: its index by
// station puts each station's rows on their own page, so a batch per network
// loop turn rewrote a page per station on every commit and halved the durable
// throughput. It is a log, not station data: a crash loses at most this window.
constexpr auto kFrameFlushInterval = std::chrono::milliseconds(500);
constexpr std::size_t kMaxFrameBatch = 10000;

}  // namespace

void ServerContext::log_frame(const std::string& station_id, storage::Direction direction,
                              std::string_view frame) {
  storage::LoggedFrame row;
  row.station_id = station_id;
  row.timestamp = now();
  row.direction = direction;
  row.frame = std::string(frame);
  frame_batch.push_back(std::move(row));
  if (frame_batch.size() == 1) {
    frame_flush_timer = executor.post_after(kFrameFlushInterval, [this] { flush_frames(); });
  } else if (frame_batch.size() >= kMaxFrameBatch) {
    flush_frames();
  }
}

void ServerContext::flush_frames() {
  if (frame_batch.empty()) return;
  db.write([rows = std::move(frame_batch)](storage::Session& s) { s.messages.append_all(rows); },
           nullptr);
  frame_batch.clear();  // moved from: make it a valid empty vector again
}

void ServerContext::security_event(const std::string& station_id, const std::string& type,
                                   const std::string& tech_info, const std::string& remote_address,
                                   bool critical) {
  log::warn("security event {} station={} from={}: {}", type, station_id.empty() ? "-" : station_id,
            remote_address, tech_info);
  storage::SecurityEvent ev;
  ev.station_id = station_id;
  ev.timestamp = now();
  ev.type = type;
  ev.tech_info = tech_info;
  ev.remote_address = remote_address;
  ev.critical = critical;
  db.write([ev = std::move(ev)](storage::Session& s) { s.events.append(ev); }, nullptr);
}

void ServerContext::station_security_event(storage::SecurityEvent ev, storage::Done done) {
  const auto level = ev.critical ? log::Level::Warn : log::Level::Info;
  if (log::level() <= level)
    log::write(level,
               fmt::format("security event {}{} reported by {}: {}", ev.type,
                           ev.critical ? " (critical)" : "", ev.station_id, ev.tech_info),
               "context", ev.station_id);
  db.write([ev = std::move(ev)](storage::Session& s) { s.events.append(ev); }, std::move(done));
}

}  // namespace csms
