// Station-initiated OCPP 2.0.1 messages, translated to the version-neutral
// services. A TransactionEvent is never rejected: whatever arrives is stored.
#include <charconv>
#include <cmath>

#include "csms/log.hpp"
#include "handlers/handler_support.hpp"
#include "handlers/v201/firmware.hpp"
#include "handlers/v201/handlers.hpp"
#include "handlers/v201/monitoring.hpp"
#include "handlers/v201/smart_charging.hpp"
#include "ocpp/v201/codec.hpp"
#include "rpc/router.hpp"
#include "rpc/secrets.hpp"
#include "services/services.hpp"

namespace csms::v201 {

namespace w = ocpp::v201;
using storage::DateTime;

namespace {

constexpr std::size_t kIdTokenMax = 36;  // IdTokenType.idToken maxLength
constexpr const char* kNoCertificateService = "NoCertificateService";  // reasonCode, <= 20

w::IdTokenInfoType token_info(const AuthInfo& a) {
  w::IdTokenInfoType info;
  // 2.0.1 tells an unknown token (Unknown) from a known invalid one (Invalid).
  info.status = a.known ? same_name<w::AuthorizationStatusEnumType>(a.status)
                        : w::AuthorizationStatusEnumType::Unknown;
  info.cacheExpiryDateTime = a.expiry;
  if (a.parent_id_tag && a.parent_id_tag->size() <= kIdTokenMax) {
    w::IdTokenType group;
    group.idToken = *a.parent_id_tag;
    group.type = w::IdTokenEnumType::Central;
    info.groupIdToken = group;
  }
  return info;
}

w::IdTokenInfoType accepted_without_token() {
  w::IdTokenInfoType info;
  info.status = w::AuthorizationStatusEnumType::Accepted;
  return info;
}

// The token's value when the CSMS should look it up; NoAuthorization carries none.
std::optional<std::string> id_tag_of(const std::optional<w::IdTokenType>& token) {
  if (!token || token->type == w::IdTokenEnumType::NoAuthorization) return std::nullopt;
  return token->idToken;
}

w::StatusInfoType no_certificate_service() {
  w::StatusInfoType info;
  info.reasonCode = kNoCertificateService;
  info.additionalInfo = "no certificate service is configured on this CSMS";
  return info;
}

// A 2.0.1 sampled value is a number with a power-of-ten multiplier; stored as
// the decimal text of value x 10^multiplier in the unit named.
std::string decimal_text(double v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

void add_samples(const std::string& station_id, int evse_id,
                 const std::vector<w::MeterValueType>& values,
                 std::vector<storage::MeterSample>& out) {
  for (const auto& mv : values) {
    for (const auto& sv : mv.sampledValue) {
      storage::MeterSample s;
      s.station_id = station_id;
      s.evse_id = evse_id;
      s.timestamp = mv.timestamp;
      double value = sv.value;
      if (sv.unitOfMeasure) {
        if (sv.unitOfMeasure->unit) s.unit = *sv.unitOfMeasure->unit;
        if (sv.unitOfMeasure->multiplier)
          value *= std::pow(10.0, static_cast<double>(*sv.unitOfMeasure->multiplier));
      }
      s.value = decimal_text(value);
      if (sv.measurand) s.measurand = std::string(w::to_string(*sv.measurand));
      if (sv.phase) s.phase = std::string(w::to_string(*sv.phase));
      if (sv.context) s.context = std::string(w::to_string(*sv.context));
      if (sv.location) s.location = std::string(w::to_string(*sv.location));
      s.format = sv.signedMeterValue ? "SignedData" : "Raw";
      if (const auto& signed_value = sv.signedMeterValue) {
        s.signed_data = signed_value->signedMeterData;
        s.signing_method = signed_value->signingMethod;
        s.encoding_method = signed_value->encodingMethod;
        s.public_key = signed_value->publicKey;
      }
      out.push_back(std::move(s));
    }
  }
}

// One DeviceVariable per reported attribute.
void add_variables(const std::vector<w::ReportDataType>& report,
                   std::vector<storage::DeviceVariable>& out) {
  for (const auto& item : report) {
    storage::DeviceVariable base;
    base.component = item.component.name;
    base.component_instance = item.component.instance.value_or("");
    if (item.component.evse) {
      base.evse_id = static_cast<int>(item.component.evse->id);
      base.connector_id = static_cast<int>(item.component.evse->connectorId.value_or(0));
    }
    base.variable = item.variable.name;
    base.variable_instance = item.variable.instance.value_or("");
    if (const auto& c = item.variableCharacteristics) {
      base.data_type = std::string(w::to_string(c->dataType));
      base.unit = c->unit.value_or("");
      base.min_limit = c->minLimit;
      base.max_limit = c->maxLimit;
      base.values_list = c->valuesList.value_or("");
      base.supports_monitoring = c->supportsMonitoring;
    }
    for (const auto& attribute : item.variableAttribute) {
      storage::DeviceVariable v = base;
      // Schema defaults: type Actual, mutability ReadWrite, not persistent/constant.
      v.attribute_type = attribute.type ? std::string(w::to_string(*attribute.type)) : "Actual";
      v.value = attribute.value;
      // A station that reports its password (write-only) does not get it stored.
      if (v.value && is_secret_variable(base.component, base.variable))
        v.value = std::string(kRedacted);
      v.mutability =
          attribute.mutability ? std::string(w::to_string(*attribute.mutability)) : "ReadWrite";
      v.persistent = attribute.persistent.value_or(false);
      v.constant = attribute.constant.value_or(false);
      out.push_back(std::move(v));
    }
  }
}

void register_transaction_event(Router& router, Services& sv) {
  router.on<w::TransactionEventRequest>([&sv](StationSession& s, w::TransactionEventRequest req,
                                              Reply<w::TransactionEventResponse> reply) {
    TxEventRequest ev;
    ev.station_id = s.station_id();
    ev.station_tx_id = req.transactionInfo.transactionId;
    ev.event.seq_no = req.seqNo;
    ev.event.type = *storage::tx_event_type_from_string(w::to_string(req.eventType));
    ev.event.timestamp = req.timestamp;
    ev.event.trigger_reason = std::string(w::to_string(req.triggerReason));
    if (req.transactionInfo.stoppedReason)
      ev.event.stopped_reason = std::string(w::to_string(*req.transactionInfo.stoppedReason));
    ev.event.id_tag = id_tag_of(req.idToken);
    ev.event.offline = req.offline.value_or(false);
    if (req.evse) {
      ev.evse_id = static_cast<int>(req.evse->id);
      if (req.evse->connectorId) ev.connector_id = static_cast<int>(*req.evse->connectorId);
    }
    if (req.transactionInfo.chargingState)
      ev.charging_state = std::string(w::to_string(*req.transactionInfo.chargingState));
    ev.remote_start_id = req.transactionInfo.remoteStartId;
    ev.reservation_id = req.reservationId;
    if (req.meterValue)
      add_samples(s.station_id(), ev.evse_id.value_or(0), *req.meterValue, ev.samples);
    const bool has_token = req.idToken.has_value();
    std::string station = s.station_id();
    sv.transactions.event(
        std::move(ev), [reply, station, has_token](std::exception_ptr e, TxEventResult r) {
          if (e) return storage_failed(reply, station, "TransactionEvent", e);
          w::TransactionEventResponse res;
          // idTokenInfo answers an idToken (E01.FR.10); NoAuthorization needs no verdict.
          if (has_token) res.idTokenInfo = r.auth ? token_info(*r.auth) : accepted_without_token();
          reply(res);
        });
  });
}

void register_certificate_requests(Router& router, Services& sv) {
  // A02/A03: the CSR is checked (off the network thread) before the answer; an
  // invalid one is Rejected with a security event and gets no certificate.
  router.on<w::SignCertificateRequest>([&sv](StationSession& s, w::SignCertificateRequest req,
                                             Reply<w::SignCertificateResponse> reply) {
    const bool v2g =
        req.certificateType &&
        *req.certificateType != w::CertificateSigningUseEnumType::ChargingStationCertificate;
    if (v2g || !sv.ca.available()) {
      log::info("{}: SignCertificate rejected: {}", s.station_id(),
                v2g ? "no V2G certificate service here" : "no station CA configured");
      w::SignCertificateResponse res;
      res.status = w::GenericStatusEnumType::Rejected;
      res.statusInfo = no_certificate_service();
      return reply(res);
    }
    sv.ca.sign_request(s.station_id(), "2.0.1", req.csr, [reply](bool accepted) {
      w::SignCertificateResponse res;
      res.status =
          accepted ? w::GenericStatusEnumType::Accepted : w::GenericStatusEnumType::Rejected;
      if (!accepted) {
        w::StatusInfoType info;
        info.reasonCode = "InvalidCSR";
        info.additionalInfo = "the CSMS did not accept this CSR (see its security events)";
        res.statusInfo = info;
      }
      reply(res);
    });
  });
  router.on<w::Get15118EVCertificateRequest>([](StationSession&, w::Get15118EVCertificateRequest,
                                                Reply<w::Get15118EVCertificateResponse> reply) {
    w::Get15118EVCertificateResponse res;
    res.status = w::Iso15118EVCertificateStatusEnumType::Failed;
    res.statusInfo = no_certificate_service();
    reply(res);
  });
  router.on<w::GetCertificateStatusRequest>([](StationSession&, w::GetCertificateStatusRequest,
                                               Reply<w::GetCertificateStatusResponse> reply) {
    w::GetCertificateStatusResponse res;
    res.status = w::GetCertificateStatusEnumType::Failed;
    res.statusInfo = no_certificate_service();
    reply(res);
  });
}

void register_notifications(Router& router, Services& sv) {
  // Firmware, publishing and log status: history per station (firmware_messages.cpp).
  register_firmware_handlers(router, sv);
  keep_notification<w::NotifyChargingLimitRequest>(router, sv);
  keep_notification<w::ClearedChargingLimitRequest>(router, sv);
  keep_notification<w::NotifyDisplayMessagesRequest>(router, sv);
  keep_notification<w::NotifyCustomerInformationRequest>(router, sv);
  register_reservation_messages(router, sv);
  // The EV's schedule is information: taken. Its needs ask the CSMS to compute
  // an ISO 15118 schedule from them, which it does not (operators set limits
  // with set-profile): Rejected, i.e. no profile will follow (K15).
  w::NotifyEVChargingScheduleResponse schedule;
  schedule.status = w::GenericStatusEnumType::Accepted;
  keep_notification<w::NotifyEVChargingScheduleRequest>(router, sv, schedule);
  w::NotifyEVChargingNeedsResponse needs;
  needs.status = w::NotifyEVChargingNeedsStatusEnumType::Rejected;
  keep_notification<w::NotifyEVChargingNeedsRequest>(router, sv, needs);
}

}  // namespace

void register_handlers(Router& router, Services& sv) {
  handle_boot<w::BootNotificationRequest>(router, sv, [](const w::BootNotificationRequest& req) {
    BootInfo info;
    info.vendor = req.chargingStation.vendorName;
    info.model = req.chargingStation.model;
    info.serial_number = req.chargingStation.serialNumber.value_or("");
    info.firmware_version = req.chargingStation.firmwareVersion.value_or("");
    info.ocpp_version = "2.0.1";
    info.reason = std::string(w::to_string(req.reason));
    return info;
  });

  handle_heartbeat<w::HeartbeatRequest>(router, sv);

  router.on<w::StatusNotificationRequest>([&sv](StationSession& s, w::StatusNotificationRequest req,
                                                Reply<w::StatusNotificationResponse> reply) {
    storage::Connector c;
    c.station_id = s.station_id();
    c.evse_id = static_cast<int>(req.evseId);
    c.connector_id = static_cast<int>(req.connectorId);
    c.status = storage::connector_status_from_string(w::to_string(req.connectorStatus));
    c.updated_at = req.timestamp;
    // Answered once stored: the station forgets the notification on the answer.
    sv.stations.connector_status(c, [reply, station = s.station_id()](std::exception_ptr e) {
      if (e) return storage_failed(reply, station, w::StatusNotificationRequest::kAction, e);
      reply(w::StatusNotificationResponse{});
    });
  });

  router.on<w::AuthorizeRequest>(
      [&sv](StationSession& s, w::AuthorizeRequest req, Reply<w::AuthorizeResponse> reply) {
        auto id_tag = id_tag_of(req.idToken);
        if (!id_tag) {
          w::AuthorizeResponse res;
          res.idTokenInfo = accepted_without_token();
          return reply(res);
        }
        std::string station = s.station_id();
        sv.auth.authorize(*id_tag, station, [reply, station](std::exception_ptr e, AuthInfo a) {
          if (e) return storage_failed(reply, station, "Authorize", e);
          w::AuthorizeResponse res;
          res.idTokenInfo = token_info(a);
          reply(res);
        });
      });

  register_transaction_event(router, sv);

  router.on<w::MeterValuesRequest>(
      [&sv](StationSession& s, w::MeterValuesRequest req, Reply<w::MeterValuesResponse> reply) {
        std::vector<storage::MeterSample> samples;
        add_samples(s.station_id(), static_cast<int>(req.evseId), req.meterValue, samples);
        std::string station = s.station_id();
        sv.transactions.meter_values(std::move(samples), [reply, station](std::exception_ptr e) {
          if (e) return storage_failed(reply, station, "MeterValues", e);
          reply(w::MeterValuesResponse{});
        });
      });

  router.on<w::NotifyReportRequest>(
      [&sv](StationSession& s, w::NotifyReportRequest req, Reply<w::NotifyReportResponse> reply) {
        std::vector<storage::DeviceVariable> variables;
        if (req.reportData) add_variables(*req.reportData, variables);
        std::string station = s.station_id();
        sv.device_model.report_part(station, req.requestId, req.seqNo, req.tbc.value_or(false),
                                    req.generatedAt, std::move(variables),
                                    [reply, station](std::exception_ptr e) {
                                      if (e)
                                        return storage_failed(reply, station, "NotifyReport", e);
                                      reply(w::NotifyReportResponse{});
                                    });
      });

  handle_data_transfer<w::DataTransferRequest>(router);

  handle_security_event<w::SecurityEventNotificationRequest>(router, sv);

  register_certificate_requests(router, sv);
  register_notifications(router, sv);
  register_smart_charging_handlers(router, sv);  // ReportChargingProfiles
  register_monitoring_messages(router, sv);      // NotifyMonitoringReport, NotifyEvent
}

}  // namespace csms::v201
