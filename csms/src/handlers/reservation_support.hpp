#pragma once
// What the reservation and local-list commands of both versions share: the
// steps around the CALL (store first, send, store the answer, then tell the
// operator), written once over the version's request types.

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "handlers/command_support.hpp"
#include "services/services.hpp"

namespace csms {

/// Adds `name: value` to a successful answer's JSON object.
CommandDone with_field(const char* name, std::int64_t value, CommandDone done);
CommandDone with_field(const char* name, const std::string& value, CommandDone done);

/// 'expires' (required): an RFC 3339 time after `now`.
std::optional<storage::DateTime> future_expiry(Params& p, const char* name,
                                               const storage::DateTime& now);

/// Fails the parameters when `request` cannot be encoded (e.g. a tag too long
/// for the version), before anything is stored or sent.
template <class Request>
void check_encodes(Params& p, const Request& request) {
  if (!p.ok()) return;
  try {
    (void)to_json(request);
  } catch (const ocpp::EncodeError& e) {
    p.fail(e.what());
  }
}

CommandResult storage_failure(std::exception_ptr e);
CommandResult station_gone(const std::string& station_id);

/// Runs `send(session)` if the station is still connected, else reports it gone.
inline void if_connected(const std::weak_ptr<StationSession>& weak, const std::string& station_id,
                         const CommandDone& done,
                         const std::function<void(StationSession&)>& send) {
  auto session = weak.lock();
  if (!session) return done(station_gone(station_id));
  send(*session);
}

/// A captured answer status (the station's, as its enum's name).
using AnswerStatus = std::shared_ptr<std::optional<std::string>>;

/// reserve: stores `r` (Pending), lets `send(session, id, status, done)` send
/// the CALL with the allocated id and capture the answer status into `status`;
/// the answer is stored before the operator sees it (with "reservationId").
void reserve_flow(
    Services& sv, StationSession& session, storage::Reservation r, CommandDone done,
    std::function<void(StationSession&, std::int64_t, AnswerStatus, CommandDone)> send);

/// cancel-reservation: checks that `id` is an active reservation of the station,
/// then sends; an Accepted answer marks it Cancelled before the operator hears.
void cancel_flow(Services& sv, StationSession& session, std::int64_t id, CommandDone done,
                 std::function<void(StationSession&, AnswerStatus, CommandDone)> send);

/// local-list send: plans the update, `send` sends it; the answer updates the snapshot.
void send_local_list_flow(
    Services& sv, StationSession& session, bool full, std::size_t max_tag, CommandDone done,
    std::function<void(StationSession&, const LocalListPlan&, AnswerStatus, CommandDone)> send);

/// local-list version: `send` captures the reported version, stored before the operator hears.
void local_list_version_flow(
    Services& sv, StationSession& session, CommandDone done,
    std::function<void(StationSession&, std::shared_ptr<std::optional<std::int64_t>>, CommandDone)>
        send);

}  // namespace csms
