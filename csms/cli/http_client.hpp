#pragma once
// The one HTTP exchange csmsctl makes per run, with timeouts.

#include <chrono>
#include <stdexcept>
#include <string>

#include "cli.hpp"

namespace csms::cli {

/// The server could not be reached or did not answer in time.
class ConnectionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An HTTP answer, whatever its status.
struct HttpAnswer {
  unsigned status = 0;
  std::string reason;
  std::string body;
};

/// Sends `method` `base.path + target` with `body` (JSON) and the bearer token
/// (omitted when empty); over TLS when base.tls, the server verified against
/// `ca_file` (system store when empty) and the URL's host. Throws ConnectionError("cannot reach
/// csms at URL: ...").
HttpAnswer send_request(const std::string& url, const BaseUrl& base, const std::string& token,
                        const std::string& method, const std::string& target,
                        const std::string& body, std::chrono::seconds timeout,
                        const std::string& ca_file = "");

}  // namespace csms::cli
