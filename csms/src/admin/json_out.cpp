#include "admin/json_out.hpp"

#include <algorithm>
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
  out.key("bootReason").str_or_null(st.boot_reason);
  out.key("registration").str(storage::to_string(st.registration));
  out.key("lastSeen").time(st.last_seen);
  out.key("hasPassword").flag(!st.password_hash.empty());
  out.key("securityProfile").num(st.security_profile);
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
  if (!tx.station_tx_id.empty()) {
    out.key("offline").flag(tx.offline);
    out.key("chargingState").str_or_null(tx.charging_state);
    out.key("remoteStartId");
    if (tx.remote_start_id) {
      out.num(*tx.remote_start_id);
    } else {
      out.null();
    }
  }
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

void tx_event_object(JsonOut& out, const storage::TransactionEvent& e) {
  out.object();
  out.key("seqNo").num(e.seq_no);
  out.key("eventType").str(storage::to_string(e.type));
  out.key("timestamp").time(e.timestamp);
  out.key("triggerReason").str(e.trigger_reason);
  out.key("stoppedReason").opt_str(e.stopped_reason);
  out.key("idTag").opt_str(e.id_tag);
  out.key("offline").flag(e.offline);
  out.key("receivedAt").time(e.received_at);
  out.end_object();
}

void seq_no_gaps(JsonOut& out, const std::vector<storage::TransactionEvent>& events) {
  // events come ordered by seqNo; a station numbers them from 0. Bounded: a
  // station that jumps to seqNo 10^9 must not make this answer huge.
  constexpr int kMaxShown = 100;
  out.array();
  std::int64_t expected = 0;
  int shown = 0;
  for (const auto& e : events) {
    for (; expected < e.seq_no && shown < kMaxShown; ++expected, ++shown) out.num(expected);
    expected = e.seq_no + 1;
  }
  out.end_array();
}

namespace {

// Where a 2.0.1 device-model variable lives (a stored value or a monitor on it).
template <class Addressed>
void variable_address(JsonOut& out, const Addressed& a) {
  out.key("component").str(a.component);
  out.key("componentInstance").str_or_null(a.component_instance);
  out.key("evseId");
  a.evse_id > 0 ? out.num(a.evse_id) : out.null();
  out.key("connectorId");
  a.connector_id > 0 ? out.num(a.connector_id) : out.null();
  out.key("variable").str(a.variable);
  out.key("variableInstance").str_or_null(a.variable_instance);
}

}  // namespace

void variable_object(JsonOut& out, const storage::DeviceVariable& v) {
  out.object();
  variable_address(out, v);
  out.key("attributeType").str(v.attribute_type);
  out.key("value").opt_str(v.value);
  out.key("mutability").str_or_null(v.mutability);
  out.key("dataType").str_or_null(v.data_type);
  out.key("unit").str_or_null(v.unit);
  out.key("updatedAt").time(v.updated_at);
  out.end_object();
}

namespace {

// The variables an operator looks at first; `station variables` lists all.
bool is_key_variable(const storage::DeviceVariable& v) {
  static const std::vector<std::pair<std::string_view, std::string_view>> keys = {
      {"OCPPCommCtrlr", "HeartbeatInterval"},
      {"OCPPCommCtrlr", "MessageTimeout"},
      {"SampledDataCtrlr", "TxUpdatedInterval"},
      {"SampledDataCtrlr", "TxUpdatedMeasurands"},
      {"TxCtrlr", "EVConnectionTimeOut"},
      {"TxCtrlr", "TxStartPoint"},
      {"TxCtrlr", "TxStopPoint"},
      {"SecurityCtrlr", "SecurityProfile"},
      {"SecurityCtrlr", "Identity"},
      {"ChargingStation", "AvailabilityState"},
      {"ChargingStation", "Model"},
      {"ChargingStation", "VendorName"},
  };
  if (v.attribute_type != "Actual" || v.evse_id != 0) return false;
  if (v.component == "AuthCtrlr") return true;  // All of it decides who may charge.
  for (const auto& [component, variable] : keys)
    if (v.component == component && v.variable == variable) return true;
  return false;
}

const std::string* value_of(const std::vector<storage::DeviceVariable>& vars, int evse,
                            int connector, std::string_view component, std::string_view variable) {
  for (const auto& v : vars) {
    if (v.evse_id == evse && v.connector_id == connector && v.component == component &&
        v.variable == variable && v.attribute_type == "Actual" && v.value)
      return &*v.value;
  }
  return nullptr;
}

void null_if_zero(JsonOut& out, int id) {
  id > 0 ? out.num(id) : out.null();
}

}  // namespace

void device_model_summary(JsonOut& out, const std::vector<storage::DeviceVariable>& vars,
                          const std::vector<storage::Connector>& connectors,
                          const std::vector<storage::DeviceReport>& reports) {
  // Bounds, so a station reporting thousands of instances or asked for many
  // reports keeps `station show` short; `station variables` has everything.
  constexpr std::size_t kMaxVariables = 50;
  constexpr std::size_t kMaxReports = 10;

  // Each EVSE (a row without connector), then its connectors: those the device
  // model or a StatusNotification named.
  std::vector<std::pair<int, int>> places;
  auto add = [&places](int evse, int connector) {
    std::pair<int, int> place{evse, connector};
    if (std::find(places.begin(), places.end(), place) == places.end()) places.push_back(place);
  };
  for (const auto& v : vars) {
    if (v.evse_id <= 0) continue;
    add(v.evse_id, 0);
    add(v.evse_id, v.connector_id);
  }
  for (const auto& c : connectors) {
    if (c.evse_id <= 0) continue;  // 1.6 connectors have no EVSE.
    add(c.evse_id, 0);
    add(c.evse_id, c.connector_id);
  }
  std::sort(places.begin(), places.end());
  auto text = [&out](const std::string* s) { s ? out.str(*s) : out.null(); };
  out.object();
  out.key("evses").array();
  for (const auto& [evse, connector] : places) {
    out.object();
    out.key("evseId").num(evse);
    out.key("connectorId");
    null_if_zero(out, connector);
    const char* component = connector > 0 ? "Connector" : "EVSE";
    out.key("availability");
    text(value_of(vars, evse, connector, component, "AvailabilityState"));
    out.key("connectorType");
    text(connector > 0 ? value_of(vars, evse, connector, "Connector", "ConnectorType") : nullptr);
    out.key("status");
    const storage::Connector* last = nullptr;
    for (const auto& c : connectors)
      if (c.evse_id == evse && c.connector_id == connector) last = &c;
    last ? out.str(storage::to_string(last->status)) : out.null();
    out.key("updatedAt");
    last ? out.time(last->updated_at) : out.null();
    out.end_object();
  }
  out.end_array();
  out.key("variables").array();
  std::size_t shown = 0;
  for (const auto& v : vars) {
    if (!is_key_variable(v) || shown == kMaxVariables) continue;
    ++shown;
    out.object();
    out.key("component").str(v.component);
    out.key("evseId");
    null_if_zero(out, v.evse_id);
    out.key("connectorId");
    null_if_zero(out, v.connector_id);
    out.key("variable").str(v.variable);
    out.key("instance").str_or_null(v.variable_instance);
    out.key("value").opt_str(v.value);
    out.key("mutability").str_or_null(v.mutability);
    out.end_object();
  }
  out.end_array();
  out.key("variableCount").num(static_cast<std::int64_t>(vars.size()));
  out.key("reports").array();
  for (std::size_t i = 0; i < reports.size() && i < kMaxReports; ++i) {
    const auto& r = reports[i];
    out.object();
    out.key("requestId").num(r.request_id);
    out.key("parts").num(r.parts);
    out.key("variables").num(r.variables);
    out.key("complete").flag(r.complete);
    out.key("receivedAt").time(r.received_at);
    out.end_object();
  }
  out.end_array();
  out.end_object();
}

void notification_object(JsonOut& out, const storage::StationNotification& n) {
  out.object();
  out.key("id").num(n.id);
  out.key("stationId").str(n.station_id);
  out.key("action").str(n.action);
  out.key("receivedAt").time(n.received_at);
  rapidjson::Document payload;
  out.key("payload");
  if (ocpp::parse_json(n.payload, payload).IsError()) {
    out.str(n.payload);
  } else {
    out.value(payload);
  }
  out.end_object();
}

void monitor_object(JsonOut& out, const storage::VariableMonitor& m) {
  out.object();
  out.key("id").num(m.monitor_id);
  variable_address(out, m);
  out.key("type").str(m.type);
  out.key("value").real(m.value);
  out.key("severity").num(m.severity);
  out.key("transaction").flag(m.transaction);
  out.key("source").str(m.source);
  out.key("requestId");
  m.request_id ? out.num(*m.request_id) : out.null();
  out.key("lastEventAt").time(m.last_event_at);
  out.key("lastEventValue").opt_str(m.last_event_value);
  out.key("lastEventCleared").flag(m.last_event_cleared);
  out.key("updatedAt").time(m.updated_at);
  out.end_object();
}

void charging_profile_object(JsonOut& out, const storage::ChargingProfile& p) {
  out.object();
  out.key("id").num(p.profile_id);
  out.key("connectorId").num(p.connector_id);
  out.key("purpose").str(p.purpose);
  out.key("stackLevel").num(p.stack_level);
  out.key("kind").str(p.kind);
  out.key("recurrency").str_or_null(p.recurrency);
  out.key("validFrom").time(p.valid_from);
  out.key("validTo").time(p.valid_to);
  out.key("transactionId").opt_str(p.transaction_id);
  out.key("accepted").flag(p.accepted);
  out.key("source").str(p.source);
  out.key("updatedAt").time(p.updated_at);
  rapidjson::Document schedule;
  const bool parsed = !ocpp::parse_json(p.schedule, schedule).IsError();
  // The first period's limit at a glance (1.6: one schedule; 2.0.1: an array).
  const rapidjson::Value* first = nullptr;
  if (parsed && schedule.IsArray() && !schedule.Empty()) first = &schedule[0];
  if (parsed && schedule.IsObject()) first = &schedule;
  const rapidjson::Value* unit = nullptr;
  const rapidjson::Value* limit = nullptr;
  if (first && first->IsObject()) {
    auto u = first->FindMember("chargingRateUnit");
    if (u != first->MemberEnd() && u->value.IsString()) unit = &u->value;
    auto periods = first->FindMember("chargingSchedulePeriod");
    if (periods != first->MemberEnd() && periods->value.IsArray() && !periods->value.Empty() &&
        periods->value[0].IsObject()) {
      auto l = periods->value[0].FindMember("limit");
      if (l != periods->value[0].MemberEnd() && l->value.IsNumber()) limit = &l->value;
    }
  }
  out.key("limit");
  if (limit) {
    out.real(limit->GetDouble());
  } else {
    out.null();
  }
  out.key("unit");
  if (unit) {
    out.str(unit->GetString());
  } else {
    out.null();
  }
  out.key("schedule");
  if (parsed) {
    out.value(schedule);
  } else {
    out.str(p.schedule);
  }
  out.end_object();
}

}  // namespace csms::admin
