// Admin API routes of firmware, diagnostics and logs: a station's firmware
// status with its history, the files stations uploaded, and their download.
#include <charconv>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include <boost/asio/post.hpp>

#include "admin/api.hpp"
#include "admin/json_out.hpp"
#include "admin/request.hpp"
#include "ocpp/common/utf8.hpp"

namespace csms::admin {

namespace {

using storage::StatusTopic;

void request_id(JsonOut& out, const std::optional<std::int64_t>& id) {
  if (id) {
    out.num(*id);
  } else {
    out.null();
  }
}

void status_object(JsonOut& out, const storage::StatusReport& r) {
  out.object();
  out.key("id").num(r.id);
  out.key("topic").str(storage::to_string(r.topic));
  out.key("action").str(r.action);
  out.key("status").str(r.status);
  out.key("requestId");
  request_id(out, r.request_id);
  out.key("detail").str_or_null(r.detail);
  out.key("receivedAt").time(r.received_at);
  out.end_object();
}

void firmware_request_object(JsonOut& out, const storage::FirmwareRequest& r) {
  out.object();
  out.key("id").num(r.id);
  out.key("action").str(r.action);
  out.key("requestId");
  request_id(out, r.request_id);
  out.key("location").str_or_null(r.location);
  out.key("checksum").str_or_null(r.checksum);
  out.key("retrieveAt").time(r.retrieve_at);
  out.key("installAt").time(r.install_at);
  out.key("signed").flag(r.is_signed);
  out.key("answer").str_or_null(r.answer);
  out.key("requestedAt").time(r.requested_at);
  out.end_object();
}

void file_object(JsonOut& out, const storage::UploadedFile& f) {
  out.object();
  out.key("id").num(f.id);
  out.key("stationId").str(f.station_id);
  out.key("action").str(f.action);
  out.key("requestId");
  request_id(out, f.request_id);
  out.key("name").str(f.name);
  out.key("size").num(f.size);
  out.key("sha256").str(f.sha256);
  out.key("contentType").str_or_null(f.content_type);
  out.key("receivedAt").time(f.received_at);
  out.end_object();
}

// The newest report of `topic` in `history` (newest first): its status, or
// "Idle" when the station never reported one.
void current(JsonOut& out, const char* key, const std::vector<storage::StatusReport>& history,
             StatusTopic topic) {
  for (const auto& r : history) {
    if (r.topic != topic) continue;
    out.key(key).object();
    out.key("status").str(r.status);
    out.key("requestId");
    request_id(out, r.request_id);
    out.key("updatedAt").time(r.received_at);
    out.end_object();
    return;
  }
  out.key(key).object().key("status").str("Idle").key("requestId").null();
  out.key("updatedAt").null().end_object();
}

}  // namespace

void Api::station_firmware(Call& call) {
  const Query query(call.request, {"topic", "limit"});
  const std::size_t limit = query.limit(100, 1000);
  std::optional<StatusTopic> topic;
  if (auto text = query.get("topic")) {
    topic = storage::status_topic_from_string(*text);
    if (!topic)
      throw ApiError(400,
                     "topic must be firmware, publish, diagnostics or log, not " + quoted(*text));
  }
  struct View {
    bool exists = false;
    std::vector<storage::StatusReport> latest;  // the newest of each topic are among these
    std::vector<storage::StatusReport> history;
    std::vector<storage::FirmwareRequest> requests;
  };
  const std::string id = call.params[0];
  read<View>(
      call.reply,
      [id, topic, limit](storage::Session& s) {
        View v;
        v.exists = s.stations.get(id).has_value();
        for (auto t : {StatusTopic::Firmware, StatusTopic::Publish, StatusTopic::Diagnostics,
                       StatusTopic::Log}) {
          auto one = s.firmware.statuses(id, t, 1);
          v.latest.insert(v.latest.end(), one.begin(), one.end());
        }
        v.history = s.firmware.statuses(id, topic, limit);
        v.requests = s.firmware.requests(id, 20);
        return v;
      },
      [id](View& v) {
        // A removed station's history stays readable; an unknown name is a 404.
        if (!v.exists && v.history.empty() && v.requests.empty())
          throw ApiError(404, "station " + quoted(id) + " is not registered");
        JsonOut out;
        out.object();
        out.key("stationId").str(id);
        current(out, "firmware", v.latest, StatusTopic::Firmware);
        current(out, "publish", v.latest, StatusTopic::Publish);
        current(out, "diagnostics", v.latest, StatusTopic::Diagnostics);
        current(out, "log", v.latest, StatusTopic::Log);
        out.key("history").array();
        for (const auto& r : v.history) status_object(out, r);
        out.end_array();
        out.key("requests").array();
        for (const auto& r : v.requests) firmware_request_object(out, r);
        out.end_array();
        out.end_object();
        return json_response(200, out.text());
      });
}

void Api::list_files(Call& call) {
  const Query query(call.request, {"stationId", "limit"});
  const std::size_t limit = query.limit(100, 1000);
  const std::string station = query.get("stationId").value_or("");
  read<std::vector<storage::UploadedFile>>(
      call.reply, [station, limit](storage::Session& s) { return s.uploads.files(station, limit); },
      [](std::vector<storage::UploadedFile>& files) {
        JsonOut out;
        out.array();
        for (const auto& f : files) file_object(out, f);
        out.end_array();
        return json_response(200, out.text());
      });
}

void Api::get_file(Call& call) {
  no_query(call.request);
  const std::string key = call.params[0];
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), id);
  if (ec != std::errc() || end != key.data() + key.size())
    throw ApiError(400, "file id must be a number, not " + quoted(key));
  struct View {
    std::optional<storage::UploadedFile> file;
    std::string data;
    bool readable = false;
  };
  read<View>(
      call.reply,
      [id](storage::Session& s) {
        View v;
        v.file = s.uploads.file(id);
        if (!v.file) return v;
        // Read here, on the storage reader thread, never on the network thread.
        std::ifstream in(v.file->path, std::ios::binary);
        if (!in) return v;
        std::ostringstream bytes;
        bytes << in.rdbuf();
        v.data = bytes.str();
        v.readable = true;
        return v;
      },
      [id](View& v) {
        if (!v.file) throw ApiError(404, "file " + std::to_string(id) + " is not known");
        if (!v.readable)
          throw ApiError(500, "file " + std::to_string(id) + " is recorded but cannot be read");
        ApiResponse r;
        // Never the station's own content type: the bytes are opaque here.
        r.content_type = "application/octet-stream";
        r.headers.emplace_back("X-Content-Type-Options", "nosniff");
        r.body = std::move(v.data);
        r.headers.emplace_back("Content-Disposition",
                               "attachment; filename=\"" + v.file->name + "\"");
        r.headers.emplace_back("X-Content-SHA256", v.file->sha256);
        return r;
      });
}

}  // namespace csms::admin
