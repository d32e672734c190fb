// Answers to the CSMS's CALLs, as a 1.6 charge point gives them.
#include <functional>
#include <map>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "ocpp/v16/actions.hpp"
#include "ocpp/v16/codec.hpp"
#include "rpc.hpp"
#include "simulator/v16/charge_point.hpp"

namespace simulator::v16 {

using namespace ocpp::v16;

namespace {

constexpr std::string_view kVendorId = "ocpp-sim";

template <typename Request, typename Fn>
CallAnswer answer(const ocpp::Frame& call, Fn&& fn) {
  return simulator::answer<Request>(call, ocpp::Version::v16, std::forward<Fn>(fn));
}

}  // namespace

CallAnswer ChargePoint::handle_call(const ocpp::Frame& call) {
  using Handler = CallAnswer (ChargePoint::*)(const ocpp::Frame&);
  static const std::map<std::string_view, Handler> handlers = {
      {"ChangeAvailability", &ChargePoint::on_change_availability},
      {"ChangeConfiguration", &ChargePoint::on_change_configuration},
      {"ClearCache", &ChargePoint::on_clear_cache},
      {"ClearChargingProfile", &ChargePoint::on_clear_charging_profile},
      {"DataTransfer", &ChargePoint::on_data_transfer},
      {"GetCompositeSchedule", &ChargePoint::on_get_composite_schedule},
      {"GetConfiguration", &ChargePoint::on_get_configuration},
      {"GetDiagnostics", &ChargePoint::on_get_diagnostics},
      {"GetLog", &ChargePoint::on_get_log},
      {"SignedUpdateFirmware", &ChargePoint::on_signed_update_firmware},
      {"UpdateFirmware", &ChargePoint::on_update_firmware},
      {"RemoteStartTransaction", &ChargePoint::on_remote_start},
      {"RemoteStopTransaction", &ChargePoint::on_remote_stop},
      {"Reset", &ChargePoint::on_reset},
      {"ReserveNow", &ChargePoint::on_reserve_now},
      {"CancelReservation", &ChargePoint::on_cancel_reservation},
      {"SendLocalList", &ChargePoint::on_send_local_list},
      {"GetLocalListVersion", &ChargePoint::on_get_local_list_version},
      {"SetChargingProfile", &ChargePoint::on_set_charging_profile},
      {"TriggerMessage", &ChargePoint::on_trigger_message},
      {"ExtendedTriggerMessage", &ChargePoint::on_extended_trigger_message},
      {"UnlockConnector", &ChargePoint::on_unlock},
  };
  std::function<CallAnswer()> handler;
  if (auto block = block_handlers_.find(call.action()); block != block_handlers_.end()) {
    handler = [&call, &fn = block->second] { return fn(call); };
  } else if (auto it = handlers.find(call.action()); it != handlers.end()) {
    handler = [this, &call, fn = it->second] { return (this->*fn)(call); };
  }
  // No handler: known to 1.6 but not played by this charger, or not 1.6 at all.
  return answer_call(call, handler, find_action(call.action()) != nullptr, "charge point");
}

bool ChargePoint::can_start(int connector) const {
  if (connector < 1 || connector > connector_count()) return false;
  const auto& c = connectors_[static_cast<std::size_t>(connector)];
  return !c.session && !c.starting && c.operative &&
         (c.status == ChargePointStatus::Available || c.status == ChargePointStatus::Preparing);
}

CallAnswer ChargePoint::on_remote_start(const ocpp::Frame& call) {
  return answer<RemoteStartTransactionRequest>(call, [this](const auto& req) {
    Outcome<RemoteStartTransactionResponse> out{{RemoteStartStopStatus::Rejected}, {}};
    int connector = 0;
    if (req.connectorId) {
      if (can_start_for(static_cast<int>(*req.connectorId), req.idTag)) {
        connector = static_cast<int>(*req.connectorId);
      }
    } else {
      for (int n = 1; n <= connector_count() && connector == 0; ++n) {
        if (can_start_for(n, req.idTag)) connector = n;
      }
    }
    if (connector == 0 || shutting_down_ || rebooting()) return out;
    out.response.status = RemoteStartStopStatus::Accepted;
    out.then = [this, connector, id_tag = req.idTag] {
      start_session(connector, id_tag, true, 1, std::nullopt, [this, connector](StepResult r) {
        if (!r.ok) log_.info("remote start on connector {} did not start: {}", connector, r.error);
      });
    };
    return out;
  });
}

CallAnswer ChargePoint::on_remote_stop(const ocpp::Frame& call) {
  return answer<RemoteStopTransactionRequest>(call, [this](const auto& req) {
    Outcome<RemoteStopTransactionResponse> out{{RemoteStartStopStatus::Rejected}, {}};
    for (int n = 1; n <= connector_count(); ++n) {
      if (transaction_id(n) == req.transactionId) {
        out.response.status = RemoteStartStopStatus::Accepted;
        out.then = [this, n] { stop_session(n, Reason::Remote, 1, {}); };
        break;
      }
    }
    return out;
  });
}

CallAnswer ChargePoint::on_reset(const ocpp::Frame& call) {
  return answer<ResetRequest>(call, [this](const auto& req) {
    return Outcome<ResetResponse>{{ResetStatus::Accepted},
                                  [this, type = req.type] { reset(type); }};
  });
}

CallAnswer ChargePoint::on_unlock(const ocpp::Frame& call) {
  return answer<UnlockConnectorRequest>(call, [this](const auto& req) {
    Outcome<UnlockConnectorResponse> out{{UnlockStatus::NotSupported}, {}};
    if (req.connectorId < 1 || req.connectorId > connector_count()) return out;
    const int n = static_cast<int>(req.connectorId);
    out.response.status = UnlockStatus::Unlocked;
    out.then = [this, n] {
      if (has_session(n)) stop_session(n, Reason::UnlockCommand, 1, {});
    };
    return out;
  });
}

CallAnswer ChargePoint::on_change_availability(const ocpp::Frame& call) {
  return answer<ChangeAvailabilityRequest>(call, [this](const auto& req) {
    Outcome<ChangeAvailabilityResponse> out{{AvailabilityStatus::Rejected}, {}};
    if (req.connectorId < 0 || req.connectorId > connector_count()) return out;
    const bool operative = req.type == AvailabilityType::Operative;
    std::vector<int> now;
    bool scheduled = false;
    const int first = req.connectorId == 0 ? 0 : static_cast<int>(req.connectorId);
    const int last = req.connectorId == 0 ? connector_count() : first;
    for (int n = first; n <= last; ++n) {
      auto& c = connectors_[static_cast<std::size_t>(n)];
      if (!operative && c.session) {
        // Not while charging: it takes effect when the session ends.
        c.scheduled_operative = false;
        scheduled = true;
      } else {
        now.push_back(n);
      }
    }
    out.response.status = scheduled ? AvailabilityStatus::Scheduled : AvailabilityStatus::Accepted;
    out.then = [this, now, operative] {
      for (int n : now) apply_availability(n, operative);
    };
    return out;
  });
}

CallAnswer ChargePoint::on_change_configuration(const ocpp::Frame& call) {
  return answer<ChangeConfigurationRequest>(call, [this](const auto& req) {
    Outcome<ChangeConfigurationResponse> out{{ConfigurationStatus::Rejected}, {}};
    // Security keys are the station's own business: never stored in the
    // configuration, never logged.
    if (iequals(req.key, "AuthorizationKey")) {
      out.response.status = change_authorization_key(req.value, out.then);
      return out;
    }
    if (iequals(req.key, "SecurityProfile")) {
      out.response.status = change_security_profile(req.value, out.then);
      return out;
    }
    switch (config_.set(req.key, req.value)) {
      case ConfigResult::Accepted:
        out.response.status = ConfigurationStatus::Accepted;
        break;
      case ConfigResult::RebootRequired:
        out.response.status = ConfigurationStatus::RebootRequired;
        break;
      case ConfigResult::Rejected:
        out.response.status = ConfigurationStatus::Rejected;
        break;
      case ConfigResult::NotSupported:
        out.response.status = ConfigurationStatus::NotSupported;
        break;
    }
    if (out.response.status == ConfigurationStatus::Accepted) {
      out.then = [this, key = config_.find(req.key)->name] { config_changed(key); };
    }
    return out;
  });
}

ConfigurationStatus ChargePoint::change_authorization_key(const std::string& value,
                                                          std::function<void()>& then) {
  // Security whitepaper: 16..20 bytes, hex-encoded (32..40 hex digits).
  const bool hex = value.size() % 2 == 0 && value.size() >= 32 && value.size() <= 40 &&
                   value.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
  if (!hex) {
    log_.warn("AuthorizationKey rejected: not 16-20 bytes in hexadecimal");
    return ConfigurationStatus::Rejected;
  }
  if (auto refusal = password_refusal()) {
    log_.warn("AuthorizationKey rejected: {}", *refusal);
    return ConfigurationStatus::Rejected;
  }
  // The key is the password's bytes in hexadecimal: the decoded bytes are the
  // Basic-auth password of the next connection (as the CSMS checks it).
  std::string password;
  for (std::size_t i = 0; i < value.size(); i += 2)
    password.push_back(static_cast<char>(std::stoi(value.substr(i, 2), nullptr, 16)));
  then = [this, password] { rotate_password(password); };
  return ConfigurationStatus::Accepted;
}

ConfigurationStatus ChargePoint::change_security_profile(const std::string& value,
                                                         std::function<void()>& then) {
  const int wanted = value.size() == 1 && value[0] >= '0' && value[0] <= '3' ? value[0] - '0' : -1;
  std::string why;
  if (wanted < 0) {
    why = "not 0..3";
  } else if (wanted < credentials_.profile) {
    why = "lower than the current profile " + std::to_string(credentials_.profile);
  } else if (wanted >= 2 && settings_.tls_url.empty() && link_.url().rfind("wss://", 0) != 0) {
    why = "no wss:// URL to go to (--tls-url)";
  } else if (wanted == 3 && credentials_.cert_pem.empty()) {
    why = "no client certificate installed";
  } else if (wanted >= 1 && !credentials_.password && wanted < 3) {
    why = "no Basic-auth password to use";
  }
  if (!why.empty()) {
    log_.warn("SecurityProfile {} rejected: {}", value, why);
    return ConfigurationStatus::Rejected;
  }
  if (wanted == credentials_.profile) return ConfigurationStatus::Accepted;
  then = [this, wanted] {
    std::string error;
    const std::string url =
        wanted >= 2 && !settings_.tls_url.empty() ? settings_.tls_url : link_.url();
    if (!switch_endpoint(url, wanted, error)) {
      emit_error("SecurityProfile: " + error);
      return;
    }
    reconnect_with_new_credentials();
  };
  return ConfigurationStatus::Accepted;
}

void ChargePoint::security_profile_changed(int profile) {
  config_.force("SecurityProfile", std::to_string(profile));
}

void ChargePoint::config_changed(const std::string& key) {
  log_.info("configuration {} = {}", key, config_.get(key).value_or(""));
  if (key == "HeartbeatInterval") {
    if (ready()) schedule_heartbeat();
  } else if (key == "MeterValueSampleInterval") {
    for (int n = 1; n <= connector_count(); ++n) schedule_sample(n);
  }
}

CallAnswer ChargePoint::on_get_configuration(const ocpp::Frame& call) {
  return answer<GetConfigurationRequest>(call, [this](const auto& req) {
    Outcome<GetConfigurationResponse> out{{}, {}};
    std::vector<KeyValue> found;
    std::vector<std::string> unknown;
    auto add = [&found](const ConfigKey& k) {
      found.push_back(KeyValue{k.name, k.readonly, k.value});
    };
    if (!req.key || req.key->empty()) {
      for (const auto& k : config_.keys()) add(k);
    } else {
      for (const auto& name : *req.key) {
        if (const ConfigKey* k = config_.find(name)) {
          add(*k);
        } else {
          unknown.push_back(name);
        }
      }
    }
    if (!found.empty()) out.response.configurationKey = std::move(found);
    if (!unknown.empty()) out.response.unknownKey = std::move(unknown);
    return out;
  });
}

CallAnswer ChargePoint::on_clear_cache(const ocpp::Frame& call) {
  return answer<ClearCacheRequest>(call, [this](const auto&) {
    auth_cache_.clear();
    return Outcome<ClearCacheResponse>{{ClearCacheStatus::Accepted}, {}};
  });
}

CallAnswer ChargePoint::on_data_transfer(const ocpp::Frame& call) {
  return answer<DataTransferRequest>(call, [](const auto& req) {
    Outcome<DataTransferResponse> out{{DataTransferStatus::UnknownVendorId, std::nullopt}, {}};
    if (req.vendorId == kVendorId) {
      out.response.status = DataTransferStatus::Accepted;
      out.response.data = req.data;
    }
    return out;
  });
}

CallAnswer ChargePoint::on_trigger_message(const ocpp::Frame& call) {
  return answer<TriggerMessageRequest>(call, [this](const auto& req) {
    Outcome<TriggerMessageResponse> out{{TriggerMessageStatus::Rejected}, {}};
    const std::int64_t n = req.connectorId.value_or(-1);
    if (req.connectorId && (n < 0 || n > connector_count())) return out;
    out.response.status = TriggerMessageStatus::Accepted;
    out.then = triggered(req.requestedMessage, n);
    return out;
  });
}

std::function<void()> ChargePoint::triggered(MessageTrigger message, std::int64_t n) {
  switch (message) {
    case MessageTrigger::BootNotification:
      return [this] { send_boot(); };
    case MessageTrigger::Heartbeat:
      return [this] {
        if (ready()) messenger_.call(make_call(HeartbeatRequest{}));
      };
    case MessageTrigger::StatusNotification:
      return [this, n] {
        for (int c = 0; c <= connector_count(); ++c) {
          if (n < 0 || c == n) report_status(c);
        }
      };
    case MessageTrigger::MeterValues:
      return [this, n] {
        if (!ready()) return;
        for (int c = 1; c <= connector_count(); ++c) {
          if (n <= 0 || c == n) send_meter_values(c, ReadingContext::Trigger, false);
        }
      };
    case MessageTrigger::DiagnosticsStatusNotification:
      return [this] { report_diagnostics_status(); };  // maintenance.cpp
    case MessageTrigger::FirmwareStatusNotification:
      return [this] { report_plain_firmware_status(); };
  }
  return nullptr;
}

}  // namespace simulator::v16
