#include "admin/json_out.hpp"

#include <cmath>

#include "ocpp/common/utf8.hpp"

namespace csms::admin {

JsonOut& JsonOut::object() {
  writer_.StartObject();
  return *this;
}

JsonOut& JsonOut::end_object() {
  writer_.EndObject();
  return *this;
}

JsonOut& JsonOut::array() {
  writer_.StartArray();
  return *this;
}

JsonOut& JsonOut::end_array() {
  writer_.EndArray();
  return *this;
}

JsonOut& JsonOut::key(std::string_view name) {
  writer_.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
  return *this;
}

JsonOut& JsonOut::str(std::string_view text) {
  if (ocpp::is_valid_utf8(text)) {
    writer_.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  } else {
    const std::string clean = ocpp::sanitize_utf8(text);
    writer_.String(clean.data(), static_cast<rapidjson::SizeType>(clean.size()));
  }
  return *this;
}

JsonOut& JsonOut::num(std::int64_t value) {
  writer_.Int64(value);
  return *this;
}

JsonOut& JsonOut::real(double value) {
  // JSON has no NaN/Inf; the writer would refuse them.
  if (std::isfinite(value)) {
    writer_.Double(value);
  } else {
    writer_.Null();
  }
  return *this;
}

JsonOut& JsonOut::flag(bool value) {
  writer_.Bool(value);
  return *this;
}

JsonOut& JsonOut::null() {
  writer_.Null();
  return *this;
}

JsonOut& JsonOut::time(const storage::DateTime& value) {
  return str(value.to_string());
}

JsonOut& JsonOut::time(const std::optional<storage::DateTime>& value) {
  return value ? time(*value) : null();
}

JsonOut& JsonOut::opt_str(const std::optional<std::string>& text) {
  return text ? str(*text) : null();
}

JsonOut& JsonOut::str_or_null(std::string_view text) {
  return text.empty() ? null() : str(text);
}

JsonOut& JsonOut::value(const rapidjson::Value& value) {
  value.Accept(writer_);
  return *this;
}

std::string error_json(std::string_view message) {
  JsonOut out;
  out.object().key("error").str(message).end_object();
  return out.text();
}

void station_fields(JsonOut& out, const storage::Station& st, bool connected) {
  out.key("id").str(st.id);
  out.key("connected").flag(connected);
  out.key("vendor").str(st.vendor);
  out.key("model").str(st.model);
  out.key("serialNumber").str(st.serial_number);
  out.key("firmwareVersion").str(st.firmware_version);
  out.key("ocppVersion").str(st.ocpp_version);
  out.key("registration").str(storage::to_string(st.registration));
  out.key("lastSeen").time(st.last_seen);
  out.key("hasPassword").flag(!st.password_hash.empty());
}

void connector_object(JsonOut& out, const storage::Connector& c) {
  out.object();
  out.key("evseId").num(c.evse_id);
  out.key("connectorId").num(c.connector_id);
  out.key("status").str(storage::to_string(c.status));
  out.key("errorCode").str(c.error_code);
  out.key("info").str(c.info);
  out.key("updatedAt").time(c.updated_at);
  out.end_object();
}

void token_object(JsonOut& out, const storage::IdToken& t) {
  out.object();
  out.key("idTag").str(t.id_tag);
  out.key("status").str(storage::to_string(t.status));
  out.key("expiry").time(t.expiry);
  out.key("parentIdTag").opt_str(t.parent_id_tag);
  out.end_object();
}

void transaction_fields(JsonOut& out, const storage::Transaction& tx) {
  // Outside checks rely on this: a 2.0.1 transaction is known by the id its
  // station chose, a 1.6 one by the number the CSMS assigned.
  out.key("id");
  if (tx.station_tx_id.empty()) {
    out.num(tx.id);
  } else {
    out.str(tx.station_tx_id);
  }
  out.key("stationId").str(tx.station_id);
  out.key("stationTxId").str_or_null(tx.station_tx_id);
  out.key("evseId").num(tx.evse_id);
  out.key("connectorId").num(tx.connector_id);
  out.key("idTag").str(tx.id_tag);
  out.key("startTime").time(tx.start_time);
  out.key("stopTime").time(tx.stop_time);
  out.key("meterStart").num(tx.meter_start);
  out.key("meterStop");
  if (tx.meter_stop) {
    out.num(*tx.meter_stop);
  } else {
    out.null();
  }
  out.key("energyWh");
  if (tx.energy_wh) {
    out.real(*tx.energy_wh);
  } else {
    out.null();
  }
  out.key("stopReason").opt_str(tx.stop_reason);
  out.key("meterAnomaly").flag(tx.meter_anomaly);
  out.key("authRejected").flag(tx.auth_rejected);
}

void sample_object(JsonOut& out, const storage::MeterSample& s) {
  out.object();
  out.key("timestamp").time(s.timestamp);
  out.key("value").str(s.value);
  out.key("measurand").str(s.measurand);
  out.key("phase").str_or_null(s.phase);
  out.key("unit").str(s.unit);
  out.key("context").str(s.context);
  out.key("location").str(s.location);
  out.end_object();
}

void frame_object(JsonOut& out, const storage::LoggedFrame& f) {
  out.object();
  out.key("timestamp").time(f.timestamp);
  out.key("direction").str(f.direction == storage::Direction::In ? "in" : "out");
  out.key("frame").str(f.frame);
  out.end_object();
}

void event_object(JsonOut& out, const storage::SecurityEvent& e) {
  out.object();
  out.key("id").num(e.id);
  out.key("stationId").str_or_null(e.station_id);
  out.key("timestamp").time(e.timestamp);
  out.key("type").str(e.type);
  out.key("techInfo").str(e.tech_info);
  out.key("remoteAddress").str(e.remote_address);
  out.key("critical").flag(e.critical);
  out.end_object();
}

}  // namespace csms::admin
