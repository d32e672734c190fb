#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "sqlite/statement.hpp"
#include "sqlite/stores.hpp"

namespace storage::sqlite {

void SqliteMessageLogStore::append(const LoggedFrame& f) {
  Statement st(db_,
               "INSERT INTO message_log (station_id, timestamp, direction, frame) "
               "VALUES (?, ?, ?, ?)");
  st.bind_all(f.station_id, f.timestamp, to_string(f.direction), f.frame);
  st.run();
}

void SqliteMessageLogStore::append_all(const std::vector<LoggedFrame>& frames) {
  // A batch of frames in multi-row INSERTs (one statement run per 32 rows):
  // the message log is the writer thread's largest single cost per message.
  constexpr std::size_t kRows = 32;
  static const std::vector<std::string> sql = [] {
    std::vector<std::string> v;
    for (std::size_t n = 0; n <= kRows; ++n) {
      std::string text =
          "INSERT INTO message_log (station_id, timestamp, direction, frame) VALUES ";
      for (std::size_t i = 0; i < n; ++i) text += i == 0 ? "(?, ?, ?, ?)" : ", (?, ?, ?, ?)";
      v.push_back(std::move(text));
    }
    return v;
  }();
  for (std::size_t first = 0; first < frames.size(); first += kRows) {
    const std::size_t n = std::min(kRows, frames.size() - first);
    Statement st(db_, sql[n]);
    int index = 0;
    for (std::size_t i = first; i < first + n; ++i) {
      const auto& f = frames[i];
      st.bind(++index, f.station_id);
      st.bind(++index, f.timestamp);
      st.bind(++index, to_string(f.direction));
      st.bind(++index, f.frame);
    }
    st.run();
  }
}

std::vector<LoggedFrame> SqliteMessageLogStore::recent(const std::string& station_id,
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

std::size_t SqliteMessageLogStore::prune(const DateTime& before) {
  Statement st(db_, "DELETE FROM message_log WHERE timestamp < ?");
  st.bind_all(before);
  st.run();
  return static_cast<std::size_t>(st.changes());
}

}  // namespace storage::sqlite
