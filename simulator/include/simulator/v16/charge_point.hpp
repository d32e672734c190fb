#pragma once
// An OCPP 1.6J charge point: the Core profile and RemoteTrigger, on top of the
// version-neutral station pieces (StationCore, meter, configuration store).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ocpp/v16/messages.hpp"
#include "simulator/config_store.hpp"
#include "simulator/events.hpp"
#include "simulator/link.hpp"
#include "simulator/log.hpp"
#include "simulator/maintenance.hpp"
#include "simulator/messenger.hpp"
#include "simulator/meter.hpp"
#include "simulator/reservations.hpp"
#include "simulator/scheduler.hpp"
#include "simulator/smart_charging.hpp"
#include "simulator/station.hpp"
#include "simulator/station_core.hpp"
#include "simulator/v16/certificates.hpp"

namespace simulator::v16 {

/// The 1.6 configuration keys of a simulated charger, with their rules.
ConfigStore default_configuration(const StationSettings& settings);

/// A simulated OCPP 1.6 charge point. Speaks through a Link (no sockets of its
/// own), keeps time with a Scheduler, reports through an EventSink.
class ChargePoint : public StationCore {
 public:
  ChargePoint(StationSettings settings, Link& link, Scheduler& scheduler, EventSink& events,
              Logger log);

  // Station
  std::optional<std::string> check_step(const Step& step) const override;
  void run_step(const Step& step, StepDone done) override;

  std::optional<double> offered_power_w(int connector) const override;
  void set_drawn_power_w(int connector, std::optional<double> watts) override;

  // CallHandler
  CallAnswer handle_call(const ocpp::Frame& call) override;

  // Inspection, for tests and statistics.
  const ConfigStore& configuration() const { return config_; }
  ocpp::v16::ChargePointStatus status(int connector) const;
  bool has_session(int connector) const;
  /// The CSMS's id for the session on `connector`, once its StartTransaction is answered.
  std::optional<std::int64_t> transaction_id(int connector) const;
  double energy_wh(int connector) const;
  int connector_count() const { return static_cast<int>(connectors_.size()) - 1; }
  /// Reservations held and the local authorization list (reservations.cpp).
  const Reservations& reservations() const { return reservations_; }
  const LocalAuthList& local_list() const { return local_list_; }

  // Firmware and log status (maintenance.cpp), e.g. for ExtendedTriggerMessage.
  /// Sends a SignedFirmwareStatusNotification with the current firmware status.
  void report_firmware_status();
  /// Sends a LogStatusNotification with the current log upload status.
  void report_log_status();
  const Maintenance& maintenance() const { return maintenance_; }
  /// The installed charging profiles (SetChargingProfile).
  const ProfileSet& charging_profiles() const { return charging_profiles_; }
  /// Installed certificates and SignCertificate (certificates.cpp), e.g. for
  /// ExtendedTriggerMessage SignChargePointCertificate.
  Certificates& certificates() { return certificates_; }

 private:
  struct Session {
    std::int64_t local_id = 0;  // CallQueue session number
    std::string id_tag;
    std::int64_t meter_start = 0;
    ocpp::DateTime started_at;
    std::unique_ptr<Timer> sample_timer;
  };
  struct Connector {
    ocpp::v16::ChargePointStatus status = ocpp::v16::ChargePointStatus::Available;
    ocpp::v16::ChargePointErrorCode error = ocpp::v16::ChargePointErrorCode::NoError;
    std::optional<std::string> info;
    bool operative = true;
    std::optional<bool> scheduled_operative;  // ChangeAvailability answered Scheduled
    bool starting = false;                    // a start is authorizing
    // What the CSMS was last told, so a reconnect reports only changes.
    std::optional<std::pair<ocpp::v16::ChargePointStatus, ocpp::v16::ChargePointErrorCode>>
        reported;
    Meter meter;
    std::unique_ptr<Session> session;
    std::optional<double> car_draw_w;  // set_drawn_power_w: what a car draws
  };
  enum class AuthOutcome { Accepted, Refused, NoAnswer };

  // StationCore
  OutgoingCall boot_request() const override;
  std::optional<BootAnswer> read_boot_answer(const rapidjson::Value& payload,
                                             std::string& error) const override;
  void send_heartbeat() override;
  std::int64_t heartbeat_interval_s() const override;
  void adopt_heartbeat_interval(std::int64_t interval_s) override;
  void report_statuses(bool all) override { report_changed_statuses(all); }
  void on_transaction_reply(const OutgoingCall& call, const CallReply& reply) override;
  void stop_activity() override;
  void reset_state() override;

  void on_start_reply(const OutgoingCall& call, const CallReply& reply);
  void on_stop_reply(const OutgoingCall& call, const CallReply& reply);

  // Status.
  void set_status(int connector, ocpp::v16::ChargePointStatus status,
                  ocpp::v16::ChargePointErrorCode error = ocpp::v16::ChargePointErrorCode::NoError,
                  std::optional<std::string> info = std::nullopt,
                  std::function<void(const CallReply&)> on_reply = {});
  void report_status(int connector, std::function<void(const CallReply&)> on_reply = {});
  void report_changed_statuses(bool all);
  ocpp::v16::ChargePointStatus idle_status(const Connector& c) const;
  void update_meter(int connector);

  // Sessions.
  void authorize(const std::string& id_tag, bool remote,
                 std::function<void(AuthOutcome, std::string)> done);
  bool id_tag_cached(const std::string& id_tag) const;
  void start_session(int connector, const std::string& id_tag, bool remote, int repeat,
                     std::optional<std::string> expect, StepDone done);
  void begin_transaction(int connector, const std::string& id_tag, int repeat, std::string expect,
                         StepDone done);
  void stop_session(int connector, ocpp::v16::Reason reason, int repeat, StepDone done);
  void schedule_sample(int connector);
  void send_meter_values(int connector, ocpp::v16::ReadingContext context, bool transactional);
  std::vector<ocpp::v16::SampledValue> sample(int connector,
                                              ocpp::v16::ReadingContext context) const;
  /// The Energy.Active.Import.Register reading of `register_wh`.
  static ocpp::v16::SampledValue register_sample(ocpp::v16::ReadingContext context,
                                                 std::int64_t register_wh);
  /// With --signed-meter, the same reading as an OCMF document (format
  /// SignedData) for the session's idTag (or `id_tag`); else nullopt.
  std::optional<ocpp::v16::SampledValue> signed_sample(
      int connector, ocpp::v16::ReadingContext context, SignedMeter::Kind kind,
      const ocpp::DateTime& time, std::int64_t register_wh, const std::string& id_tag = {});
  void apply_availability(int connector, bool operative);
  void reset(ocpp::v16::ResetType type);

  // Steps.
  void step_authorize(const Step& step, StepDone done);
  void step_simple_call(const Step& step, StepDone done);

  // CSMS commands (dispatch.cpp).
  bool can_start(int connector) const;
  CallAnswer on_remote_start(const ocpp::Frame& call);
  CallAnswer on_remote_stop(const ocpp::Frame& call);
  CallAnswer on_reset(const ocpp::Frame& call);
  CallAnswer on_unlock(const ocpp::Frame& call);
  CallAnswer on_change_availability(const ocpp::Frame& call);
  CallAnswer on_change_configuration(const ocpp::Frame& call);
  /// AuthorizationKey: a new Basic-auth password (hex, 16-20 bytes) for the next connection.
  ocpp::v16::ConfigurationStatus change_authorization_key(const std::string& value,
                                                          std::function<void()>& then);
  /// SecurityProfile: never lower; a higher one reconnects (to --tls-url for 2 and 3).
  ocpp::v16::ConfigurationStatus change_security_profile(const std::string& value,
                                                         std::function<void()>& then);
  void security_profile_changed(int profile) override;
  CallAnswer on_get_configuration(const ocpp::Frame& call);
  CallAnswer on_clear_cache(const ocpp::Frame& call);
  CallAnswer on_data_transfer(const ocpp::Frame& call);
  CallAnswer on_trigger_message(const ocpp::Frame& call);
  // The security extension's trigger (extended_trigger.cpp).
  CallAnswer on_extended_trigger_message(const ocpp::Frame& call);
  /// What a trigger of `message` for connector `n` (-1: none named) sends.
  std::function<void()> triggered(ocpp::v16::MessageTrigger message, std::int64_t n);
  void config_changed(const std::string& key);
  // Firmware, diagnostics and logs (maintenance.cpp).
  CallAnswer on_update_firmware(const ocpp::Frame& call);
  CallAnswer on_signed_update_firmware(const ocpp::Frame& call);
  CallAnswer on_get_diagnostics(const ocpp::Frame& call);
  CallAnswer on_get_log(const ocpp::Frame& call);
  /// The firmware status as the last update's kind of notification (signed or not).
  void send_firmware_status(const std::string& status);
  void report_diagnostics_status();
  /// TriggerMessage: a FirmwareStatusNotification with the current status.
  void report_plain_firmware_status();
  // Smart charging (smart_charging.cpp).
  CallAnswer on_set_charging_profile(const ocpp::Frame& call);
  CallAnswer on_clear_charging_profile(const ocpp::Frame& call);
  CallAnswer on_get_composite_schedule(const ocpp::Frame& call);
  Supply supply() const;
  std::optional<TxInfo> tx_info(int connector) const;
  /// Sets each connector's power to what the profiles allow now; again at the next change.
  void apply_charging_limits();

  Certificates certificates_;
  /// The blocks' CALL handlers by action (constructor).
  BlockHandlers block_handlers_;
  ConfigStore config_;
  Maintenance maintenance_;
  bool firmware_signed_ = false;       // the running update came as SignedUpdateFirmware
  std::vector<Connector> connectors_;  // [0] is the charge point as a whole
  std::map<std::string, ocpp::v16::IdTagInfo> auth_cache_;
  std::set<std::int64_t> stop_reported_;  // sessions whose transaction_stopped was emitted
  ProfileSet charging_profiles_;
  std::unique_ptr<Timer> limit_timer_;  // the next change of a charging limit

  // Reservations and the local authorization list (reservations.cpp).
  CallAnswer on_reserve_now(const ocpp::Frame& call);
  CallAnswer on_cancel_reservation(const ocpp::Frame& call);
  CallAnswer on_send_local_list(const ocpp::Frame& call);
  CallAnswer on_get_local_list_version(const ocpp::Frame& call);
  /// The group of `id_tag` as the local list or the cache knows it.
  std::optional<std::string> parent_of(const std::string& id_tag) const;
  /// The local list's entry for `id_tag` when the list is enabled.
  const LocalAuthEntry* local_entry(const std::string& id_tag) const;
  /// Whether `id_tag` may start on `connector` now (free, or reserved for it).
  bool can_start_for(int connector, const std::string& id_tag) const;
  /// The reservation on `connector` a start by `id_tag` uses (and ends).
  std::optional<std::int64_t> use_reservation(int connector, const std::string& id_tag);
  void reservation_ended(const HeldReservation& r, const char* how);
  void arm_reservations();

  Reservations reservations_;
  LocalAuthList local_list_;
  std::unique_ptr<Timer> reservation_timer_;
};

}  // namespace simulator::v16
