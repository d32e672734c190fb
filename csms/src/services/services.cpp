#include "services/services.hpp"

#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>

#include "csms/log.hpp"

namespace csms {

using storage::DateTime;
using storage::RegistrationStatus;
using storage::TokenStatus;

AuthInfo evaluate_token(const std::optional<storage::IdToken>& token, const DateTime& now) {
  AuthInfo info;
  if (!token) return info;  // unknown: Invalid
  info.known = true;
  info.status = token->status;
  info.expiry = token->expiry;
  info.parent_id_tag = token->parent_id_tag;
  if (info.status == TokenStatus::Accepted && token->expiry && *token->expiry < now)
    info.status = TokenStatus::Expired;
  return info;
}

// ---- StationService ---------------------------------------------------------

void StationService::boot(const std::string& station_id, const BootInfo& info,
                          std::function<void(BootDecision)> done) {
  BootDecision decision;
  decision.status = ctx_.registry.boot_status(station_id);
  decision.interval_s = decision.status == RegistrationStatus::Accepted
                            ? ctx_.config.heartbeat_interval_s
                            : ctx_.config.pending_retry_interval_s;
  if (decision.status == RegistrationStatus::Accepted) {
    if (auto pace = boot_pacer_.boot(station_id); !pace.accept) {
      // Load shedding only: the registry forgets the acceptance (so the session
      // treats the station as Pending) but its registration stays Accepted, and
      // nothing is written, which is the point under a storm.
      decision.status = RegistrationStatus::Pending;
      decision.interval_s = pace.retry_in_s;
      decision.paced = true;
      ctx_.registry.set_boot_result(station_id, decision.status);
      ctx_.metrics.boot_paced();
      log::debug("{}: boot answered Pending for load, retry in {} s", station_id,
                 decision.interval_s);
      done(decision);
      return;
    }
  }
  auto now = ctx_.now();
  update_station(
      station_id,
      [info, now, status = decision.status](storage::Station& st) {
        st.vendor = info.vendor;
        st.model = info.model;
        st.serial_number = info.serial_number;
        st.firmware_version = info.firmware_version;
        st.ocpp_version = info.ocpp_version;
        st.boot_reason = info.reason;
        st.last_seen = now;
        // last_boot marks an accepted boot: a reconnect after a restart of the
        // CSMS needs no new BootNotification.
        if (status == RegistrationStatus::Accepted) st.last_boot = now;
      },
      // Answered once stored: the acceptance (last_boot) is what lets the
      // station reconnect later without booting again.
      ctx_.on_io([this, station_id, decision, serial = info.serial_number,
                  done = std::move(done)](std::exception_ptr e) mutable {
        if (e) {
          decision.error = e;
        } else {
          ctx_.registry.set_boot_result(station_id, decision.status);
          // Profile 3 with security.station_cert_cn = serial checks it.
          ctx_.registry.set_serial_number(station_id, serial);
        }
        const bool accepted = !e && decision.status == RegistrationStatus::Accepted;
        done(decision);
        if (accepted) alerts_.boot(station_id);
      }));
}

void StationService::seen(const std::string& station_id) {
  auto now = ctx_.now();
  update_station(
      station_id, [now](storage::Station& st) { st.last_seen = now; }, nullptr);
  alerts_.station_activity(station_id);
}

void StationService::connector_status(const storage::Connector& connector,
                                      std::function<void(std::exception_ptr)> done) {
  // The history keeps every status with the time it arrived (the station's
  // clock may be wrong): availability reports are computed from it.
  storage::StatusChange change{
      connector.station_id, connector.evse_id,           connector.connector_id, connector.status,
      connector.error_code, connector.vendor_error_code, connector.info,         ctx_.now()};
  ctx_.db.write(
      [connector, change](storage::Session& s) {
        s.stations.put_connector(connector);
        s.operations.add_status(change);
      },
      ctx_.on_io([this, connector, done = std::move(done)](std::exception_ptr e) {
        if (!e)
          ctx_.publish("connector", {{"station", connector.station_id},
                                     {"evseId", std::int64_t{connector.evse_id}},
                                     {"connectorId", std::int64_t{connector.connector_id}},
                                     {"status", storage::to_string(connector.status)},
                                     {"errorCode", connector.error_code}});
        if (done) done(e);
        if (!e) alerts_.connector_status(connector);
      }));
}

void StationService::connected(const std::string& station_id, const std::string& ocpp_version) {
  auto now = ctx_.now();
  update_station(
      station_id,
      [ocpp_version, now](storage::Station& st) {
        st.connected = true;
        st.ocpp_version = ocpp_version;
        st.last_seen = now;
      },
      nullptr);
  ctx_.publish("station", {{"id", station_id}, {"connected", true}});
  ctx_.db.write(
      [station_id, now](storage::Session& s) {
        s.operations.add_link({station_id, true, now});
      },
      nullptr);
  alerts_.station_online(station_id);
}

void StationService::disconnected(const std::string& station_id) {
  auto now = ctx_.now();
  update_station(
      station_id,
      [now](storage::Station& st) {
        st.connected = false;
        st.last_seen = now;
      },
      nullptr);
  ctx_.publish("station", {{"id", station_id}, {"connected", false}});
  ctx_.db.write(
      [station_id, now](storage::Session& s) {
        s.operations.add_link({station_id, false, now});
      },
      nullptr);
  alerts_.station_offline(station_id);
}

void StationService::notification(const std::string& station_id, const std::string& action,
                                  std::string payload_json,
                                  std::function<void(std::exception_ptr)> done) {
  storage::StationNotification n;
  n.station_id = station_id;
  n.action = action;
  n.received_at = ctx_.now();
  n.payload = std::move(payload_json);
  ctx_.db.write([n = std::move(n)](storage::Session& s) { s.notifications.append(n); },
                ctx_.on_io(std::move(done)));
}

void StationService::update_station(const std::string& station_id,
                                    std::function<void(storage::Station&)> change,
                                    storage::Done done) {
  ctx_.db.write(
      [station_id, change = std::move(change)](storage::Session& s) {
        auto st = s.stations.get(station_id);
        if (!st) return;  // removed meanwhile
        change(*st);
        s.stations.put(*st);
      },
      std::move(done));
}

// ---- AuthService --------------------------------------------------------------

void AuthService::authorize(const std::string& id_tag, const std::string& station_id,
                            std::function<void(std::exception_ptr, AuthInfo)> done) {
  auto token = std::make_shared<std::optional<storage::IdToken>>();
  ctx_.db.read(
      [id_tag, token](storage::Session& s) { *token = s.tokens.get(id_tag); },
      ctx_.on_io([this, id_tag, station_id, token, done = std::move(done)](std::exception_ptr e) {
        const AuthInfo info = e ? AuthInfo{} : evaluate_token(*token, ctx_.now());
        done(e, info);
        if (!e && !station_id.empty())
          alerts_.authorization(station_id, id_tag, info.status == TokenStatus::Accepted);
      }));
}

// ---- TransactionService -------------------------------------------------------

double energy_between(std::int64_t start_wh, std::int64_t stop_wh, bool& anomaly) {
  if (stop_wh < start_wh) {
    anomaly = true;
    return 0;
  }
  return static_cast<double>(stop_wh - start_wh);
}

std::optional<double> energy_register_wh(const storage::MeterSample& sample) {
  if (sample.measurand != "Energy.Active.Import.Register") return std::nullopt;
  if (!sample.phase.empty()) return std::nullopt;  // per-phase readings are not the total
  const auto v = storage::sample_number(sample);
  if (!v) return std::nullopt;
  if (sample.unit == "kWh") return *v * 1000.0;
  if (sample.unit == "Wh" || sample.unit.empty()) return *v;
  return std::nullopt;
}

std::optional<RegisterReadings> register_readings(
    const std::vector<storage::MeterSample>& samples) {
  std::optional<RegisterReadings> readings;
  for (const auto& sample : samples) {
    auto wh = energy_register_wh(sample);
    if (!wh) continue;
    if (!readings) readings = RegisterReadings{*wh, *wh};
    readings->last = *wh;
  }
  return readings;
}

namespace {

// The first and last energy-register readings of a transaction: two index
// lookups (this runs on every TransactionEvent). Only when one of them cannot
// be read (e.g. an unknown unit) do all the samples decide.
std::optional<RegisterReadings> transaction_register(storage::Session& s,
                                                     std::int64_t transaction_id) {
  static const std::string kRegister = "Energy.Active.Import.Register";
  auto ends = s.meters.first_and_last(transaction_id, kRegister);
  for (const auto& sample : ends)
    if (!energy_register_wh(sample))
      return register_readings(s.meters.for_transaction(transaction_id, kRegister));
  return register_readings(ends);
}

// A station discards a TxProfile when its transaction ends (1.6 3.13.3, 2.0.1
// K01): so does the CSMS's record of the station's profiles.
void end_tx_profiles(storage::Session& s, const std::string& station_id,
                     const std::string& transaction_id) {
  storage::ProfileFilter f;
  f.purpose = "TxProfile";
  f.transaction_id = transaction_id;
  s.charging_profiles.remove(station_id, f);
}

// What one 2.0.1 event says about its transaction. Order-independent where the
// order can be wrong: the start is the earliest time seen, an end is never
// undone, the first id token is the one that started it, and the charging
// state comes from the newest event (`newest`: no higher seqNo is stored).
void apply_event(storage::Transaction& tx, const TxEventRequest& req,
                 const std::optional<AuthInfo>& auth, bool newest) {
  const storage::TransactionEvent& ev = req.event;
  if (req.evse_id && tx.evse_id == 0) tx.evse_id = *req.evse_id;
  if (req.connector_id && tx.connector_id == 0) tx.connector_id = *req.connector_id;
  if (ev.timestamp < tx.start_time) tx.start_time = ev.timestamp;
  if (ev.id_tag && tx.id_tag.empty() && ev.type != storage::TxEventType::Ended) {
    tx.id_tag = *ev.id_tag;
    tx.auth_rejected = auth && auth->status != storage::TokenStatus::Accepted;
  }
  if (ev.offline) tx.offline = true;
  if (req.remote_start_id) tx.remote_start_id = req.remote_start_id;
  if (req.reservation_id) tx.reservation_id = req.reservation_id;
  if (req.charging_state && newest) tx.charging_state = *req.charging_state;
  if (ev.type == storage::TxEventType::Ended && !tx.stop_time) {
    tx.stop_time = ev.timestamp;
    // The spec lets a station omit stoppedReason only when it is Local.
    tx.stop_reason = ev.stopped_reason.value_or("Local");
    if (ev.id_tag) tx.stop_id_tag = ev.id_tag;
  }
}

}  // namespace

void TransactionService::event(TxEventRequest request,
                               std::function<void(std::exception_ptr, TxEventResult)> done) {
  auto result = std::make_shared<TxEventResult>();
  auto now = ctx_.now();
  energy_.observe(request.samples);
  // One request shared by the write and its completion: copying it into each
  // was an eighth of a TransactionEvent's cost on the network thread.
  auto shared = std::make_shared<const TxEventRequest>(std::move(request));
  ctx_.db.write(
      [shared, result, now](storage::Session& s) {
        const TxEventRequest& req = *shared;
        if (req.event.id_tag) result->auth = evaluate_token(s.tokens.get(*req.event.id_tag), now);
        // Whichever event arrives first creates the transaction: a Started may
        // come after its Updated events when the station was offline.
        auto tx = s.transactions.find_by_station_tx_id(req.station_id, req.station_tx_id);
        if (!tx) {
          tx.emplace();
          tx->station_id = req.station_id;
          tx->station_tx_id = req.station_tx_id;
          tx->start_time = req.event.timestamp;
          tx->id = s.transactions.insert(*tx);
        }
        result->transaction_id = tx->id;
        storage::TransactionEvent event = req.event;
        event.transaction_id = tx->id;
        event.received_at = now;
        if (!s.transactions.add_event(event)) {
          result->duplicate = true;  // a retry: answered again, applied once
          return;
        }
        result->ended = tx->stop_time.has_value() || req.event.type == storage::TxEventType::Ended;
        const bool newest = s.transactions.last_seq_no(tx->id) == req.event.seq_no;
        apply_event(*tx, req, result->auth, newest);
        if (tx->stop_time) end_tx_profiles(s, req.station_id, req.station_tx_id);
        if (req.reservation_id)
          use_reservation(s, req.station_id, *req.reservation_id, tx->id, now);
        auto samples = req.samples;
        for (auto& sm : samples) {
          sm.transaction_id = tx->id;
          if (sm.evse_id == 0) sm.evse_id = tx->evse_id;
          if (sm.connector_id == 0) sm.connector_id = tx->connector_id;
        }
        s.meters.insert(samples);
        // 2.0.1 has no meterStart/meterStop: the register samples tell the energy.
        if (auto r = transaction_register(s, tx->id)) {
          const bool backwards = r->last < r->first;
          tx->energy_wh = backwards ? 0.0 : r->last - r->first;
          tx->meter_anomaly = tx->meter_anomaly || backwards;
          tx->meter_start = std::llround(r->first);
          if (tx->stop_time) tx->meter_stop = std::llround(r->last);
        }
        s.transactions.update(*tx);
      },
      ctx_.on_io([this, shared, result, done = std::move(done)](std::exception_ptr e) {
        const TxEventRequest& req = *shared;
        done(e, *result);
        // The id as the admin API names a 2.0.1 transaction: the station's.
        if (!e && !result->duplicate)
          ctx_.publish("transaction",
                       {{"station", req.station_id},
                        {"id", std::string_view(req.station_tx_id)},
                        {"event", req.event.type == storage::TxEventType::Started ? "started"
                                  : result->ended                                 ? "ended"
                                                                                  : "updated"}});
        // After the answer: an ended transaction's carbon record follows its data.
        if (!e && result->ended) carbon_.transaction_changed(result->transaction_id);
        if (e || result->duplicate) return;
        const int where = req.evse_id.value_or(req.connector_id.value_or(0));
        alerts_.transaction_started(req.station_id, where, result->transaction_id,
                                    req.event.timestamp);
        if (!req.samples.empty()) {
          auto readings = register_readings(req.samples);
          alerts_.transaction_meter(
              result->transaction_id,
              readings ? std::optional<double>(readings->last) : std::nullopt);
        }
        if (result->ended) alerts_.transaction_ended(result->transaction_id, "transaction ended");
      }));
}

void TransactionService::start(const StartRequest& req,
                               std::function<void(std::exception_ptr, StartResult)> done) {
  auto result = std::make_shared<StartResult>();
  auto now = ctx_.now();
  ctx_.db.write(
      [req, result, now](storage::Session& s) {
        result->auth = evaluate_token(s.tokens.get(req.id_tag), now);
        // A retried StartTransaction (the station never saw our answer) must get
        // the same transactionId, not a second transaction.
        if (auto existing = s.transactions.find_start(req.station_id, req.connector_id, req.id_tag,
                                                      req.timestamp, req.meter_start)) {
          result->transaction_id = existing->id;
          return;
        }
        storage::Transaction tx;
        tx.station_id = req.station_id;
        tx.connector_id = req.connector_id;
        tx.id_tag = req.id_tag;
        tx.reservation_id = req.reservation_id;
        tx.start_time = req.timestamp;
        tx.meter_start = req.meter_start;
        // 1.6 cannot refuse a StartTransaction: a rejected tag is recorded and flagged.
        tx.auth_rejected = result->auth.status != storage::TokenStatus::Accepted;
        result->transaction_id = s.transactions.insert(tx);
        if (req.reservation_id)
          use_reservation(s, req.station_id, *req.reservation_id, result->transaction_id, now);
      },
      ctx_.on_io([this, req, result, done = std::move(done)](std::exception_ptr e) {
        done(e, *result);
        if (e) return;
        ctx_.publish(
            "transaction",
            {{"station", req.station_id}, {"id", result->transaction_id}, {"event", "started"}});
        alerts_.transaction_started(req.station_id, req.connector_id, result->transaction_id,
                                    req.timestamp);
      }));
}

void TransactionService::stop(const StopRequest& req,
                              std::function<void(std::exception_ptr, StopResult)> done) {
  auto result = std::make_shared<StopResult>();
  auto now = ctx_.now();
  const auto transaction_id = req.transaction_id;
  ctx_.db.write(
      [req, result, now](storage::Session& s) {
        if (req.id_tag) result->auth = evaluate_token(s.tokens.get(*req.id_tag), now);
        auto tx = req.transaction_id > 0 ? s.transactions.get(req.transaction_id) : std::nullopt;
        if (!tx || tx->station_id != req.station_id) {
          // Unknown or -1 (the station never got an id): answer anyway and park
          // the data for reconciliation (1.6 errata 3.18).
          result->matched = false;
          storage::OrphanStop orphan;
          orphan.station_id = req.station_id;
          orphan.transaction_id = req.transaction_id;
          orphan.id_tag = req.id_tag.value_or("");
          orphan.timestamp = req.timestamp;
          orphan.meter_stop = req.meter_stop;
          orphan.reason = req.reason;
          orphan.payload = req.payload_json;
          s.transactions.add_orphan_stop(orphan);
          auto samples = req.samples;
          for (auto& sm : samples) sm.transaction_id.reset();
          s.meters.insert(samples);
          return;
        }
        // A retried StopTransaction is answered again but recorded once.
        if (!tx->stop_time) {
          tx->stop_time = req.timestamp;
          tx->meter_stop = req.meter_stop;
          tx->stop_reason = req.reason.empty() ? std::string("Local") : req.reason;
          if (req.id_tag) tx->stop_id_tag = req.id_tag;
          bool anomaly = false;
          tx->energy_wh = energy_between(tx->meter_start, req.meter_stop, anomaly);
          tx->meter_anomaly = tx->meter_anomaly || anomaly;
          s.transactions.update(*tx);
          end_tx_profiles(s, tx->station_id, std::to_string(tx->id));
        }
        auto samples = req.samples;
        for (auto& sm : samples) {
          sm.transaction_id = tx->id;
          sm.connector_id = tx->connector_id;  // 1.6 StopTransaction names no connector
        }
        s.meters.insert(samples);
      },
      ctx_.on_io([this, result, transaction_id, station = req.station_id,
                  meter_stop = req.meter_stop, done = std::move(done)](std::exception_ptr e) {
        done(e, *result);
        if (!e && result->matched) {
          ctx_.publish("transaction",
                       {{"station", station}, {"id", transaction_id}, {"event", "ended"}});
          carbon_.transaction_changed(transaction_id);
          alerts_.transaction_ended(transaction_id, "transaction stopped",
                                    static_cast<double>(meter_stop));
        }
      }));
}

void TransactionService::meter_values(std::vector<storage::MeterSample> samples,
                                      std::function<void(std::exception_ptr)> done) {
  energy_.observe(samples);
  // Transactions that had ended when samples for them arrived (late delivery).
  auto ended = std::make_shared<std::vector<std::int64_t>>();
  const std::string station = samples.empty() ? std::string() : samples.front().station_id;
  std::int64_t tx_id = 0;
  for (const auto& sm : samples)
    if (sm.transaction_id) tx_id = *sm.transaction_id;
  // The linked transactions and their last register reading, for the alerts.
  auto linked = std::make_shared<std::map<std::int64_t, std::optional<double>>>();
  ctx_.db.write(
      [samples = std::move(samples), ended, linked](storage::Session& s) mutable {
        std::optional<std::int64_t> checked;
        bool exists = false;
        for (auto& sm : samples) {
          if (!sm.transaction_id) continue;
          if (checked != sm.transaction_id) {
            checked = sm.transaction_id;
            auto tx = s.transactions.get(*sm.transaction_id);
            exists = tx && tx->station_id == sm.station_id;
            if (exists && tx->stop_time) ended->push_back(tx->id);
          }
          if (!exists) {
            sm.transaction_id.reset();  // kept, but not linked
          } else if (auto wh = energy_register_wh(sm)) {
            (*linked)[*sm.transaction_id] = *wh;
          } else {
            linked->emplace(*sm.transaction_id, std::nullopt);
          }
        }
        s.meters.insert(samples);
      },
      ctx_.on_io(
          [this, ended, linked, station, tx_id, done = std::move(done)](std::exception_ptr e) {
            done(e);
            if (e) return;
            if (!station.empty())
              ctx_.publish("meter", {{"station", station}, {"transactionId", tx_id}});
            for (auto id : *ended) carbon_.transaction_changed(id);
            for (const auto& [id, wh] : *linked) alerts_.transaction_meter(id, wh);
          }));
}

}  // namespace csms

namespace csms {

// ---- DeviceModelService -------------------------------------------------------

void DeviceModelService::report_part(const std::string& station_id, std::int64_t request_id,
                                     std::int64_t seq_no, bool tbc,
                                     const storage::DateTime& generated_at,
                                     std::vector<storage::DeviceVariable> variables,
                                     std::function<void(std::exception_ptr)> done) {
  auto now = ctx_.now();
  for (auto& v : variables) {
    v.station_id = station_id;
    v.updated_at = now;
  }
  ctx_.db.write(
      [station_id, request_id, seq_no, tbc, generated_at, now,
       variables = std::move(variables)](storage::Session& s) {
        if (!s.stations.get(station_id)) return;  // removed meanwhile: nothing to attach to
        const auto count = static_cast<std::int64_t>(variables.size());
        if (s.device_model.add_report_part(station_id, request_id, seq_no, tbc, count, generated_at,
                                           now))
          s.device_model.put(variables);
      },
      ctx_.on_io(std::move(done)));
}

}  // namespace csms
