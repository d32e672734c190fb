// Faults under the real csms: kill -9 under load from several stations, the
// database locked by another process, the database at its size cap. The rule
// in every case: a station gets a CALLRESULT only for data that is in the
// database; otherwise InternalError, and the station's retry is accepted once
// the condition clears, without duplicates.
#include <sqlite3.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <set>
#include <thread>

#include "ocpp/common/datetime.hpp"
#include "support/harness.hpp"

using namespace e2e;

namespace {

using Clock = std::chrono::steady_clock;

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

// Stations' clocks start here; every message gets its own second, so each is
// told apart in the database by its timestamp.
constexpr std::int64_t kBaseMicros = 1'790'000'000'000'000;

std::string stamp(std::int64_t micros) {
  return ocpp::DateTime::from_unix_micros(micros).to_string();
}

WsClient::Options offering(const std::string& subprotocol) {
  WsClient::Options o;
  o.subprotocols = {subprotocol};
  return o;
}

/// Sends a CALL and waits for the reply with its id, answering any CALL the
/// server sends meanwhile. nullopt when the connection dies or times out. No
/// test macros: runs on station threads.
std::optional<rapidjson::Document> call(WsClient& ws, const std::string& frame,
                                        std::chrono::milliseconds timeout = 3s) {
  rapidjson::Document sent;
  sent.Parse(frame.c_str());
  const std::string id = sent.HasParseError() ? "" : str(sent[1]);
  ws.send(frame);
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    auto text =
        ws.receive(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
    if (!text) return std::nullopt;
    rapidjson::Document doc;
    doc.Parse(text->c_str());
    if (doc.HasParseError() || !doc.IsArray() || doc.Size() < 3) continue;
    if (doc[0].GetInt() == 2) {
      ws.send(R"([3,")" + str(doc[1]) + R"(",{}])");
      continue;
    }
    if (str(doc[1]) == id) return doc;
  }
  return std::nullopt;
}

bool is_result(const std::optional<rapidjson::Document>& reply) {
  return reply && (*reply)[0].GetInt() == 3;
}

std::string error_code_of(const std::optional<rapidjson::Document>& reply) {
  return reply && (*reply)[0].GetInt() == 4 ? str((*reply)[2]) : "";
}

std::string boot_frame(bool v201) {
  return v201
             ? R"([2,"boot","BootNotification",{"reason":"PowerUp","chargingStation":{"vendorName":"V","model":"M"}}])"
             : R"([2,"boot","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}])";
}

/// One message a station sends, with what the database must show once it is
/// acknowledged.
struct Msg {
  std::string station;
  std::string action;
  std::string frame;
  std::int64_t time_us = 0;
  std::int64_t meter_wh = 0;
  std::int64_t tx_id = 0;  ///< 1.6: the transaction named, or (Start) the one answered.
  std::string station_tx;  ///< 2.0.1 transactionId.
  int seq_no = -1;
};

// ---- frames -------------------------------------------------------------------

std::string energy_16(const Msg& m) {
  return R"([{"timestamp":")" + stamp(m.time_us) + R"(","sampledValue":[{"value":")" +
         std::to_string(m.meter_wh) +
         R"(","measurand":"Energy.Active.Import.Register","unit":"Wh"}]}])";
}

// `readings` meter values, a microsecond and a Wh apart; the first is m's.
std::string energy_201(const Msg& m, int readings) {
  std::string out;
  for (int k = 0; k < readings; ++k) {
    out += std::string(out.empty() ? "[" : ",") + R"({"timestamp":")" + stamp(m.time_us + k) +
           R"(","sampledValue":[{"value":)" + std::to_string(m.meter_wh + k) +
           R"(,"measurand":"Energy.Active.Import.Register","unitOfMeasure":{"unit":"Wh"}}]})";
  }
  return out + "]";
}

void frame_start_16(Msg& m, const std::string& mid) {
  m.action = "StartTransaction";
  m.frame = R"([2,")" + mid +
            R"(","StartTransaction",{"connectorId":1,"idTag":"TAG","meterStart":)" +
            std::to_string(m.meter_wh) + R"(,"timestamp":")" + stamp(m.time_us) + R"("}])";
}

void frame_meter_16(Msg& m, const std::string& mid) {
  m.action = "MeterValues";
  m.frame = R"([2,")" + mid + R"(","MeterValues",{"connectorId":1,"transactionId":)" +
            std::to_string(m.tx_id) + R"(,"meterValue":)" + energy_16(m) + "}]";
}

void frame_stop_16(Msg& m, const std::string& mid) {
  m.action = "StopTransaction";
  m.frame = R"([2,")" + mid + R"(","StopTransaction",{"transactionId":)" + std::to_string(m.tx_id) +
            R"(,"meterStop":)" + std::to_string(m.meter_wh) + R"(,"timestamp":")" +
            stamp(m.time_us) + R"(","reason":"Local"}])";
}

void frame_event_201(Msg& m, const std::string& mid, const std::string& type, int readings = 1) {
  m.action = "TransactionEvent";
  const std::string trigger = type == "Started" ? "Authorized"
                              : type == "Ended" ? "StopAuthorized"
                                                : "MeterValuePeriodic";
  m.frame =
      R"([2,")" + mid + R"(","TransactionEvent",{"eventType":")" + type + R"(","timestamp":")" +
      stamp(m.time_us) + R"(","triggerReason":")" + trigger + R"(","seqNo":)" +
      std::to_string(m.seq_no) + R"(,"transactionInfo":{"transactionId":")" + m.station_tx +
      (type == "Ended" ? R"(","stoppedReason":"Local"})" : R"("})") +
      (type == "Started"
           ? R"(,"idToken":{"idToken":"TAG","type":"ISO14443"},"evse":{"id":1,"connectorId":1})"
           : "") +
      R"(,"meterValue":)" + energy_201(m, readings) + "}]";
}

// ---- the database, read directly ----------------------------------------------

/// A raw connection to the server's database file, as another process.
class RawDb {
 public:
  RawDb(const std::string& path, bool read_only) {
    const int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      std::string msg = sqlite3_errmsg(db_);
      sqlite3_close(db_);
      db_ = nullptr;
      FAIL("cannot open " << path << ": " << msg);
    }
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  /// The first column of the first row; every parameter is bound as text
  /// (SQLite compares it with the column's affinity).
  std::int64_t integer(const std::string& sql, const std::vector<std::string>& params = {}) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
      throw std::runtime_error("prepare failed: " + std::string(sqlite3_errmsg(db_)) + ": " + sql);
    for (std::size_t i = 0; i < params.size(); ++i)
      sqlite3_bind_text(stmt, static_cast<int>(i + 1), params[i].c_str(), -1, SQLITE_TRANSIENT);
    const int rc = sqlite3_step(stmt);
    const std::int64_t v = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
      throw std::runtime_error("step failed: " + std::string(sqlite3_errmsg(db_)) + ": " + sql);
    return v;
  }
  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err != nullptr ? err : "?";
      sqlite3_free(err);
      throw std::runtime_error("exec failed: " + msg + ": " + sql);
    }
  }

 private:
  sqlite3* db_ = nullptr;
};

/// What the database lacks of an acknowledged message; empty when it is all there.
std::string missing(RawDb& db, const Msg& m) {
  const std::string ts = std::to_string(m.time_us);
  const std::string wh = std::to_string(m.meter_wh);
  const std::string tx = std::to_string(m.tx_id);
  auto need = [&](const char* what, const std::string& sql, std::vector<std::string> params) {
    return db.integer(sql, params) == 1 ? std::string() : std::string(what) + "; ";
  };
  std::string out;
  if (m.action == "StartTransaction") {
    out += need("transaction",
                "SELECT COUNT(*) FROM transactions WHERE id = ?1 AND station_id = ?2 AND "
                "start_time = ?3 AND meter_start = ?4",
                {tx, m.station, ts, wh});
  } else if (m.action == "StopTransaction") {
    out += need("transaction stop",
                "SELECT COUNT(*) FROM transactions WHERE id = ?1 AND station_id = ?2 AND "
                "stop_time = ?3 AND meter_stop = ?4",
                {tx, m.station, ts, wh});
  } else if (m.action == "MeterValues") {
    out += need("meter sample",
                "SELECT COUNT(*) FROM meter_samples WHERE station_id = ?1 AND timestamp = ?2 AND "
                "CAST(value AS REAL) = CAST(?3 AS REAL) AND transaction_id = ?4",
                {m.station, ts, wh, tx});
  } else if (m.action == "TransactionEvent") {
    out += need("transaction event",
                "SELECT COUNT(*) FROM transaction_events e JOIN transactions t ON "
                "t.id = e.transaction_id WHERE t.station_id = ?1 AND t.station_tx_id = ?2 AND "
                "e.seq_no = ?3 AND e.timestamp = ?4",
                {m.station, m.station_tx, std::to_string(m.seq_no), ts});
    out += need("event meter sample",
                "SELECT COUNT(*) FROM meter_samples m JOIN transactions t ON "
                "t.id = m.transaction_id WHERE t.station_id = ?1 AND t.station_tx_id = ?2 AND "
                "m.timestamp = ?3 AND CAST(m.value AS REAL) = CAST(?4 AS REAL)",
                {m.station, m.station_tx, ts, wh});
  }
  return out;
}

/// Transactions recorded more than once: a 1.6 start (station, connector,
/// time, meterStart) or a 2.0.1 transactionId with two rows.
std::int64_t duplicate_transactions(RawDb& db) {
  return db.integer(
             "SELECT COUNT(*) FROM (SELECT 1 FROM transactions WHERE station_tx_id = '' "
             "GROUP BY station_id, connector_id, start_time, meter_start HAVING COUNT(*) > 1)") +
         db.integer(
             "SELECT COUNT(*) FROM (SELECT 1 FROM transactions WHERE station_tx_id <> '' "
             "GROUP BY station_id, station_tx_id HAVING COUNT(*) > 1)");
}

// ---- a station under load -------------------------------------------------------

/// A raw station that sends as fast as it gets answers, one CALL in flight, in
/// cycles of start, four meter readings, stop. Like a real charger, when the
/// connection dies it reconnects (without booting again) and resends the CALL
/// that was in flight. Runs on its own thread: no test macros inside.
class LoadStation {
 public:
  LoadStation(std::string id, bool v201) : id_(std::move(id)), v201_(v201) {}

  /// Until `finish` (with nothing in flight) or `abort`.
  void run(std::uint16_t port, const std::atomic<bool>& finish, const std::atomic<bool>& abort) {
    std::unique_ptr<WsClient> ws;
    std::optional<Msg> pending;
    const auto give_up = Clock::now() + 60s;
    while (Clock::now() < give_up && !abort) {
      if (!pending && finish) break;
      if (!ws || !ws->open()) {
        ws = std::make_unique<WsClient>(port, "/ocpp/" + id_,
                                        offering(v201_ ? "ocpp2.0.1" : "ocpp1.6"));
        if (!ws->open()) {
          std::this_thread::sleep_for(50ms);
          continue;
        }
        if (!booted_) {
          if (!is_result(call(*ws, boot_frame(v201_)))) {
            problem("boot not answered");
            return;
          }
          booted_ = true;
        }
        set_connected(true);
      }
      if (!pending) pending = next();
      auto reply = call(*ws, pending->frame);
      if (!reply) {  // The connection died with the CALL in flight: keep it.
        ws.reset();
        set_connected(false);
        continue;
      }
      if ((*reply)[0].GetInt() != 3) {
        problem(pending->action + " answered " + ocpp::to_compact_json(*reply));
        return;
      }
      acknowledged(*pending, *reply);
      pending.reset();
    }
    if (!finish) problem("did not finish in time");
  }

  const std::string& id() const { return id_; }
  std::vector<Msg> acked() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return acked_;
  }
  std::size_t acked_count() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return acked_.size();
  }
  bool connected() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return connected_;
  }
  std::string problems() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return problems_;
  }

 private:
  Msg next() {
    Msg m;
    m.station = id_;
    m.time_us = kBaseMicros + (++clock_s_) * 1'000'000;
    m.meter_wh = (meter_wh_ += 10);
    const std::string mid = id_ + "-" + std::to_string(++message_);
    const int step = step_;
    if (v201_) {
      m.station_tx = id_ + "-TX" + std::to_string(cycle_);
      m.seq_no = step;
      frame_event_201(m, mid, step == 0 ? "Started" : step == 5 ? "Ended" : "Updated");
    } else {
      m.tx_id = tx_id_;
      if (step == 0) frame_start_16(m, mid);
      if (step > 0 && step < 5) frame_meter_16(m, mid);
      if (step == 5) frame_stop_16(m, mid);
    }
    return m;
  }

  void acknowledged(Msg m, const rapidjson::Document& reply) {
    if (m.action == "StartTransaction") m.tx_id = tx_id_ = reply[2]["transactionId"].GetInt64();
    step_ = (step_ + 1) % 6;
    if (step_ == 0) ++cycle_;
    std::lock_guard<std::mutex> lock(mutex_);
    acked_.push_back(std::move(m));
  }
  void set_connected(bool c) {
    std::lock_guard<std::mutex> lock(mutex_);
    connected_ = c;
  }
  void problem(const std::string& what) {
    std::lock_guard<std::mutex> lock(mutex_);
    problems_ += id_ + ": " + what + "\n";
  }

  const std::string id_;
  const bool v201_;
  bool booted_ = false;
  int step_ = 0;  ///< 0 start, 1-4 meter readings, 5 stop.
  int cycle_ = 0;
  std::int64_t clock_s_ = 0;
  std::int64_t meter_wh_ = 1000;
  std::int64_t message_ = 0;
  std::int64_t tx_id_ = 0;
  mutable std::mutex mutex_;
  std::vector<Msg> acked_;
  bool connected_ = false;
  std::string problems_;
};

/// A booted raw station driven from the test thread.
struct Station {
  Station(const Csms& csms, const std::string& id, bool v201)
      : ws(csms.ocpp_port(), "/ocpp/" + id, offering(v201 ? "ocpp2.0.1" : "ocpp1.6")) {
    REQUIRE(ws.open());
    REQUIRE(is_result(call(ws, boot_frame(v201))));
  }
  std::optional<rapidjson::Document> send(const std::string& frame) {
    INFO(frame);
    auto reply = call(ws, frame, 10s);
    REQUIRE(reply);
    return reply;
  }
  WsClient ws;
};

}  // namespace

TEST_CASE("kill -9 under load loses no acknowledged message and the retries make no duplicates",
          "[e2e][faults][durability]") {
  TempDir dir;
  // The samples carry fixed 2026 timestamps: no rollup may replace the raw
  // rows this test reads back.
  Csms csms(dir, {"--meter-raw-days", "0"});
  REQUIRE(csms.ctl({"idtag", "add", "TAG"}).code == 0);
  std::vector<std::unique_ptr<LoadStation>> stations;
  for (const auto& [id, v201] : std::vector<std::pair<std::string, bool>>{
           {"L16A", false}, {"L16B", false}, {"L201A", true}, {"L201B", true}}) {
    REQUIRE(csms.ctl({"station", "add", id}).code == 0);
    stations.push_back(std::make_unique<LoadStation>(id, v201));
  }
  // Probes: their CALL is committed but its answer never read before the kill,
  // so the retry after the restart must find it instead of adding a second one.
  REQUIRE(csms.ctl({"station", "add", "P16"}).code == 0);
  REQUIRE(csms.ctl({"station", "add", "P201"}).code == 0);
  Msg probe16;
  probe16.station = "P16";
  probe16.time_us = kBaseMicros;
  probe16.meter_wh = 500;
  frame_start_16(probe16, "p16-start");
  Msg probe201;
  probe201.station = "P201";
  probe201.time_us = kBaseMicros;
  probe201.meter_wh = 700;
  probe201.station_tx = "P201-TX";
  probe201.seq_no = 0;
  frame_event_201(probe201, "p201-start", "Started");

  std::atomic<bool> finish{false};
  std::atomic<bool> abort{false};
  std::vector<std::thread> threads;
  for (auto& st : stations)
    threads.emplace_back(
        [&st, &finish, &abort, port = csms.ocpp_port()] { st->run(port, finish, abort); });
  // A failed REQUIRE leaves through here: stop the stations rather than wait.
  struct Joiner {
    std::atomic<bool>& abort;
    std::vector<std::thread>& threads;
    ~Joiner() {
      abort = true;
      for (auto& t : threads)
        if (t.joinable()) t.join();
    }
  } joiner{abort, threads};

  auto all_acked_at_least = [&](std::size_t n) {
    for (auto& st : stations)
      if (st->acked_count() < n) return false;
    return true;
  };
  REQUIRE(eventually([&] { return all_acked_at_least(8); }, 20s));

  {
    Station p16(csms, "P16", false);
    Station p201(csms, "P201", true);
    p16.ws.send(probe16.frame);
    p201.ws.send(probe201.frame);
    RawDb db(csms.db_path(), true);
    REQUIRE(eventually(
        [&] {
          return db.integer(
                     "SELECT COUNT(*) FROM transactions WHERE station_id IN "
                     "('P16', 'P201')") == 2;
        },
        5s));
    probe16.tx_id = db.integer("SELECT id FROM transactions WHERE station_id = 'P16'");
    csms.kill9();  // Mid-stream: the load stations are still sending.
  }

  REQUIRE(eventually(
      [&] {
        for (auto& st : stations)
          if (st->connected()) return false;
        return true;
      },
      10s));
  std::vector<std::size_t> before_restart;
  {
    RawDb db(csms.db_path(), true);
    std::size_t checked = 0;
    for (auto& st : stations) {
      for (const auto& m : st->acked()) {
        INFO(m.station << " " << m.action << " " << m.frame);
        CHECK(missing(db, m).empty());
        ++checked;
      }
      before_restart.push_back(st->acked_count());
    }
    CHECK(checked >= 4 * 8);
    CHECK(duplicate_transactions(db) == 0);
  }

  csms.restart();
  {
    Station p16(csms, "P16", false);
    auto again = p16.send(probe16.frame);
    REQUIRE(is_result(again));
    CHECK((*again)[2]["transactionId"].GetInt64() == probe16.tx_id);
    Station p201(csms, "P201", true);
    CHECK(is_result(p201.send(probe201.frame)));
  }
  // The stations reconnect by themselves, resend what was in flight and go on.
  REQUIRE(eventually(
      [&] {
        for (std::size_t i = 0; i < stations.size(); ++i)
          if (stations[i]->acked_count() < before_restart[i] + 8) return false;
        return true;
      },
      20s));
  finish = true;
  for (auto& t : threads) t.join();

  RawDb db(csms.db_path(), true);
  for (auto& st : stations) {
    INFO(st->problems());
    CHECK(st->problems().empty());
    std::set<std::string> transactions;
    for (const auto& m : st->acked()) {
      INFO(m.station << " " << m.action << " " << m.frame);
      CHECK(missing(db, m).empty());
      transactions.insert(m.station_tx.empty() ? std::to_string(m.tx_id) : m.station_tx);
    }
    // Every transaction the station started is there once, and nothing else.
    CHECK(db.integer("SELECT COUNT(*) FROM transactions WHERE station_id = ?1", {st->id()}) ==
          static_cast<std::int64_t>(transactions.size()));
  }
  CHECK(duplicate_transactions(db) == 0);
  CHECK(missing(db, probe16).empty());
  CHECK(missing(db, probe201).empty());
  CHECK(db.integer("SELECT COUNT(*) FROM transaction_events e JOIN transactions t ON "
                   "t.id = e.transaction_id WHERE t.station_id = 'P201'") == 1);
}

TEST_CASE("a database locked by another process gets InternalError and recovers after",
          "[e2e][faults]") {
  TempDir dir;
  Csms csms(dir, {"--db-busy-timeout", "200"});
  REQUIRE(csms.ctl({"idtag", "add", "TAG"}).code == 0);
  REQUIRE(csms.ctl({"station", "add", "K16"}).code == 0);
  REQUIRE(csms.ctl({"station", "add", "K201"}).code == 0);
  Station s16(csms, "K16", false);
  Station s201(csms, "K201", true);

  Msg start;
  start.station = "K16";
  start.time_us = kBaseMicros;
  start.meter_wh = 100;
  frame_start_16(start, "start");
  auto started = s16.send(start.frame);
  REQUIRE(is_result(started));
  start.tx_id = (*started)[2]["transactionId"].GetInt64();

  Msg meter = start;
  meter.time_us += 1'000'000;
  meter.meter_wh = 200;
  frame_meter_16(meter, "meter");
  Msg second = start;
  second.time_us += 2'000'000;
  second.meter_wh = 300;
  frame_start_16(second, "start2");
  Msg event;
  event.station = "K201";
  event.time_us = kBaseMicros;
  event.meter_wh = 400;
  event.station_tx = "K201-TX";
  event.seq_no = 0;
  frame_event_201(event, "event", "Started");

  {
    RawDb locker(csms.db_path(), false);
    locker.exec("BEGIN IMMEDIATE");  // Held far beyond the server's 200 ms.
    for (const Msg* m : {&meter, &second, &event}) {
      INFO(m->frame);
      auto reply = (m->station == "K16" ? s16 : s201).send(m->frame);
      CHECK(error_code_of(reply) == "InternalError");
    }
    // Heartbeat stores nothing the station sent: still answered.
    CHECK(is_result(s16.send(R"([2,"hb","Heartbeat",{}])")));
    CHECK(is_result(s201.send(R"([2,"hb","Heartbeat",{}])")));
    // Reads go on beside the lock: the admin API answers.
    CHECK(csms.ctl_json({"station", "list"}).Size() == 2);
    CHECK(csms.process().running());
    for (const Msg* m : {&meter, &second, &event}) {
      INFO(m->frame);
      CHECK_FALSE(missing(locker, *m).empty());
    }
    locker.exec("ROLLBACK");
  }

  // The stations retry the same messages: accepted and stored now.
  CHECK(is_result(s16.send(meter.frame)));
  auto retried = s16.send(second.frame);
  REQUIRE(is_result(retried));
  second.tx_id = (*retried)[2]["transactionId"].GetInt64();
  CHECK(is_result(s201.send(event.frame)));
  RawDb db(csms.db_path(), true);
  for (const Msg* m : {&start, &meter, &second, &event}) {
    INFO(m->frame);
    CHECK(missing(db, *m).empty());
  }
  CHECK(duplicate_transactions(db) == 0);
}

TEST_CASE(
    "a database at its size cap gets InternalError, the server stays up, and freed space is used",
    "[e2e][faults]") {
  TempDir dir;
  std::int64_t migrated = 0;
  {
    Csms setup(dir);
    REQUIRE(setup.ctl({"idtag", "add", "TAG"}).code == 0);
    REQUIRE(setup.ctl({"station", "add", "F16"}).code == 0);
    REQUIRE(setup.ctl({"station", "add", "F201"}).code == 0);
    REQUIRE(setup.ctl({"station", "add", "OTHER"}).code == 0);
    REQUIRE(setup.stop() == 0);
    RawDb db(setup.db_path(), true);
    migrated = db.integer("PRAGMA page_count") * db.integer("PRAGMA page_size");
  }
  const std::int64_t cap = migrated + 192 * 1024;
  Csms csms(dir, {"--db-max-bytes", std::to_string(cap)});
  Station s16(csms, "F16", false);
  Station s201(csms, "F201", true);

  Msg start;
  start.station = "F16";
  start.time_us = kBaseMicros;
  start.meter_wh = 100;
  frame_start_16(start, "start");
  auto started = s16.send(start.frame);
  REQUIRE(is_result(started));
  start.tx_id = (*started)[2]["transactionId"].GetInt64();

  // MeterValues until the cap: each one's samples (and frames in the message
  // log) take space. Every acknowledged one is stored; the refused one is not.
  std::vector<Msg> acked;
  std::optional<Msg> refused;
  for (int i = 1; i <= 400 && !refused; ++i) {
    Msg m = start;
    m.time_us = kBaseMicros + i * 1'000'000;
    m.meter_wh = 100 + i;
    std::string values;  // Bulk: many readings in one message.
    for (int k = 0; k < 40; ++k) {
      values += std::string(values.empty() ? "" : ",") + R"({"timestamp":")" +
                stamp(m.time_us + k) + R"(","sampledValue":[{"value":")" +
                std::to_string(m.meter_wh * 1000 + k) +
                R"(","measurand":"Energy.Active.Import.Register","unit":"Wh"}]})";
    }
    m.action = "MeterValues";
    m.frame = R"([2,"mv)" + std::to_string(i) +
              R"(","MeterValues",{"connectorId":1,"transactionId":)" + std::to_string(m.tx_id) +
              R"(,"meterValue":[)" + values + "]}]";
    m.meter_wh = m.meter_wh * 1000;  // The first reading, at m.time_us.
    auto reply = s16.send(m.frame);
    if (is_result(reply)) {
      acked.push_back(m);
    } else {
      CHECK(error_code_of(reply) == "InternalError");
      refused = m;
    }
  }
  REQUIRE(refused);
  CHECK(acked.size() > 0);

  // 2.0.1 TransactionEvents at the cap: InternalError too, never a CALLRESULT
  // for one that is not stored.
  std::vector<Msg> events;
  std::optional<Msg> refused_event;
  for (int i = 0; i < 50 && !refused_event; ++i) {
    Msg m;
    m.station = "F201";
    m.time_us = kBaseMicros + i * 1'000'000;
    m.meter_wh = 1000 * i;
    m.station_tx = "F201-TX";
    m.seq_no = i;
    frame_event_201(m, "ev" + std::to_string(i), i == 0 ? "Started" : "Updated", 40);
    auto reply = s201.send(m.frame);
    if (is_result(reply)) {
      events.push_back(m);
    } else {
      CHECK(error_code_of(reply) == "InternalError");
      refused_event = m;
    }
  }
  REQUIRE(refused_event);

  // The server stays up: heartbeats, another station's connection, the admin API.
  CHECK(is_result(s16.send(R"([2,"hb","Heartbeat",{}])")));
  {
    Station other(csms, "OTHER", false);
    CHECK(is_result(other.send(R"([2,"hb","Heartbeat",{}])")));
  }
  CHECK(csms.ctl_json({"station", "list"}).Size() == 3);
  CHECK(csms.process().running());
  {
    RawDb db(csms.db_path(), true);
    for (const auto& m : acked) {
      INFO(m.frame.substr(0, 120));
      CHECK(missing(db, m).empty());
    }
    for (const auto& m : events) CHECK(missing(db, m).empty());
    CHECK_FALSE(missing(db, *refused).empty());
    CHECK_FALSE(missing(db, *refused_event).empty());
    CHECK(db.integer("PRAGMA page_count") * db.integer("PRAGMA page_size") <= cap);
  }

  // The operator frees space (here: the message log); the retries are accepted
  // without a restart.
  {
    RawDb db(csms.db_path(), false);
    db.exec("DELETE FROM message_log");
  }
  CHECK(is_result(s16.send(refused->frame)));
  CHECK(is_result(s201.send(refused_event->frame)));
  RawDb db(csms.db_path(), true);
  CHECK(missing(db, *refused).empty());
  CHECK(missing(db, *refused_event).empty());
  CHECK(duplicate_transactions(db) == 0);
}
