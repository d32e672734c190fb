#pragma once
// The upload endpoint: stations PUT or POST the files a GetDiagnostics or
// GetLog asked for to <public_url>/uploads/<token>/[name]. Its own listener and
// thread (Boost.Beast), so receiving and fsyncing files never holds up the
// OCPP connections; every file is committed to SQLite before the 2xx.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "storage/database.hpp"

namespace boost::asio::ssl {
class context;
}

namespace csms::uploads {

/// Where the endpoint listens, where files go, how big they may be.
struct UploadOptions {
  std::string host = "0.0.0.0";
  std::uint16_t port = 8182;  ///< 0: ephemeral (see UploadServer::port()).
  std::string dir = "data/uploads";
  std::uint64_t max_bytes = 64 * 1024 * 1024;
  /// Set: HTTPS with this server context (transport::make_server_context).
  std::shared_ptr<boost::asio::ssl::context> tls;
};

/// Serves uploads on its own thread. Tokens are checked before the body is
/// read (unknown: 404, used or expired: 403), bodies over max_bytes get 413,
/// a file is written to a temporary name, fsynced and renamed, then recorded
/// (and the token used up) in one transaction before 201 goes out.
class UploadServer {
 public:
  UploadServer(UploadOptions options, storage::Database& db);
  ~UploadServer();
  UploadServer(const UploadServer&) = delete;
  UploadServer& operator=(const UploadServer&) = delete;

  /// Binds and starts the thread; throws std::runtime_error if it cannot bind.
  void start();
  /// Stops accepting and joins the thread; idempotent.
  void stop();
  std::uint16_t port() const;
  /// Serves new connections with `tls` (a reloaded certificate); open ones keep
  /// theirs. Any thread. False (nothing changed) when the endpoint is plain HTTP.
  bool set_tls(std::shared_ptr<boost::asio::ssl::context> tls);

  struct Impl;  ///< The listener and its thread (upload_server.cpp); its sessions share it.

 private:
  std::shared_ptr<Impl> impl_;
};

/// Splits "host:port" (the uploads.listen setting); false if malformed.
bool split_listen(const std::string& listen, std::string& host, std::uint16_t& port);

/// The file of a multipart/form-data body: its name (from the part's
/// Content-Disposition filename), content type and bytes.
struct FilePart {
  std::string name;
  std::string content_type;
  std::string data;
};

/// The first part with a filename (else the first part) of a multipart body
/// with the boundary in `content_type`; nullopt when malformed.
std::optional<FilePart> multipart_file(std::string_view content_type, std::string_view body);

/// A file name safe on any file system: letters, digits, '.', '-', '_' (others
/// become '_'), no leading dot, at most 100 characters; "upload.bin" if empty.
std::string safe_file_name(std::string_view name);

/// Lowercase hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

/// A fresh random token for an upload URL (32 hex digits).
std::string new_token();

}  // namespace csms::uploads
