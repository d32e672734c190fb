#pragma once
// Version-neutral domain services: what a BootNotification, an Authorize or a
// StartTransaction *means*, whichever OCPP version carried it. Handlers
// translate wire messages into these calls. Callbacks run on the network thread.

#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "server/admission.hpp"
#include "server/context.hpp"
#include "services/alerts.hpp"
#include "services/ca_service.hpp"
#include "services/carbon_service.hpp"
#include "services/energy_service.hpp"
#include "services/reservations.hpp"
#include "storage/model.hpp"

namespace csms {

/// The CSMS's verdict on an id token.
struct AuthInfo {
  storage::TokenStatus status = storage::TokenStatus::Invalid;
  bool known = false;  ///< The CSMS has the token (2.0.1 answers Unknown, not Invalid).
  std::optional<storage::DateTime> expiry;
  std::optional<std::string> parent_id_tag;
};

/// Decides AuthInfo for a stored token (or none) at time `now`.
AuthInfo evaluate_token(const std::optional<storage::IdToken>& token, const storage::DateTime& now);

/// What a station says about itself when it boots.
struct BootInfo {
  std::string vendor;
  std::string model;
  std::string serial_number;
  std::string firmware_version;
  std::string ocpp_version;
  std::string reason;  ///< 2.0.1 BootReasonEnumType, e.g. "PowerUp"; empty for 1.6.
};

/// The answer to a boot.
struct BootDecision {
  storage::RegistrationStatus status = storage::RegistrationStatus::Rejected;
  int interval_s = 0;
  /// Pending only to spread a boot storm (admission.max_boots_per_s): the
  /// station's stored registration is still Accepted.
  bool paced = false;
  /// Set when the boot could not be stored: the station gets InternalError.
  std::exception_ptr error;
};

/// Stations: boot, heartbeat, connector status, online state.
class StationService {
 public:
  StationService(ServerContext& ctx, AlertService& alerts)
      : ctx_(ctx),
        alerts_(alerts),
        boot_pacer_(ctx.config.max_boots_per_s, ctx.config.boot_burst) {}
  /// Answers a BootNotification. Over admission.max_boots_per_s an Accepted
  /// station is answered Pending with the interval of its slot instead; until
  /// its next accepted boot the session treats it as Pending.
  void boot(const std::string& station_id, const BootInfo& info,
            std::function<void(BootDecision)> done);
  void seen(const std::string& station_id);
  /// Stores a connector's reported status; `done` runs on the network thread.
  void connector_status(const storage::Connector& connector,
                        std::function<void(std::exception_ptr)> done);
  void connected(const std::string& station_id, const std::string& ocpp_version);
  void disconnected(const std::string& station_id);
  /// Keeps a notification as received (firmware/log status, NotifyEvent, ...);
  /// `done` runs once it is committed.
  void notification(const std::string& station_id, const std::string& action,
                    std::string payload_json, std::function<void(std::exception_ptr)> done);

 private:
  /// Read-modify-write of a stored station; a station removed meanwhile is skipped.
  void update_station(const std::string& station_id, std::function<void(storage::Station&)> change,
                      storage::Done done);
  ServerContext& ctx_;
  AlertService& alerts_;
  BootPacer boot_pacer_;
};

/// Id token authorization.
class AuthService {
 public:
  AuthService(ServerContext& ctx, AlertService& alerts) : ctx_(ctx), alerts_(alerts) {}
  /// The verdict for `id_tag` presented at `station_id` (a rejection counts
  /// towards the station's authorization_failures alert).
  void authorize(const std::string& id_tag, const std::string& station_id,
                 std::function<void(std::exception_ptr, AuthInfo)> done);

 private:
  ServerContext& ctx_;
  AlertService& alerts_;
};

/// A transaction start where the CSMS assigns the id (OCPP 1.6).
struct StartRequest {
  std::string station_id;
  int connector_id = 0;
  std::string id_tag;
  std::int64_t meter_start = 0;
  storage::DateTime timestamp;
  std::optional<std::int64_t> reservation_id;
};

struct StartResult {
  std::int64_t transaction_id = 0;
  AuthInfo auth;
};

/// A transaction stop (OCPP 1.6).
struct StopRequest {
  std::string station_id;
  std::int64_t transaction_id = 0;
  std::optional<std::string> id_tag;
  std::int64_t meter_stop = 0;
  storage::DateTime timestamp;
  std::string reason;
  std::vector<storage::MeterSample> samples;  ///< transactionData
  std::string payload_json;                   ///< For reconciliation of unknown ids.
};

struct StopResult {
  std::optional<AuthInfo> auth;  ///< Present when the request carried an id tag.
  bool matched = true;           ///< False: unknown transaction, parked as an orphan stop.
};

/// A 2.0.1 TransactionEvent, version-neutral: the station names the
/// transaction; events may arrive late, twice, or out of order.
struct TxEventRequest {
  std::string station_id;
  std::string station_tx_id;
  storage::TransactionEvent event;  ///< transaction_id is filled in by the service.
  std::optional<int> evse_id;
  std::optional<int> connector_id;
  std::optional<std::string> charging_state;
  std::optional<std::int64_t> remote_start_id;
  std::optional<std::int64_t> reservation_id;
  std::vector<storage::MeterSample> samples;
};

struct TxEventResult {
  std::optional<AuthInfo> auth;  ///< Present when the event carried an id token.
  bool duplicate = false;        ///< A retry of an event already stored.
  std::int64_t transaction_id = 0;
  bool ended = false;  ///< The transaction has ended (with this or an earlier event).
};

/// Transactions and meter values. Every callback runs after the data is
/// durably committed (or with the error that prevented it).
class TransactionService {
 public:
  TransactionService(ServerContext& ctx, CarbonService& carbon, EnergyService& energy,
                     AlertService& alerts)
      : ctx_(ctx), carbon_(carbon), energy_(energy), alerts_(alerts) {}
  void start(const StartRequest& request,
             std::function<void(std::exception_ptr, StartResult)> done);
  void stop(const StopRequest& request, std::function<void(std::exception_ptr, StopResult)> done);
  /// 2.0.1: records the event and applies it to the transaction.
  void event(TxEventRequest request, std::function<void(std::exception_ptr, TxEventResult)> done);
  /// Samples with transaction_id set are linked only if that transaction exists.
  void meter_values(std::vector<storage::MeterSample> samples,
                    std::function<void(std::exception_ptr)> done);

 private:
  ServerContext& ctx_;
  CarbonService& carbon_;  ///< Told of every committed change to an ended transaction.
  EnergyService& energy_;  ///< Sees each EVSE's measured draw.
  AlertService& alerts_;   ///< Sees starts, stops and meter values.
};

/// 2.0.1 device models, from NotifyReport parts.
class DeviceModelService {
 public:
  explicit DeviceModelService(ServerContext& ctx) : ctx_(ctx) {}
  /// Stores one NotifyReport part (a retried part is answered, not stored twice).
  void report_part(const std::string& station_id, std::int64_t request_id, std::int64_t seq_no,
                   bool tbc, const storage::DateTime& generated_at,
                   std::vector<storage::DeviceVariable> variables,
                   std::function<void(std::exception_ptr)> done);

 private:
  ServerContext& ctx_;
};

/// The services, constructed together.
struct Services {
  explicit Services(ServerContext& c)
      : ctx(c),
        alerts(c),
        stations(c, alerts),
        auth(c, alerts),
        carbon(c),
        energy(c),
        transactions(c, carbon, energy, alerts),
        device_model(c),
        reservations(c),
        ca(c) {
    ca.set_outcome_listener([this](const std::string& station, bool ok, const std::string& detail) {
      alerts.certificate_renewal(station, ok, detail);
    });
  }
  ServerContext& ctx;
  AlertService alerts;
  StationService stations;
  AuthService auth;
  CarbonService carbon;
  EnergyService energy;
  TransactionService transactions;
  DeviceModelService device_model;
  ReservationService reservations;
  CaService ca;
};

/// Energy delivered between two register readings in Wh; nullopt-free: a
/// register that went backwards gives 0 and sets `anomaly`.
double energy_between(std::int64_t start_wh, std::int64_t stop_wh, bool& anomaly);

/// Converts a sampled value to Wh if it is an energy register reading (Wh or kWh).
std::optional<double> energy_register_wh(const storage::MeterSample& sample);

/// The first and last energy register readings in Wh of samples in time order.
struct RegisterReadings {
  double first = 0;
  double last = 0;
};
/// nullopt when none of `samples` is an energy register reading.
std::optional<RegisterReadings> register_readings(const std::vector<storage::MeterSample>& samples);

}  // namespace csms
