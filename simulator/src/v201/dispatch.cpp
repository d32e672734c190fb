// Answers to the CSMS's CALLs, as a 2.0.1 charging station gives them (the
// device model's commands are in reports.cpp).
#include <functional>
#include <map>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "ocpp/v201/actions.hpp"
#include "ocpp/v201/codec.hpp"
#include "rpc.hpp"
#include "simulator/v201/charging_station.hpp"
#include "v201/commands.hpp"

namespace simulator::v201 {

using namespace ocpp::v201;

namespace {

constexpr std::string_view kVendorId = "ocpp-sim";

}  // namespace

CallAnswer ChargingStation::handle_call(const ocpp::Frame& call) {
  using Handler = CallAnswer (ChargingStation::*)(const ocpp::Frame&);
  static const std::map<std::string_view, Handler> handlers = {
      {"ChangeAvailability", &ChargingStation::on_change_availability},
      {"ClearCache", &ChargingStation::on_clear_cache},
      {"ClearVariableMonitoring", &ChargingStation::on_clear_variable_monitoring},
      {"CostUpdated", &ChargingStation::on_cost_updated},
      {"GetMonitoringReport", &ChargingStation::on_get_monitoring_report},
      {"SetMonitoringBase", &ChargingStation::on_set_monitoring_base},
      {"SetMonitoringLevel", &ChargingStation::on_set_monitoring_level},
      {"SetNetworkProfile", &ChargingStation::on_set_network_profile},
      {"SetVariableMonitoring", &ChargingStation::on_set_variable_monitoring},
      {"CustomerInformation", &ChargingStation::on_customer_information},
      {"ClearChargingProfile", &ChargingStation::on_clear_charging_profile},
      {"DataTransfer", &ChargingStation::on_data_transfer},
      {"GetBaseReport", &ChargingStation::on_get_base_report},
      {"GetChargingProfiles", &ChargingStation::on_get_charging_profiles},
      {"GetCompositeSchedule", &ChargingStation::on_get_composite_schedule},
      {"GetReport", &ChargingStation::on_get_report},
      {"GetTransactionStatus", &ChargingStation::on_get_transaction_status},
      {"GetLog", &ChargingStation::on_get_log},
      {"GetVariables", &ChargingStation::on_get_variables},
      {"PublishFirmware", &ChargingStation::on_publish_firmware},
      {"UnpublishFirmware", &ChargingStation::on_unpublish_firmware},
      {"UpdateFirmware", &ChargingStation::on_update_firmware},
      {"RequestStartTransaction", &ChargingStation::on_request_start},
      {"RequestStopTransaction", &ChargingStation::on_request_stop},
      {"Reset", &ChargingStation::on_reset},
      {"ReserveNow", &ChargingStation::on_reserve_now},
      {"CancelReservation", &ChargingStation::on_cancel_reservation},
      {"SendLocalList", &ChargingStation::on_send_local_list},
      {"GetLocalListVersion", &ChargingStation::on_get_local_list_version},
      {"SetChargingProfile", &ChargingStation::on_set_charging_profile},
      {"SetVariables", &ChargingStation::on_set_variables},
      {"TriggerMessage", &ChargingStation::on_trigger_message},
      {"UnlockConnector", &ChargingStation::on_unlock},
  };
  std::function<CallAnswer()> handler;
  if (auto block = block_handlers_.find(call.action()); block != block_handlers_.end()) {
    handler = [&call, &fn = block->second] { return fn(call); };
  } else if (auto it = handlers.find(call.action()); it != handlers.end()) {
    handler = [this, &call, fn = it->second] { return (this->*fn)(call); };
  }
  // No handler: known to 2.0.1 but not played by this station, or not 2.0.1 at all.
  return answer_call(call, handler, find_action(call.action()) != nullptr, "charging station");
}

bool ChargingStation::can_start(int evse) const {
  if (evse < 1 || evse > evse_count()) return false;
  const auto& e = evses_[static_cast<std::size_t>(evse)];
  return !e.tx && !e.starting && operative(evse) &&
         (e.status == ConnectorStatusEnumType::Available ||
          e.status == ConnectorStatusEnumType::Occupied);
}

CallAnswer ChargingStation::on_request_start(const ocpp::Frame& call) {
  return answer<RequestStartTransactionRequest>(call, [this](const auto& req) {
    Outcome<RequestStartTransactionResponse> out{{}, {}};
    out.response.status = RequestStartStopStatusEnumType::Rejected;
    int evse = 0;
    if (req.evseId) {
      if (can_start_for(static_cast<int>(*req.evseId), req.idToken.idToken))
        evse = static_cast<int>(*req.evseId);
    } else {
      for (int n = 1; n <= evse_count() && evse == 0; ++n) {
        if (can_start_for(n, req.idToken.idToken)) evse = n;
      }
    }
    if (evse == 0 || shutting_down_ || rebooting() || reset_scheduled_) return out;
    out.response.status = RequestStartStopStatusEnumType::Accepted;
    out.then = [this, evse, token = req.idToken, remote_start_id = req.remoteStartId] {
      StartRequest request;
      request.id_token = token;
      request.remote_start_id = remote_start_id;
      start_transaction(evse, std::move(request), [this, evse](StepResult r) {
        if (!r.ok) log_.info("remote start on EVSE {} did not start: {}", evse, r.error);
      });
    };
    return out;
  });
}

CallAnswer ChargingStation::on_request_stop(const ocpp::Frame& call) {
  return answer<RequestStopTransactionRequest>(call, [this](const auto& req) {
    Outcome<RequestStopTransactionResponse> out{{}, {}};
    out.response.status = RequestStartStopStatusEnumType::Rejected;
    for (int n = 1; n <= evse_count(); ++n) {
      if (transaction_id(n) == req.transactionId) {
        out.response.status = RequestStartStopStatusEnumType::Accepted;
        out.then = [this, n] {
          stop_transaction(n, ReasonEnumType::Remote, TriggerReasonEnumType::RemoteStop, 1, {});
        };
        break;
      }
    }
    return out;
  });
}

CallAnswer ChargingStation::on_reset(const ocpp::Frame& call) {
  return answer<ResetRequest>(call, [this](const auto& req) {
    Outcome<ResetResponse> out{{}, {}};
    out.response.status = ResetStatusEnumType::Rejected;
    if (req.evseId) {
      out.response.statusInfo =
          status_info("UnsupportedRequest", "this station resets only as a whole");
      return out;
    }
    if (shutting_down_) return out;
    if (req.type == ResetEnumType::OnIdle && any_transaction()) {
      // After the last transaction ends (transaction_ended).
      reset_scheduled_ = true;
      out.response.status = ResetStatusEnumType::Scheduled;
      return out;
    }
    out.response.status = ResetStatusEnumType::Accepted;
    out.then = [this, type = std::string(to_string(req.type))] { reset_now(type); };
    return out;
  });
}

CallAnswer ChargingStation::on_unlock(const ocpp::Frame& call) {
  return answer<UnlockConnectorRequest>(call, [this](const auto& req) {
    Outcome<UnlockConnectorResponse> out{{}, {}};
    if (req.evseId < 1 || req.evseId > evse_count() || req.connectorId != 1) {
      out.response.status = UnlockStatusEnumType::UnknownConnector;
    } else if (has_transaction(static_cast<int>(req.evseId))) {
      out.response.status = UnlockStatusEnumType::OngoingAuthorizedTransaction;
    } else {
      out.response.status = UnlockStatusEnumType::Unlocked;
    }
    return out;
  });
}

CallAnswer ChargingStation::on_change_availability(const ocpp::Frame& call) {
  return answer<ChangeAvailabilityRequest>(call, [this](const auto& req) {
    Outcome<ChangeAvailabilityResponse> out{{}, {}};
    out.response.status = ChangeAvailabilityStatusEnumType::Rejected;
    const bool operative = req.operationalStatus == OperationalStatusEnumType::Operative;
    if (!req.evse || req.evse->id == 0) {
      // The station as a whole (EVSE id 0 means the same).
      if (req.evse && req.evse->connectorId) return out;
      if (!operative && any_transaction()) {
        station_scheduled_operative_ = false;
        out.response.status = ChangeAvailabilityStatusEnumType::Scheduled;
        return out;
      }
      out.response.status = ChangeAvailabilityStatusEnumType::Accepted;
      out.then = [this, operative] { apply_station_availability(operative); };
      return out;
    }
    const std::int64_t n = req.evse->id;
    if (n < 1 || n > evse_count() || (req.evse->connectorId && *req.evse->connectorId != 1)) {
      return out;
    }
    auto& e = evses_[static_cast<std::size_t>(n)];
    if (!operative && (e.tx || e.starting)) {
      // Not while charging: it takes effect when the transaction ends.
      e.scheduled_operative = false;
      out.response.status = ChangeAvailabilityStatusEnumType::Scheduled;
      return out;
    }
    out.response.status = ChangeAvailabilityStatusEnumType::Accepted;
    out.then = [this, evse = static_cast<int>(n), operative] {
      apply_availability(evse, operative);
    };
    return out;
  });
}

CallAnswer ChargingStation::on_trigger_message(const ocpp::Frame& call) {
  return answer<TriggerMessageRequest>(call, [this](const auto& req) {
    Outcome<TriggerMessageResponse> out{{}, {}};
    out.response.status = TriggerMessageStatusEnumType::Rejected;
    const int only = req.evse ? static_cast<int>(req.evse->id) : 0;  // 0: every EVSE
    if (req.evse && (only < 0 || only > evse_count() ||
                     (req.evse->connectorId && *req.evse->connectorId != 1))) {
      out.response.statusInfo = status_info("UnknownEvse");
      return out;
    }
    auto each_evse = [this, only](const std::function<void(int)>& fn) {
      for (int n = 1; n <= evse_count(); ++n) {
        if (only == 0 || n == only) fn(n);
      }
    };
    out.response.status = TriggerMessageStatusEnumType::Accepted;
    switch (req.requestedMessage) {
      case MessageTriggerEnumType::BootNotification:
        if (booted_) {
          // F06.FR.17: a station whose boot was accepted does not boot on request.
          out.response.status = TriggerMessageStatusEnumType::Rejected;
          break;
        }
        out.then = [this] {
          boot_reason_ = BootReasonEnumType::Triggered;
          send_boot();
        };
        break;
      case MessageTriggerEnumType::Heartbeat:
        out.then = [this] { send_triggered(make_call(HeartbeatRequest{})); };
        break;
      case MessageTriggerEnumType::StatusNotification:
        out.then = [this, each_evse] { each_evse([this](int n) { report_status(n, {}, true); }); };
        break;
      case MessageTriggerEnumType::MeterValues:
        out.then = [this, each_evse] {
          each_evse([this](int n) {
            MeterValueType reading;
            reading.timestamp = scheduler_.wall_now();
            reading.sampledValue =
                sample(n, ReadingContextEnumType::Trigger, "TxUpdatedMeasurands");
            if (reading.sampledValue.empty()) return;
            MeterValuesRequest mv;
            mv.evseId = n;
            mv.meterValue.push_back(std::move(reading));
            send_triggered(make_call(mv));
          });
        };
        break;
      case MessageTriggerEnumType::TransactionEvent: {
        bool any = false;
        each_evse([this, &any](int n) { any = any || has_transaction(n); });
        if (!any) {
          out.response.status = TriggerMessageStatusEnumType::Rejected;
          out.response.statusInfo = status_info("NoTransaction");
          break;
        }
        out.then = [this, each_evse] {
          each_evse([this](int n) {
            if (!has_transaction(n)) return;
            send_transaction_event(
                n, transaction_event(n, TransactionEventEnumType::Updated,
                                     TriggerReasonEnumType::Trigger,
                                     ReadingContextEnumType::Trigger, "TxUpdatedMeasurands"));
          });
        };
        break;
      }
      // The current status of each (maintenance.cpp); Idle when nothing is going on.
      case MessageTriggerEnumType::FirmwareStatusNotification:
        out.then = [this] { report_firmware_status(true); };
        break;
      case MessageTriggerEnumType::LogStatusNotification:
        out.then = [this] { report_log_status(true); };
        break;
      case MessageTriggerEnumType::PublishFirmwareStatusNotification:
        out.then = [this] { report_publish_status(true); };
        break;
      case MessageTriggerEnumType::SignChargingStationCertificate:
        out.then = [this] {
          certificates_.send_sign_certificate(
              CertificateSigningUseEnumType::ChargingStationCertificate);
        };
        break;
      case MessageTriggerEnumType::SignV2GCertificate:
        out.then = [this] {
          certificates_.send_sign_certificate(CertificateSigningUseEnumType::V2GCertificate);
        };
        break;
      case MessageTriggerEnumType::SignCombinedCertificate:
        out.then = [this] { certificates_.send_sign_certificate(std::nullopt); };
        break;
      default:
        out.response.status = TriggerMessageStatusEnumType::NotImplemented;
        break;
    }
    return out;
  });
}

CallAnswer ChargingStation::on_clear_cache(const ocpp::Frame& call) {
  return answer<ClearCacheRequest>(call, [this](const auto&) {
    Outcome<ClearCacheResponse> out{{}, {}};
    if (!model_.get_bool("AuthCacheCtrlr", "Enabled", true)) {
      out.response.status = ClearCacheStatusEnumType::Rejected;  // C11.FR.04: no cache to clear
      return out;
    }
    auth_cache_.clear();
    out.response.status = ClearCacheStatusEnumType::Accepted;
    return out;
  });
}

CallAnswer ChargingStation::on_get_transaction_status(const ocpp::Frame& call) {
  return answer<GetTransactionStatusRequest>(call, [this](const auto& req) {
    Outcome<GetTransactionStatusResponse> out{{}, {}};
    out.response.messagesInQueue = queued_events(req.transactionId) > 0;
    if (req.transactionId) {
      bool ongoing = false;
      for (int n = 1; n <= evse_count(); ++n)
        ongoing = ongoing || transaction_id(n) == req.transactionId;
      out.response.ongoingIndicator = ongoing;
    }
    return out;
  });
}

CallAnswer ChargingStation::on_data_transfer(const ocpp::Frame& call) {
  return answer<DataTransferRequest>(call, [](const auto& req) {
    Outcome<DataTransferResponse> out{{}, {}};
    out.response.status = DataTransferStatusEnumType::UnknownVendorId;
    if (req.vendorId == kVendorId) {
      out.response.status = DataTransferStatusEnumType::Accepted;
      out.response.data = req.data;
    }
    return out;
  });
}

}  // namespace simulator::v201
