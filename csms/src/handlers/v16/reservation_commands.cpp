// OCPP 1.6 reservations and local authorization lists: reserve (ReserveNow),
// cancel-reservation (CancelReservation), local-list send|version
// (SendLocalList, GetLocalListVersion). The CSMS allocates reservation ids and
// keeps what each station accepted (see handlers/reservation_support.hpp).
#include "handlers/reservation_support.hpp"
#include "handlers/v16/commands.hpp"
#include "ocpp/v16/codec.hpp"

namespace csms::v16 {

namespace w = ocpp::v16;

namespace {

constexpr std::size_t kIdTagMax = 20;  // IdToken is CiString20Type in 1.6

const std::map<std::string, std::string>& reserve_advice() {
  static const std::map<std::string, std::string> advice = [] {
    auto a = v201_only();
    a["connectorType"] = "OCPP 1.6 reservations name the connector only";
    return a;
  }();
  return advice;
}

template <class Status>
std::string name_of(Status status) {
  return std::string(w::to_string(status));
}

w::IdTagInfo tag_info(const storage::LocalListEntry& e) {
  w::IdTagInfo info;
  from_string(storage::to_string(e.status), info.status);
  info.expiryDate = e.expiry;
  info.parentIdTag = e.parent_id_tag;
  return info;
}

void reserve(Services& sv, StationSession& session, Params& p, CommandDone done) {
  p.allow({"connector", "idTag", "expires", "parent"}, reserve_advice());
  w::ReserveNowRequest req;
  auto connector = p.integer("connector", true);
  if (auto tag = p.string("idTag", true)) req.idTag = *tag;
  auto expiry = future_expiry(p, "expires", sv.ctx.now());
  req.parentIdTag = p.string("parent", false);
  if (p.ok() && *connector < 0) p.fail("'connector' must be 0 (any connector) or more");
  if (!p.ok()) return;
  req.connectorId = *connector;
  req.expiryDate = *expiry;
  check_encodes(p, req);
  if (!p.ok()) return;
  storage::Reservation r;
  r.connector_id = static_cast<int>(*connector);
  r.id_tag = req.idTag;
  r.parent_id_tag = req.parentIdTag;
  r.expiry = *expiry;
  reserve_flow(sv, session, r, std::move(done),
               [req](StationSession& s, std::int64_t id, AnswerStatus status, CommandDone d) {
                 w::ReserveNowRequest call = req;
                 call.reservationId = id;
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
          send(
              s, w::GetLocalListVersionRequest{}, std::move(d),
              [version](const w::GetLocalListVersionResponse& res) { *version = res.listVersion; });
        });
  }
  send_local_list_flow(
      sv, session, full, kIdTagMax, std::move(done),
      [](StationSession& s, const LocalListPlan& plan, AnswerStatus status, CommandDone d) {
        w::SendLocalListRequest req;
        req.listVersion = plan.version;
        req.updateType = plan.full ? w::UpdateType::Full : w::UpdateType::Differential;
        std::vector<w::AuthorizationData> list;
        for (const auto& item : plan.items) {
          w::AuthorizationData data;
          data.idTag = item.id_tag;
          if (item.info) data.idTagInfo = tag_info(*item.info);
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

}  // namespace csms::v16
