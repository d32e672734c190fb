// OCPP 2.0.1 reservations and local authorization lists: reserve (ReserveNow;
// 'connector' is the EVSE id), cancel-reservation (CancelReservation),
// local-list send|version (SendLocalList, GetLocalListVersion), and the
// station's ReservationStatusUpdate, which ends the stored reservation.
#include "handlers/handler_support.hpp"
#include "handlers/reservation_support.hpp"
#include "handlers/v201/commands.hpp"
#include "handlers/v201/handlers.hpp"
#include "ocpp/v201/codec.hpp"
#include "rpc/router.hpp"

namespace csms::v201 {

namespace w = ocpp::v201;

namespace {

constexpr std::size_t kIdTokenMax = 36;  // IdTokenType.idToken maxLength
// The token type local-list entries carry: the CSMS keeps no type, and cards
// presented at the station are the common case.
constexpr w::IdTokenEnumType kListTokenType = w::IdTokenEnumType::ISO14443;

template <class Status>
std::string name_of(Status status) {
  return std::string(w::to_string(status));
}

w::IdTokenType token(const std::string& value, w::IdTokenEnumType type) {
  w::IdTokenType t;
  t.idToken = value;
  t.type = type;
  return t;
}

w::IdTokenInfoType token_info(const storage::LocalListEntry& e) {
  w::IdTokenInfoType info;
  from_string(storage::to_string(e.status), info.status);
  info.cacheExpiryDateTime = e.expiry;
  if (e.parent_id_tag) info.groupIdToken = token(*e.parent_id_tag, w::IdTokenEnumType::Central);
  return info;
}

void reserve(Services& sv, StationSession& session, Params& p, CommandDone done) {
  p.allow({"connector", "evse", "idTag", "expires", "parent", "tokenType", "connectorType"});
  w::ReserveNowRequest req;
  auto connector = p.integer("connector", false);
  auto evse = p.integer("evse", false);
  if (p.ok() && connector && evse)
    p.fail("give the EVSE once: 'connector' is the EVSE id on OCPP 2.0.1 stations");
  if (!evse) evse = connector;
  auto tag = p.string("idTag", true);
  auto expiry = future_expiry(p, "expires", sv.ctx.now());
  auto parent = p.string("parent", false);
  auto type = p.enumeration<w::IdTokenEnumType>(
      "tokenType", false,
      "Central, eMAID, ISO14443, ISO15693, KeyCode, Local, MacAddress, NoAuthorization");
  auto connector_type = p.enumeration<w::ConnectorEnumType>(
      "connectorType", false, "an OCPP 2.0.1 ConnectorEnumType such as cType2 or cCCS2");
  if (p.ok() && evse && *evse < 0) p.fail("the EVSE id must be 0 (any EVSE) or more");
  if (!p.ok()) return;
  req.idToken = token(*tag, type.value_or(kListTokenType));
  req.expiryDateTime = *expiry;
  req.evseId = evse;
  req.connectorType = connector_type;
  if (parent) req.groupIdToken = token(*parent, w::IdTokenEnumType::Central);
  check_encodes(p, req);
  if (!p.ok()) return;
  storage::Reservation r;
  r.evse_id = static_cast<int>(evse.value_or(0));
  r.id_tag = *tag;
  r.parent_id_tag = parent;
  r.token_type = name_of(req.idToken.type);
  if (connector_type) r.connector_type = name_of(*connector_type);
  r.expiry = *expiry;
  reserve_flow(sv, session, r, std::move(done),
               [req](StationSession& s, std::int64_t id, AnswerStatus status, CommandDone d) {
                 w::ReserveNowRequest call = req;
                 call.id = id;
                 send(s, call, std::move(d), [status](const w::ReserveNowResponse& res) {
                   *status = name_of(res.status);
                 });
               });
}

void cancel_reservation(Services& sv, StationSession& session, Params& p, CommandDone done) {
  p.allow({"id"});
  auto id = p.integer("id", true);
  if (!p.ok()) return;
  cancel_flow(sv, session, *id, std::move(done),
              [id = *id](StationSession& s, AnswerStatus status, CommandDone d) {
                w::CancelReservationRequest req;
                req.reservationId = id;
                send(s, req, std::move(d), [status](const w::CancelReservationResponse& res) {
                  *status = name_of(res.status);
                });
              });
}

void local_list(Services& sv, StationSession& session, Params& p, CommandDone done) {
  p.allow({"keys", "full"});
  auto words = p.strings("keys");
  const bool full = p.flag("full");
  if (p.ok() && (words.size() != 1 || (words[0] != "send" && words[0] != "version")))
    p.fail(
        "local-list takes one word: 'send' (SendLocalList, --full for a full list) or "
        "'version' (GetLocalListVersion)");
  if (p.ok() && words[0] == "version" && full) p.fail("'full' goes with 'local-list send'");
  if (!p.ok()) return;
  if (words[0] == "version") {
    return local_list_version_flow(
        sv, session, std::move(done),
        [](StationSession& s, std::shared_ptr<std::optional<std::int64_t>> version, CommandDone d) {
          send(s, w::GetLocalListVersionRequest{}, std::move(d),
               [version](const w::GetLocalListVersionResponse& res) {
                 *version = res.versionNumber;
               });
        });
  }
  send_local_list_flow(
      sv, session, full, kIdTokenMax, std::move(done),
      [](StationSession& s, const LocalListPlan& plan, AnswerStatus status, CommandDone d) {
        w::SendLocalListRequest req;
        req.versionNumber = plan.version;
        req.updateType = plan.full ? w::UpdateEnumType::Full : w::UpdateEnumType::Differential;
        std::vector<w::AuthorizationData> list;
        for (const auto& item : plan.items) {
          w::AuthorizationData data;
          data.idToken = token(item.id_tag, kListTokenType);
          if (item.info) data.idTokenInfo = token_info(*item.info);
          list.push_back(std::move(data));
        }
        if (!list.empty()) req.localAuthorizationList = std::move(list);
        send(s, req, std::move(d),
             [status](const w::SendLocalListResponse& res) { *status = name_of(res.status); });
      });
}

}  // namespace

void add_reservation_commands(CommandTable& table) {
  table["reserve"] = reserve;
  table["cancel-reservation"] = cancel_reservation;
  table["local-list"] = local_list;
}

void register_reservation_messages(Router& router, Services& sv) {
  // Ends the reservation (Expired, Removed) and keeps the message as received.
  router.on<w::ReservationStatusUpdateRequest>(
      [&sv](StationSession& s, w::ReservationStatusUpdateRequest req,
            Reply<w::ReservationStatusUpdateResponse> reply) {
        const std::string station = s.station_id();
        const auto status =
            req.reservationUpdateStatus == w::ReservationUpdateStatusEnumType::Expired
                ? storage::ReservationStatus::Expired
                : storage::ReservationStatus::Removed;
        std::string payload = to_json(req);
        sv.reservations.end(station, req.reservationId, status,
                            [&sv, reply, station, payload](std::exception_ptr e) {
                              if (e)
                                return storage_failed(reply, station, "ReservationStatusUpdate", e);
                              sv.stations.notification(
                                  station, "ReservationStatusUpdate", payload,
                                  [reply, station](std::exception_ptr e2) {
                                    if (e2)
                                      return storage_failed(reply, station,
                                                            "ReservationStatusUpdate", e2);
                                    reply(w::ReservationStatusUpdateResponse{});
                                  });
                            });
      });
}

}  // namespace csms::v201
