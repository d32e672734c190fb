#pragma once
// Uploading a file (diagnostics, a log) to the URL a CSMS named, as a charger
// does after GetDiagnostics/GetLog: HTTP PUT of the raw bytes, asynchronous,
// with a time limit.

#include <functional>
#include <optional>
#include <string>

#include "simulator/scheduler.hpp"

namespace simulator {

/// The outcome of an upload: empty `error` on a 2xx answer.
struct UploadResult {
  bool ok = false;
  unsigned status = 0;  ///< The HTTP status, 0 when none came.
  std::string error;
};

/// A parsed http://host[:port]/path URL.
struct HttpUrl {
  std::string host;
  std::string port = "80";
  std::string target = "/";
};

/// Parses an http:// URL (https, ftp and others are refused: `error` says why).
std::optional<HttpUrl> parse_http_url(const std::string& url, std::string& error);

/// PUTs `content` to `url`, adding `file_name` when the URL ends in '/' (a
/// directory, as 1.6 GetDiagnostics locations are). Runs on the io_context
/// behind `scheduler` (an AsioScheduler); with any other scheduler (tests) it
/// fails at once. `done` runs on that io_context, exactly once.
void http_upload(Scheduler& scheduler, const std::string& url, const std::string& file_name,
                 std::string content, std::function<void(UploadResult)> done);

}  // namespace simulator
