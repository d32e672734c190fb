#include "services/firmware_service.hpp"

#include <chrono>

#include "csms/log.hpp"
#include "uploads/upload_server.hpp"

namespace csms {

using storage::DateTime;

void store_status_report(ServerContext& ctx, storage::StatusReport report, std::string payload_json,
                         std::function<void(std::exception_ptr)> done) {
  ctx.db.write(
      [report = std::move(report), payload = std::move(payload_json)](storage::Session& s) {
        s.firmware.add_status(report);
        storage::StationNotification n;
        n.station_id = report.station_id;
        n.action = report.action;
        n.received_at = report.received_at;
        n.payload = payload;
        s.notifications.append(n);
      },
      ctx.on_io(std::move(done)));
}

void record_firmware_request(ServerContext& ctx, storage::FirmwareRequest request) {
  ctx.db.write(
      [request = std::move(request)](storage::Session& s) { s.firmware.add_request(request); },
      [station = request.station_id](std::exception_ptr e) {
        if (e) log::warn("{}: firmware request not recorded", station);
      });
}

void open_upload_slot(ServerContext& ctx, const std::string& station_id, const std::string& action,
                      std::optional<std::int64_t> request_id, const std::string& log_type,
                      std::function<void(std::exception_ptr, UploadSlot)> done) {
  storage::UploadRequest r;
  UploadSlot slot;
  try {
    r.token = uploads::new_token();
  } catch (...) {
    done(std::current_exception(), slot);
    return;
  }
  r.station_id = station_id;
  r.action = action;
  r.request_id = request_id;
  r.log_type = log_type;
  r.created_at = ctx.now();
  r.expires_at = DateTime::from_unix_micros(r.created_at.unix_micros() +
                                            std::int64_t{ctx.config.uploads_token_ttl_s} * 1000000);
  slot.token = r.token;
  slot.location = ctx.config.uploads_public_url + "/uploads/" + r.token + "/";
  ctx.db.write([r](storage::Session& s) { s.uploads.add_request(r); },
               ctx.on_io([slot, done = std::move(done)](std::exception_ptr e) { done(e, slot); }));
}

void record_upload_answer(ServerContext& ctx, const std::string& token, const std::string& answer,
                          const std::string& file_name) {
  ctx.db.write([token, answer,
                file_name](storage::Session& s) { s.uploads.set_answer(token, answer, file_name); },
               nullptr);
}

}  // namespace csms
