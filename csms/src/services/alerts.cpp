#include "services/alerts.hpp"

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include "csms/log.hpp"
#include "services/webhook.hpp"

namespace csms {

using storage::ConnectorStatus;
using storage::DateTime;

namespace {

std::int64_t seconds_between(const DateTime& from, const DateTime& to) {
  return (to.unix_micros() - from.unix_micros()) / 1000000;
}

DateTime minus_seconds(const DateTime& t, std::int64_t s) {
  return DateTime::from_unix_micros(t.unix_micros() - s * 1000000);
}

void drop_older(std::deque<DateTime>& times, const DateTime& cutoff) {
  while (!times.empty() && times.front().unix_micros() <= cutoff.unix_micros()) times.pop_front();
}

bool firmware_failure(const std::string& status) {
  static const std::set<std::string> failed = {
      "DownloadFailed",   "InstallationFailed", "InstallVerificationFailed",
      "InvalidSignature", "SignatureError",     "PublishFailed"};
  return failed.count(status) != 0;
}

}  // namespace

const std::vector<std::string>& alert_kinds() {
  using namespace alert_kind;
  static const std::vector<std::string> kinds = {
      kStationOffline, kHeartbeatMissing,     kConnectorFaulted,
      kConnectorStuck, kTransactionLong,      kTransactionNoMeterValues,
      kMeterBackwards, kFirmwareFailed,       kCertificateRenewalFailed,
      kBootLoop,       kAuthorizationFailures};
  return kinds;
}

// ---- AlertEngine --------------------------------------------------------------

void AlertEngine::restore(const std::vector<storage::Alert>& open) {
  for (const auto& a : open) open_[Key{a.kind, a.station_id, a.connector_id}] = a;
}

std::vector<AlertChange> AlertEngine::take() {
  std::vector<AlertChange> out;
  out.swap(changes_);
  return out;
}

std::vector<storage::Alert> AlertEngine::open_alerts() const {
  std::vector<storage::Alert> out;
  for (const auto& [key, alert] : open_) out.push_back(alert);
  return out;
}

bool AlertEngine::is_open(const std::string& kind, const std::string& station,
                          int connector) const {
  return open_.count(Key{kind, station, connector}) != 0;
}

void AlertEngine::open(const std::string& kind, const std::string& station, int connector,
                       std::string details, DateTime now) {
  Key key{kind, station, connector};
  if (open_.count(key)) return;  // one open alert per kind, station and connector
  storage::Alert a;
  a.kind = kind;
  a.station_id = station;
  a.connector_id = connector;
  a.opened_at = now;
  a.details = std::move(details);
  open_[key] = a;
  changes_.push_back({true, a});
}

void AlertEngine::close(const std::string& kind, const std::string& station, int connector,
                        const std::string& why, DateTime now) {
  auto it = open_.find(Key{kind, station, connector});
  if (it == open_.end()) return;
  storage::Alert a = it->second;
  open_.erase(it);
  a.closed_at = now;
  a.close_reason = why;
  changes_.push_back({false, a});
}

void AlertEngine::station_online(const std::string& station, DateTime now) {
  offline_since_.erase(station);
  last_activity_[station] = now;
  close(alert_kind::kStationOffline, station, 0, "station connected", now);
  close(alert_kind::kHeartbeatMissing, station, 0, "station connected again", now);
}

void AlertEngine::station_offline(const std::string& station, DateTime now) {
  offline_since_.emplace(station, now);  // an earlier time stays
  last_activity_.erase(station);
  close(alert_kind::kHeartbeatMissing, station, 0, "station disconnected", now);
}

void AlertEngine::station_activity(const std::string& station, DateTime now) {
  // Only connected stations are watched (a message racing the disconnect is not).
  auto it = last_activity_.find(station);
  if (it == last_activity_.end()) return;
  it->second = now;
  close(alert_kind::kHeartbeatMissing, station, 0, "station sent a message", now);
}

void AlertEngine::boot(const std::string& station, DateTime now) {
  auto& times = boots_[station];
  drop_older(times, minus_seconds(now, 3600));
  times.push_back(now);
  if (t_.boot_loop_count > 0 && static_cast<int>(times.size()) > t_.boot_loop_count)
    open(alert_kind::kBootLoop, station, 0,
         fmt::format("{} boots within an hour (alerts.boot_loop_count {})", times.size(),
                     t_.boot_loop_count),
         now);
}

void AlertEngine::connector_status(const std::string& station, int connector,
                                   ConnectorStatus status, const std::string& error_code,
                                   const std::string& vendor_error_code, const std::string& info,
                                   DateTime now) {
  station_activity(station, now);
  const std::string name(storage::to_string(status));
  if (status == ConnectorStatus::Faulted) {
    std::string details = "Faulted";
    if (!error_code.empty()) details += ", errorCode " + error_code;
    if (!vendor_error_code.empty()) details += ", vendorErrorCode " + vendor_error_code;
    if (!info.empty()) details += ", info " + info;
    open(alert_kind::kConnectorFaulted, station, connector, details, now);
  } else {
    close(alert_kind::kConnectorFaulted, station, connector, "status " + name, now);
  }
  const auto where = std::make_pair(station, connector);
  const bool stuck_status =
      status == ConnectorStatus::Preparing || status == ConnectorStatus::Finishing;
  auto was = stuck_status_.find(where);
  if (stuck_status && was != stuck_status_.end() && was->second == name) return;  // repeated
  close(alert_kind::kConnectorStuck, station, connector, "status " + name, now);
  stuck_since_.erase(where);
  stuck_status_.erase(where);
  if (stuck_status) {
    stuck_since_[where] = now;
    stuck_status_[where] = name;
  }
}

void AlertEngine::transaction_started(const std::string& station, int connector, std::int64_t tx,
                                      DateTime started, DateTime now) {
  station_activity(station, now);
  if (txs_.count(tx)) return;  // a retry, or a 2.0.1 event after the first
  Tx t;
  t.station = station;
  t.connector = connector;
  t.started = started;
  t.last_meter = now;
  txs_[tx] = t;
  close(alert_kind::kMeterBackwards, station, connector, "a new transaction started", now);
}

void AlertEngine::transaction_meter(std::int64_t tx, std::optional<double> register_wh,
                                    DateTime now) {
  auto it = txs_.find(tx);
  if (it == txs_.end()) return;
  Tx& t = it->second;
  t.last_meter = now;
  close(alert_kind::kTransactionNoMeterValues, t.station, t.connector, "meter values arrived", now);
  if (!register_wh) return;
  if (t.last_register && *register_wh < *t.last_register)
    open(alert_kind::kMeterBackwards, t.station, t.connector,
         fmt::format("transaction {}: energy register went from {} Wh to {} Wh", tx,
                     *t.last_register, *register_wh),
         now);
  t.last_register = std::max(*register_wh, t.last_register.value_or(*register_wh));
}

void AlertEngine::transaction_ended(std::int64_t tx, const std::string& why,
                                    std::optional<double> stop_register_wh, DateTime now) {
  auto it = txs_.find(tx);
  if (it == txs_.end()) return;
  Tx t = it->second;
  txs_.erase(it);
  close(alert_kind::kTransactionLong, t.station, t.connector, why, now);
  close(alert_kind::kTransactionNoMeterValues, t.station, t.connector, why, now);
  if (stop_register_wh && t.last_register && *stop_register_wh < *t.last_register)
    open(alert_kind::kMeterBackwards, t.station, t.connector,
         fmt::format("transaction {}: energy register went from {} Wh to {} Wh at the stop", tx,
                     *t.last_register, *stop_register_wh),
         now);
}

void AlertEngine::firmware_status(const std::string& station, const std::string& status,
                                  DateTime now) {
  station_activity(station, now);
  if (firmware_failure(status)) {
    open(alert_kind::kFirmwareFailed, station, 0, "firmware status " + status, now);
  } else if (status == "Installed" || status == "Downloading" || status == "DownloadScheduled" ||
             status == "Published") {
    close(alert_kind::kFirmwareFailed, station, 0, "firmware status " + status, now);
  }
}

void AlertEngine::certificate_renewal(const std::string& station, bool ok,
                                      const std::string& detail, DateTime now) {
  if (ok)
    close(alert_kind::kCertificateRenewalFailed, station, 0, "certificate renewed", now);
  else
    open(alert_kind::kCertificateRenewalFailed, station, 0, detail, now);
}

void AlertEngine::authorization(const std::string& station, const std::string& id_tag,
                                bool accepted, DateTime now) {
  station_activity(station, now);
  if (accepted || t_.auth_failure_count <= 0) return;
  auto& times = auth_failures_[station];
  drop_older(times, minus_seconds(now, t_.auth_failure_window_s));
  times.push_back(now);
  if (static_cast<int>(times.size()) >= t_.auth_failure_count)
    open(alert_kind::kAuthorizationFailures, station, 0,
         fmt::format("{} rejected authorizations within {} s, the last for {}", times.size(),
                     t_.auth_failure_window_s, id_tag),
         now);
}

void AlertEngine::tick(DateTime now) {
  if (t_.offline_after_s > 0)
    for (const auto& [station, since] : offline_since_)
      if (seconds_between(since, now) >= t_.offline_after_s)
        open(alert_kind::kStationOffline, station, 0,
             "offline since " + since.to_string() + " (alerts.offline_after_s " +
                 std::to_string(t_.offline_after_s) + ")",
             now);
  if (t_.heartbeat_missing_after_s > 0)
    for (const auto& [station, last] : last_activity_)
      if (seconds_between(last, now) >= t_.heartbeat_missing_after_s)
        open(alert_kind::kHeartbeatMissing, station, 0,
             "connected, but nothing received since " + last.to_string(), now);
  if (t_.stuck_after_s > 0)
    for (const auto& [where, since] : stuck_since_)
      if (seconds_between(since, now) >= t_.stuck_after_s)
        open(alert_kind::kConnectorStuck, where.first, where.second,
             stuck_status_[where] + " since " + since.to_string(), now);
  for (const auto& [id, t] : txs_) {
    if (t_.transaction_max_s > 0 && seconds_between(t.started, now) >= t_.transaction_max_s)
      open(alert_kind::kTransactionLong, t.station, t.connector,
           fmt::format("transaction {} open since {}", id, t.started.to_string()), now);
    if (t_.meter_silence_s > 0 && seconds_between(t.last_meter, now) >= t_.meter_silence_s)
      open(alert_kind::kTransactionNoMeterValues, t.station, t.connector,
           fmt::format("transaction {}: no meter values since {}", id, t.last_meter.to_string()),
           now);
  }
  for (auto& [station, times] : boots_) {
    drop_older(times, minus_seconds(now, 3600));
    if (times.empty()) close(alert_kind::kBootLoop, station, 0, "no boot for an hour", now);
  }
  for (auto& [station, times] : auth_failures_) {
    drop_older(times, minus_seconds(now, t_.auth_failure_window_s));
    if (times.empty())
      close(alert_kind::kAuthorizationFailures, station, 0,
            fmt::format("no rejected authorization for {} s", t_.auth_failure_window_s), now);
  }
}

// ---- AlertService -------------------------------------------------------------

AlertThresholds alert_thresholds(const Config& c) {
  AlertThresholds t;
  t.offline_after_s = c.alerts_offline_after_s;
  t.heartbeat_missing_after_s = c.alerts_heartbeat_missing_after_s;
  t.stuck_after_s = c.alerts_stuck_after_s;
  t.transaction_max_s = c.alerts_transaction_max_hours * 3600;
  t.meter_silence_s = c.alerts_meter_silence_s;
  t.boot_loop_count = c.alerts_boot_loop_count;
  t.auth_failure_count = c.alerts_auth_failure_count;
  t.auth_failure_window_s = c.alerts_auth_failure_window_s;
  return t;
}

std::string alert_change_json(const AlertChange& change) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  const auto& a = change.alert;
  w.StartObject();
  w.Key("event");
  w.String(change.opened ? "opened" : "closed");
  w.Key("alertId");
  w.Int64(a.id);
  w.Key("kind");
  w.String(a.kind.c_str());
  w.Key("stationId");
  w.String(a.station_id.c_str());
  w.Key("connectorId");
  w.Int(a.connector_id);
  w.Key("openedAt");
  w.String(a.opened_at.to_string().c_str());
  w.Key("details");
  w.String(a.details.c_str());
  if (a.closed_at) {
    w.Key("closedAt");
    w.String(a.closed_at->to_string().c_str());
    w.Key("closeReason");
    w.String(a.close_reason.c_str());
  }
  w.EndObject();
  return buf.GetString();
}

AlertService::AlertService(ServerContext& ctx) : ctx_(ctx), engine_(alert_thresholds(ctx.config)) {}

AlertService::~AlertService() = default;

void AlertService::start() {
  struct Loaded {
    std::vector<storage::Alert> open;
    std::vector<storage::Station> stations;
    std::vector<storage::Transaction> active;
  } loaded;
  storage::read_and_wait(ctx_.db, [&loaded](storage::Session& s) {
    storage::AlertFilter f;
    f.open_only = true;
    f.limit = 1000000;
    loaded.open = s.operations.alerts(f);
    loaded.stations = s.stations.list();
    storage::TransactionFilter tf;
    tf.active = true;
    tf.limit = 1000000;
    loaded.active = s.transactions.list(tf);
  });
  engine_.restore(loaded.open);
  const auto t = now();
  // No connection survives a restart: every station is offline until it connects.
  for (const auto& st : loaded.stations) engine_.station_offline(st.id, t);
  for (const auto& tx : loaded.active)
    engine_.transaction_started(tx.station_id, tx.connector_id != 0 ? tx.connector_id : tx.evse_id,
                                tx.id, tx.start_time, t);
  engine_.take();  // nothing new yet
  if (!ctx_.config.alerts_webhook_url.empty()) {
    WebhookOptions o;
    o.url = ctx_.config.alerts_webhook_url;
    o.secret = ctx_.config.alerts_webhook_secret;
    if (o.secret.empty() && !ctx_.config.alerts_webhook_secret_file.empty()) {
      std::ifstream in(ctx_.config.alerts_webhook_secret_file);
      if (!in || !std::getline(in, o.secret))
        throw std::runtime_error("alerts.webhook_secret_file " +
                                 ctx_.config.alerts_webhook_secret_file + " cannot be read");
      while (!o.secret.empty() && (o.secret.back() == '\r' || o.secret.back() == ' '))
        o.secret.pop_back();
    }
    if (o.secret.empty())
      log::warn(
          "alerts.webhook_url is set without a secret: deliveries are signed with an "
          "empty key");
    o.max_attempts = ctx_.config.alerts_webhook_max_attempts;
    o.initial_backoff = std::chrono::milliseconds(ctx_.config.alerts_webhook_backoff_ms);
    webhook_ = std::make_unique<WebhookSender>(o, ctx_.metrics);
    webhook_->start();
  }
  running_ = true;
  schedule();
}

void AlertService::stop() {
  running_ = false;
  timer_.cancel();
  if (webhook_) webhook_->stop();
}

void AlertService::schedule() {
  if (!running_) return;
  timer_ = ctx_.executor.post_after(std::chrono::milliseconds(ctx_.config.alerts_check_interval_ms),
                                    [this] {
                                      if (!running_) return;
                                      tick();
                                      schedule();
                                    });
}

void AlertService::connector_status(const storage::Connector& c) {
  // 2.0.1 connectors are numbered within their EVSE: the EVSE names the place.
  const int where = c.evse_id != 0 ? c.evse_id : c.connector_id;
  engine_.connector_status(c.station_id, where, c.status, c.error_code, c.vendor_error_code, c.info,
                           now());
  flush();
}

void AlertService::flush() {
  auto changes = engine_.take();
  if (changes.empty()) return;
  for (auto& change : changes) {
    const auto& a = change.alert;
    if (change.opened) {
      ++opened_total_;
      ctx_.metrics.alert_opened();
      log::warn("{}: alert {} opened (connector {}): {}", a.station_id, a.kind, a.connector_id,
                a.details);
    } else {
      log::info("{}: alert {} closed (connector {}): {}", a.station_id, a.kind, a.connector_id,
                a.close_reason);
    }
  }
  // Stored in order on the writer thread; the webhook gets each change once its
  // alert has an id.
  auto stored = std::make_shared<std::vector<AlertChange>>(std::move(changes));
  ctx_.db.write(
      [stored](storage::Session& s) {
        for (auto& change : *stored) {
          auto& a = change.alert;
          if (change.opened) {
            a.id = s.operations.open_alert(a);
          } else {
            if (auto id = s.operations.close_alert(a.kind, a.station_id, a.connector_id,
                                                   *a.closed_at, a.close_reason))
              a.id = *id;
          }
        }
      },
      ctx_.on_io([this, stored](std::exception_ptr e) {
        if (e) {
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& ex) {
            log::error("alerts not stored: {}", ex.what());
          }
          return;
        }
        if (!webhook_) return;
        for (const auto& change : *stored) webhook_->send(alert_change_json(change));
      }));
}

AlertCounts AlertService::counts() const {
  AlertCounts c;
  for (const auto& kind : alert_kinds()) c.open_by_kind[kind] = 0;
  for (const auto& a : engine_.open_alerts()) ++c.open_by_kind[a.kind];
  c.opened_total = opened_total_;
  return c;
}

}  // namespace csms
