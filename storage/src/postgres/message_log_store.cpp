#include <stdexcept>

#include "postgres/statement.hpp"
#include "postgres/stores.hpp"

namespace storage::pg {

void PgMessageLogStore::append(const LoggedFrame& f) {
  Statement st(db_,
               "INSERT INTO message_log (station_id, timestamp, direction, frame) "
               "VALUES (?, ?, ?, ?)");
  st.bind_all(f.station_id, f.timestamp, to_string(f.direction), f.frame);
  st.run();
}

std::vector<LoggedFrame> PgMessageLogStore::recent(const std::string& station_id,
                                                   std::size_t limit) {
  // By id, i.e. the order frames were logged in, which timestamps (from two
  // directions, possibly equal) cannot settle.
  Statement st(db_,
               "SELECT id, station_id, timestamp, direction, frame FROM message_log "
               "WHERE station_id = ? ORDER BY id DESC LIMIT ?");
  st.bind_all(station_id, limit_param(limit));
  std::vector<LoggedFrame> out;
  while (st.step()) {
    LoggedFrame f;
    f.id = st.int64(0);
    f.station_id = st.text(1);
    f.timestamp = st.time(2);
    std::string direction = st.text(3);
    if (direction == to_string(Direction::In)) {
      f.direction = Direction::In;
    } else if (direction == to_string(Direction::Out)) {
      f.direction = Direction::Out;
    } else {
      throw std::runtime_error("message log: unknown direction '" + direction +
                               "' in the database");
    }
    f.frame = st.text(4);
    out.push_back(std::move(f));
  }
  return out;
}

std::size_t PgMessageLogStore::prune(const DateTime& before) {
  Statement st(db_, "DELETE FROM message_log WHERE timestamp < ?");
  st.bind_all(before);
  st.run();
  return static_cast<std::size_t>(st.changes());
}

}  // namespace storage::pg
