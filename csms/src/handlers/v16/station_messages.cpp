// Station-initiated OCPP 1.6 messages (Core profile and the Security Whitepaper
// notifications), translated to the version-neutral services.
#include "csms/log.hpp"
#include "handlers/handler_support.hpp"
#include "handlers/v16/firmware.hpp"
#include "handlers/v16/handlers.hpp"
#include "ocpp/v16/codec.hpp"
#include "rpc/router.hpp"
#include "services/services.hpp"

namespace csms::v16 {

namespace w = ocpp::v16;
using storage::DateTime;

namespace {

constexpr std::size_t kParentIdTagMax = 20;  // 1.6 IdTagInfo.parentIdTag maxLength

w::IdTagInfo to_wire(const AuthInfo& a) {
  w::IdTagInfo info;
  info.status = same_name<w::AuthorizationStatus>(a.status);
  info.expiryDate = a.expiry;
  // Group ids may be up to 36 characters (2.0.1); 1.6 cannot carry longer than 20.
  if (a.parent_id_tag && a.parent_id_tag->size() <= kParentIdTagMax)
    info.parentIdTag = a.parent_id_tag;
  return info;
}

void add_samples(const std::string& station_id, int connector_id,
                 std::optional<std::int64_t> transaction_id,
                 const std::vector<w::MeterValue>& values, std::vector<storage::MeterSample>& out) {
  for (const auto& mv : values) {
    for (const auto& sv : mv.sampledValue) {
      storage::MeterSample s;
      s.station_id = station_id;
      s.connector_id = connector_id;
      s.transaction_id = transaction_id;
      s.timestamp = mv.timestamp;
      s.value = sv.value;
      if (sv.measurand) s.measurand = std::string(w::to_string(*sv.measurand));
      if (sv.phase) s.phase = std::string(w::to_string(*sv.phase));
      if (sv.unit) s.unit = std::string(w::to_string(*sv.unit));
      if (sv.context) s.context = std::string(w::to_string(*sv.context));
      if (sv.location) s.location = std::string(w::to_string(*sv.location));
      if (sv.format) s.format = std::string(w::to_string(*sv.format));
      if (s.format == "SignedData") s.signed_data = s.value;
      out.push_back(std::move(s));
    }
  }
}

}  // namespace

void register_handlers(Router& router, Services& sv) {
  handle_boot<w::BootNotificationRequest>(router, sv, [](const w::BootNotificationRequest& req) {
    BootInfo info;
    info.vendor = req.chargePointVendor;
    info.model = req.chargePointModel;
    info.serial_number =
        req.chargePointSerialNumber.value_or(req.chargeBoxSerialNumber.value_or(""));
    info.firmware_version = req.firmwareVersion.value_or("");
    info.ocpp_version = "1.6";
    return info;
  });

  handle_heartbeat<w::HeartbeatRequest>(router, sv);

  router.on<w::StatusNotificationRequest>([&sv](StationSession& s, w::StatusNotificationRequest req,
                                                Reply<w::StatusNotificationResponse> reply) {
    storage::Connector c;
    c.station_id = s.station_id();
    c.connector_id = static_cast<int>(req.connectorId);
    c.status = storage::connector_status_from_string(w::to_string(req.status));
    c.error_code = std::string(w::to_string(req.errorCode));
    c.info = req.info.value_or("");
    c.vendor_error_code = req.vendorErrorCode.value_or("");
    c.updated_at = req.timestamp.value_or(sv.ctx.now());
    // Answered once stored: the station forgets the notification on the answer.
    sv.stations.connector_status(c, [reply, station = s.station_id()](std::exception_ptr e) {
      if (e) return storage_failed(reply, station, w::StatusNotificationRequest::kAction, e);
      reply(w::StatusNotificationResponse{});
    });
  });

  router.on<w::AuthorizeRequest>(
      [&sv](StationSession& s, w::AuthorizeRequest req, Reply<w::AuthorizeResponse> reply) {
        std::string station = s.station_id();
        sv.auth.authorize(req.idTag, station, [reply, station](std::exception_ptr e, AuthInfo a) {
          if (e) return storage_failed(reply, station, "Authorize", e);
          w::AuthorizeResponse res;
          res.idTagInfo = to_wire(a);
          reply(res);
        });
      });

  router.on<w::StartTransactionRequest>([&sv](StationSession& s, w::StartTransactionRequest req,
                                              Reply<w::StartTransactionResponse> reply) {
    StartRequest start;
    start.station_id = s.station_id();
    start.connector_id = static_cast<int>(req.connectorId);
    start.id_tag = req.idTag;
    start.meter_start = req.meterStart;
    start.timestamp = req.timestamp;
    start.reservation_id = req.reservationId;
    std::string station = s.station_id();
    sv.transactions.start(start, [reply, station](std::exception_ptr e, StartResult r) {
      if (e) return storage_failed(reply, station, "StartTransaction", e);
      w::StartTransactionResponse res;
      res.transactionId = r.transaction_id;
      res.idTagInfo = to_wire(r.auth);
      reply(res);
    });
  });

  router.on<w::StopTransactionRequest>([&sv](StationSession& s, w::StopTransactionRequest req,
                                             Reply<w::StopTransactionResponse> reply) {
    StopRequest stop;
    stop.station_id = s.station_id();
    stop.transaction_id = req.transactionId;
    stop.id_tag = req.idTag;
    stop.meter_stop = req.meterStop;
    stop.timestamp = req.timestamp;
    stop.reason = req.reason ? std::string(w::to_string(*req.reason)) : std::string("Local");
    stop.payload_json = w::to_json(req);
    if (req.transactionData)
      add_samples(s.station_id(), 0, std::nullopt, *req.transactionData, stop.samples);
    std::string station = s.station_id();
    sv.transactions.stop(stop, [reply, station](std::exception_ptr e, StopResult r) {
      if (e) return storage_failed(reply, station, "StopTransaction", e);
      w::StopTransactionResponse res;
      if (r.auth) res.idTagInfo = to_wire(*r.auth);
      reply(res);
    });
  });

  router.on<w::MeterValuesRequest>(
      [&sv](StationSession& s, w::MeterValuesRequest req, Reply<w::MeterValuesResponse> reply) {
        std::vector<storage::MeterSample> samples;
        add_samples(s.station_id(), static_cast<int>(req.connectorId), req.transactionId,
                    req.meterValue, samples);
        std::string station = s.station_id();
        sv.transactions.meter_values(std::move(samples), [reply, station](std::exception_ptr e) {
          if (e) return storage_failed(reply, station, "MeterValues", e);
          reply(w::MeterValuesResponse{});
        });
      });

  handle_data_transfer<w::DataTransferRequest>(router);

  // Status notifications, kept as they came (per-topic views come with the
  // firmware/diagnostics work).
  // Firmware, diagnostics and log status: history per station (firmware_messages.cpp).
  register_firmware_handlers(router, sv);
  handle_security_event<w::SecurityEventNotificationRequest>(router, sv);
  // The CSR is checked (off the network thread) before the answer; an invalid
  // one is Rejected with a security event and gets no certificate.
  router.on<w::SignCertificateRequest>([&sv](StationSession& s, w::SignCertificateRequest req,
                                             Reply<w::SignCertificateResponse> reply) {
    sv.ca.sign_request(s.station_id(), "1.6", req.csr, [reply](bool accepted) {
      w::SignCertificateResponse res;
      res.status =
          accepted ? w::GenericStatusEnumType::Accepted : w::GenericStatusEnumType::Rejected;
      reply(res);
    });
  });
}

}  // namespace csms::v16
