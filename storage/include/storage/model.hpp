#pragma once
// The version-neutral domain model: what the CSMS knows about stations, id
// tokens, transactions and meter data, whatever OCPP version delivered it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ocpp/common/datetime.hpp"

namespace storage {

using ocpp::DateTime;

/// A station's answer to its BootNotification, as the CSMS decided it.
enum class RegistrationStatus { Accepted, Pending, Rejected };

/// A registered charging station (charge point).
struct Station {
  std::string id;  ///< The identity in the connection URL (percent-decoded).
  /// "pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>"; empty: no password
  /// (security profile 0/1 without Basic auth).
  std::string password_hash;
  std::string vendor;
  std::string model;
  std::string serial_number;
  std::string firmware_version;
  std::string ocpp_version;  ///< "1.6", "2.0.1", or empty before the first connection.
  RegistrationStatus registration = RegistrationStatus::Accepted;
  bool connected = false;
  std::optional<DateTime> last_seen;
  std::optional<DateTime> last_boot;
  /// 2.0.1 BootNotification reason (e.g. "PowerUp"); empty for 1.6 or before a boot.
  std::string boot_reason;
  DateTime created_at;
  /// OCPP security profile 1..3: the weakest connection the CSMS accepts from it.
  int security_profile = 1;
};

/// Connector (1.6) or EVSE connector (2.0.1) status, version-neutral. 1.6's
/// Preparing/Charging/Suspended*/Finishing are kept; 2.0.1's Occupied too.
enum class ConnectorStatus {
  Available,
  Preparing,
  Charging,
  SuspendedEVSE,
  SuspendedEV,
  Finishing,
  Reserved,
  Unavailable,
  Faulted,
  Occupied,
  Unknown,
};

/// The last reported state of one connector of a station.
struct Connector {
  std::string station_id;
  int evse_id = 0;       ///< 2.0.1 EVSE id; 0 for 1.6.
  int connector_id = 0;  ///< 1.6 connectorId (0 = the whole station) or 2.0.1 connectorId.
  ConnectorStatus status = ConnectorStatus::Unknown;
  std::string error_code;  ///< e.g. "NoError", "GroundFailure"; empty when not reported.
  std::string info;
  std::string vendor_error_code;
  DateTime updated_at;
};

/// Authorization status of an id token.
enum class TokenStatus { Accepted, Blocked, Expired, Invalid, ConcurrentTx };

/// An id token (1.6 idTag, 2.0.1 IdToken) the CSMS knows.
struct IdToken {
  std::string id_tag;
  TokenStatus status = TokenStatus::Accepted;
  std::optional<DateTime> expiry;
  std::optional<std::string> parent_id_tag;  ///< Group id.
  DateTime created_at;
  DateTime updated_at;
};

/// A charging session. 1.6: the CSMS assigns `id`, which is the wire
/// transactionId. 2.0.1: the station's transactionId is `station_tx_id`.
struct Transaction {
  std::int64_t id = 0;
  std::string station_id;
  std::string station_tx_id;  ///< 2.0.1 only; empty for 1.6.
  int evse_id = 0;
  int connector_id = 0;
  std::string id_tag;
  std::optional<std::int64_t> reservation_id;
  DateTime start_time;
  std::optional<DateTime> stop_time;
  std::int64_t meter_start = 0;            ///< Wh.
  std::optional<std::int64_t> meter_stop;  ///< Wh.
  std::optional<std::string> stop_reason;
  std::optional<std::string> stop_id_tag;
  /// Delivered energy in Wh; never negative (see meter_anomaly).
  std::optional<double> energy_wh;
  /// True when the energy register went backwards: stored, flagged, energy 0.
  bool meter_anomaly = false;
  /// The id tag was not Accepted when the transaction started (1.6 must still
  /// answer StartTransaction; the CSMS flags instead of refusing).
  bool auth_rejected = false;
  /// 2.0.1: some event of it was sent while the station was offline.
  bool offline = false;
  /// 2.0.1: the latest chargingState reported (e.g. "Charging"); empty if none.
  std::string charging_state;
  /// 2.0.1: the remoteStartId of a RequestStartTransaction that began it.
  std::optional<std::int64_t> remote_start_id;
};

/// 2.0.1 TransactionEvent eventType.
enum class TxEventType { Started, Updated, Ended };

/// One 2.0.1 TransactionEvent as received (the transaction's audit trail;
/// seqNo gaps are visible in it).
struct TransactionEvent {
  std::int64_t transaction_id = 0;  ///< Transaction::id.
  std::int64_t seq_no = 0;
  TxEventType type = TxEventType::Updated;
  DateTime timestamp;                         ///< As the station stamped it.
  std::string trigger_reason;                 ///< e.g. "Authorized", "MeterValuePeriodic".
  std::optional<std::string> stopped_reason;  ///< Ended events, e.g. "EVDisconnected".
  std::optional<std::string> id_tag;
  bool offline = false;
  DateTime received_at;
};

/// One attribute of one variable of one component of a 2.0.1 station's device
/// model, as the station reported it (NotifyReport) or last read/set it
/// (Get/SetVariables). The key is everything up to attribute_type.
struct DeviceVariable {
  std::string station_id;
  std::string component;
  std::string component_instance;  ///< Empty when none.
  int evse_id = 0;                 ///< 0: the component belongs to no EVSE.
  int connector_id = 0;            ///< 0: no connector.
  std::string variable;
  std::string variable_instance;          ///< Empty when none.
  std::string attribute_type = "Actual";  ///< Actual, Target, MinSet, MaxSet.
  std::optional<std::string> value;       ///< Absent: unknown or write-only.
  std::string mutability;                 ///< ReadOnly, WriteOnly, ReadWrite; empty: not said.
  bool persistent = false;
  bool constant = false;
  // variableCharacteristics; data_type empty when the station sent none.
  std::string data_type;  ///< string, decimal, integer, dateTime, boolean, OptionList, ...
  std::string unit;
  std::optional<double> min_limit;
  std::optional<double> max_limit;
  std::string values_list;
  bool supports_monitoring = false;
  DateTime updated_at;
};

/// Progress of one 2.0.1 report (NotifyReport parts of one requestId).
struct DeviceReport {
  std::string station_id;
  std::int64_t request_id = 0;
  std::int64_t parts = 0;      ///< Distinct seqNos received.
  std::int64_t variables = 0;  ///< Attributes stored from it.
  bool complete = false;       ///< The last part (tbc false) and every seqNo before it arrived.
  DateTime generated_at;       ///< Of the newest part.
  DateTime received_at;        ///< Of the newest part.
};

/// A station-initiated message the CSMS keeps as it came (firmware, log and
/// diagnostics status, NotifyEvent, charging limits, ...): the action, the
/// payload JSON, when it arrived.
struct StationNotification {
  std::int64_t id = 0;
  std::string station_id;
  std::string action;  ///< e.g. "FirmwareStatusNotification".
  DateTime received_at;
  std::string payload;  ///< The request payload, compact JSON.
};

/// One sampled value of a meter reading, with everything the station said.
struct MeterSample {
  std::string station_id;
  int evse_id = 0;
  int connector_id = 0;
  std::optional<std::int64_t> transaction_id;  ///< Transaction::id when linked.
  DateTime timestamp;
  std::string value;  ///< As sent (1.6 sends strings; 2.0.1 numbers, stored as text).
  std::string measurand = "Energy.Active.Import.Register";
  std::string phase;
  std::string unit = "Wh";
  std::string context = "Sample.Periodic";
  std::string location = "Outlet";
  std::string format = "Raw";
  /// Signed meter data as sent (1.6: the value of a SignedData sample; 2.0.1:
  /// signedMeterValue.signedMeterData, base64); empty when the sample is not
  /// signed. MeterStore keeps it apart as a SignedMeterValue too.
  std::string signed_data;
  std::string signing_method;
  std::string encoding_method;  ///< e.g. "OCMF"; empty: not said (1.6).
  std::string public_key;       ///< As sent (2.0.1 publicKey), else empty.
};

/// Raw signed meter data of a sample, as the station sent it.
struct SignedMeterValue {
  std::int64_t id = 0;
  std::string station_id;
  int evse_id = 0;
  int connector_id = 0;
  std::optional<std::int64_t> transaction_id;
  DateTime timestamp;
  std::string context;
  std::string signed_data;
  std::string signing_method;
  std::string encoding_method;
  std::string public_key;
};

/// Direction of a logged frame.
enum class Direction { In, Out };

/// One WebSocket frame to or from a station.
struct LoggedFrame {
  std::int64_t id = 0;
  std::string station_id;
  DateTime timestamp;
  Direction direction = Direction::In;
  std::string frame;
};

/// Something security-relevant: failed logins, replaced connections,
/// SecurityEventNotifications from stations.
struct SecurityEvent {
  std::int64_t id = 0;
  std::string station_id;  ///< Empty when no station could be named.
  DateTime timestamp;
  std::string type;  ///< e.g. "InvalidCredentials", "ConnectionReplaced".
  std::string tech_info;
  std::string remote_address;
  bool critical = false;
};

/// A sampled value as a finite number (1.6 sends text), or nullopt.
std::optional<double> sample_number(const MeterSample& sample);

std::string_view to_string(RegistrationStatus v);
std::optional<RegistrationStatus> registration_status_from_string(std::string_view s);
std::string_view to_string(ConnectorStatus v);
ConnectorStatus connector_status_from_string(std::string_view s);  ///< Unknown if unknown.
std::string_view to_string(TokenStatus v);
std::optional<TokenStatus> token_status_from_string(std::string_view s);
std::string_view to_string(Direction v);
std::string_view to_string(TxEventType v);
std::optional<TxEventType> tx_event_type_from_string(std::string_view s);

}  // namespace storage
