// The console's routes: its static files under /console/ and the live event
// stream GET /api/stream.
#include <string>
#include <string_view>

#include "admin/api.hpp"
#include "admin/console_assets.hpp"
#include "admin/request.hpp"
#include "ocpp/common/utf8.hpp"

namespace csms::admin {

namespace {

constexpr std::size_t kMaxEventStreams = 64;

std::string_view content_type_of(std::string_view path) {
  auto ends = [&](std::string_view suffix) {
    return path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".json")) return "application/json";
  if (ends(".ico")) return "image/x-icon";
  return "application/octet-stream";
}

}  // namespace

void Api::console_file(const ApiRequest& request, const Reply& reply) {
  // /console and /console/ are the app; its routes live in the fragment (#/...).
  std::string path;
  for (std::size_t i = 1; i < request.segments.size(); ++i)
    path += (i > 1 ? "/" : "") + request.segments[i];
  if (path.empty()) path = "index.html";
  std::size_t count = 0;
  const ConsoleAsset* assets = console_assets(count);
  for (std::size_t i = 0; i < count; ++i) {
    if (assets[i].path != path) continue;
    ApiResponse r;
    r.content_type = std::string(content_type_of(path));
    r.body = std::string(assets[i].body);
    // Only the console's own files run; nothing may frame it.
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'self'; img-src 'self' data:; "
                           "frame-ancestors 'none'; base-uri 'none'; "
                           "form-action 'none'");
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
    r.headers.emplace_back("X-Frame-Options", "DENY");
    reply(std::move(r));
    return;
  }
  reply(error_response(404, "no console file " + ocpp::sanitize_utf8("/console/" + path)));
}

void Api::event_stream(Call& call) {
  no_query(call.request);
  if (!deps_.events) {
    call.reply(error_response(503, "this server has no live event stream"));
    return;
  }
  // Each stream holds a connection slot: a bound keeps room for the API itself.
  if (deps_.events->subscribers() >= kMaxEventStreams) {
    call.reply(error_response(503, "too many live event streams are open (at most " +
                                       std::to_string(kMaxEventStreams) + ")"));
    return;
  }
  ApiResponse r;
  r.stream = deps_.events->subscribe();
  call.reply(std::move(r));
}

}  // namespace csms::admin
