#pragma once
// JSON output of the admin API: a small writer and the shapes of the domain
// objects (field names camelCase, date-times RFC 3339, absent values null).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ocpp/common/json.hpp"
#include "storage/model.hpp"
#include "storage/stores.hpp"

namespace csms::admin {

/// Builds compact JSON text. Strings are UTF-8-repaired first, so the output is
/// valid whatever a station sent.
class JsonOut {
 public:
  JsonOut() : writer_(buffer_) {}
  JsonOut& object();
  JsonOut& end_object();
  JsonOut& array();
  JsonOut& end_array();
  JsonOut& key(std::string_view name);
  JsonOut& str(std::string_view text);
  JsonOut& num(std::int64_t value);
  JsonOut& real(double value);
  JsonOut& flag(bool value);
  JsonOut& null();
  JsonOut& time(const storage::DateTime& value);
  JsonOut& time(const std::optional<storage::DateTime>& value);
  /// A string, or null when absent.
  JsonOut& opt_str(const std::optional<std::string>& text);
  /// A string, or null when empty.
  JsonOut& str_or_null(std::string_view text);
  /// Copies a parsed JSON value.
  JsonOut& value(const rapidjson::Value& value);
  std::string text() const { return std::string(buffer_.GetString(), buffer_.GetSize()); }

 private:
  rapidjson::StringBuffer buffer_;
  ocpp::JsonWriter writer_;
};

/// {"error": message}
std::string error_json(std::string_view message);

/// The fields of a station object (without the braces), `connected` live.
void station_fields(JsonOut& out, const storage::Station& station, bool connected);
void connector_object(JsonOut& out, const storage::Connector& connector);
void token_object(JsonOut& out, const storage::IdToken& token);
/// The fields of a transaction object (without the braces). `id` is the
/// numeric id for 1.6 and the station's transactionId string for 2.0.1.
void transaction_fields(JsonOut& out, const storage::Transaction& tx);
void sample_object(JsonOut& out, const storage::MeterSample& sample);
void frame_object(JsonOut& out, const storage::LoggedFrame& frame);
void event_object(JsonOut& out, const storage::SecurityEvent& event);
/// A 2.0.1 TransactionEvent as recorded.
void tx_event_object(JsonOut& out, const storage::TransactionEvent& event);
/// The seqNos missing between 0 and the highest one received, as an array (the
/// first 100).
void seq_no_gaps(JsonOut& out, const std::vector<storage::TransactionEvent>& events);
/// One device-model attribute with its characteristics.
void variable_object(JsonOut& out, const storage::DeviceVariable& variable);
/// A 2.0.1 station's device model at a glance: EVSEs and their connectors with
/// the last status, key variables (at most 50), the newest 10 reports' progress
/// (GET /api/stations/{id} "deviceModel").
void device_model_summary(JsonOut& out, const std::vector<storage::DeviceVariable>& variables,
                          const std::vector<storage::Connector>& connectors,
                          const std::vector<storage::DeviceReport>& reports);
void notification_object(JsonOut& out, const storage::StationNotification& notification);
/// A stored charging profile; `schedule` is the chargingSchedule as sent or reported.
void charging_profile_object(JsonOut& out, const storage::ChargingProfile& profile);
/// A 2.0.1 variable monitor with the last event it raised.
void monitor_object(JsonOut& out, const storage::VariableMonitor& monitor);

}  // namespace csms::admin
