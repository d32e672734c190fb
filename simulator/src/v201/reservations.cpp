// A 2.0.1 charging station's reservations (ReserveNow, CancelReservation,
// ReservationStatusUpdate at expiry) and local authorization list
// (SendLocalList, GetLocalListVersion), on the version-neutral Reservations
// and LocalAuthList.
#include <fmt/format.h>

#include "ocpp/v201/codec.hpp"
#include "rpc.hpp"
#include "simulator/v201/charging_station.hpp"

namespace simulator::v201 {

using namespace ocpp::v201;

namespace {

template <typename Request, typename Fn>
CallAnswer answer(const ocpp::Frame& call, Fn&& fn) {
  return simulator::answer<Request>(call, ocpp::Version::v201, std::forward<Fn>(fn));
}

}  // namespace

bool ChargingStation::local_list_enabled() const {
  return model_.get_bool("LocalAuthListCtrlr", "Enabled", true);
}

std::optional<std::string> ChargingStation::group_of(const std::string& token) const {
  if (const LocalAuthEntry* e = local_list_.find(token)) return e->parent_id_tag;
  auto it = auth_cache_.find(token);
  if (it != auth_cache_.end() && it->second.groupIdToken) return it->second.groupIdToken->idToken;
  return std::nullopt;
}

const LocalAuthEntry* ChargingStation::local_entry(const std::string& token) const {
  return local_list_enabled() ? local_list_.find(token) : nullptr;
}

bool ChargingStation::can_start_for(int evse, const std::string& token) const {
  if (evse < 1 || evse > evse_count()) return false;
  if (!reservations_.may_start(evse, token, group_of(token))) return false;
  const auto& e = evses_[static_cast<std::size_t>(evse)];
  if (e.status == ConnectorStatusEnumType::Reserved) return !e.tx && !e.starting && operative(evse);
  return can_start(evse);
}

std::optional<std::int64_t> ChargingStation::use_reservation(int evse, const std::string& token) {
  auto r = reservations_.use(evse, token, group_of(token));
  if (!r) return std::nullopt;
  log_.info("EVSE {}: reservation {} used by {}", evse, r->id, token);
  events_.emit(Event("reservation_ended")
                   .add("reservationId", r->id)
                   .add("evseId", evse)
                   .add("reason", std::string("Used")));
  return r->id;
}

void ChargingStation::reservation_ended(const HeldReservation& r, const char* how) {
  events_.emit(Event("reservation_ended")
                   .add("reservationId", r.id)
                   .add("evseId", r.where)
                   .add("reason", std::string(how)));
  const auto& e = evses_[static_cast<std::size_t>(r.where)];
  if (e.status == ConnectorStatusEnumType::Reserved && !e.tx && !e.starting)
    set_status(r.where, idle_status(r.where));
}

void ChargingStation::arm_reservations() {
  if (!reservation_timer_) reservation_timer_ = std::make_unique<Timer>(scheduler_);
  auto next = reservations_.next_expiry();
  if (!next) return reservation_timer_->cancel();
  // Rounded up to the next millisecond, so the timer never fires just before expiry.
  const auto wait = std::chrono::milliseconds(
      (std::max<std::int64_t>(0, next->unix_micros() - scheduler_.wall_now().unix_micros()) + 999) /
      1000);
  reservation_timer_->start(wait, [this] {
    for (const auto& r : reservations_.expire(scheduler_.wall_now())) {
      log_.info("reservation {} expired", r.id);
      // H01.FR.?: the station tells the CSMS that the reservation ran out.
      if (ready()) {
        ReservationStatusUpdateRequest update;
        update.reservationId = r.id;
        update.reservationUpdateStatus = ReservationUpdateStatusEnumType::Expired;
        messenger_.call(make_call(update));
      }
      reservation_ended(r, "Expired");
    }
    arm_reservations();
  });
}

CallAnswer ChargingStation::on_reserve_now(const ocpp::Frame& call) {
  return answer<ReserveNowRequest>(call, [this](const auto& req) {
    Outcome<ReserveNowResponse> out{};
    out.response.status = ReserveNowStatusEnumType::Rejected;
    // Reservations name an EVSE here; an unspecified one is not played.
    if (!req.evseId || *req.evseId < 1 || *req.evseId > evse_count()) return out;
    if (!model_.get_bool("ReservationCtrlr", "Enabled", true)) return out;
    if (!(scheduler_.wall_now() < req.expiryDateTime)) return out;
    // Every simulated connector is a cType2.
    if (req.connectorType && *req.connectorType != ConnectorEnumType::cType2) return out;
    const int n = static_cast<int>(*req.evseId);
    const auto& e = evses_[static_cast<std::size_t>(n)];
    const HeldReservation* held = reservations_.on(n);
    if (e.status == ConnectorStatusEnumType::Faulted) {
      out.response.status = ReserveNowStatusEnumType::Faulted;
    } else if (!operative(n) || e.status == ConnectorStatusEnumType::Unavailable) {
      out.response.status = ReserveNowStatusEnumType::Unavailable;
    } else if (e.tx || e.starting || (held && held->id != req.id) ||
               (e.status != ConnectorStatusEnumType::Available &&
                e.status != ConnectorStatusEnumType::Reserved)) {
      out.response.status = ReserveNowStatusEnumType::Occupied;
    } else {
      out.response.status = ReserveNowStatusEnumType::Accepted;
      HeldReservation r;
      r.id = req.id;
      r.where = n;
      r.id_tag = req.idToken.idToken;
      if (req.groupIdToken) r.parent_id_tag = req.groupIdToken->idToken;
      r.expiry = req.expiryDateTime;
      out.then = [this, r] {
        reservations_.hold(r);
        log_.info("EVSE {}: reserved for {} until {} (reservation {})", r.where, r.id_tag,
                  r.expiry.to_string(), r.id);
        events_.emit(Event("reserved").add("reservationId", r.id).add("evseId", r.where));
        if (evses_[static_cast<std::size_t>(r.where)].status != ConnectorStatusEnumType::Reserved)
          set_status(r.where, ConnectorStatusEnumType::Reserved);
        arm_reservations();
      };
    }
    return out;
  });
}

CallAnswer ChargingStation::on_cancel_reservation(const ocpp::Frame& call) {
  return answer<CancelReservationRequest>(call, [this](const auto& req) {
    Outcome<CancelReservationResponse> out{};
    out.response.status = CancelReservationStatusEnumType::Rejected;
    if (!reservations_.find(req.reservationId)) return out;
    out.response.status = CancelReservationStatusEnumType::Accepted;
    out.then = [this, id = req.reservationId] {
      if (auto r = reservations_.release(id)) reservation_ended(*r, "Cancelled");
      arm_reservations();
    };
    return out;
  });
}

CallAnswer ChargingStation::on_send_local_list(const ocpp::Frame& call) {
  return answer<SendLocalListRequest>(call, [this](const auto& req) {
    // 2.0.1 has no NotSupported: a disabled list fails the update.
    Outcome<SendLocalListResponse> out{};
    out.response.status = SendLocalListStatusEnumType::Failed;
    if (!local_list_enabled()) return out;
    const auto& list = req.localAuthorizationList;
    if (list && list->size() > static_cast<std::size_t>(
                                   model_.get_int("LocalAuthListCtrlr", "ItemsPerMessage", 100)))
      return out;
    std::vector<LocalListUpdateItem> items;
    if (list) {
      for (const auto& d : *list) {
        LocalListUpdateItem item;
        item.id_tag = d.idToken.idToken;
        if (d.idTokenInfo) {
          LocalAuthEntry e;
          e.status = std::string(to_string(d.idTokenInfo->status));
          e.expiry = d.idTokenInfo->cacheExpiryDateTime;
          if (d.idTokenInfo->groupIdToken) e.parent_id_tag = d.idTokenInfo->groupIdToken->idToken;
          item.entry = e;
        } else if (req.updateType == UpdateEnumType::Full) {
          return out;  // D01.FR.?: a full list names every entry with its info
        }
        items.push_back(std::move(item));
      }
    }
    constexpr std::size_t kMaxEntries = 1000;  // what the simulated storage holds
    switch (local_list_.apply(req.updateType == UpdateEnumType::Full, req.versionNumber, items,
                              kMaxEntries)) {
      case LocalAuthList::Result::Accepted:
        out.response.status = SendLocalListStatusEnumType::Accepted;
        break;
      case LocalAuthList::Result::VersionMismatch:
        out.response.status = SendLocalListStatusEnumType::VersionMismatch;
        break;
      case LocalAuthList::Result::Failed:
        break;
    }
    log_.info("SendLocalList {} version {} ({} items): {}", to_string(req.updateType),
              req.versionNumber, items.size(), to_string(out.response.status));
    events_.emit(Event("local_list")
                     .add("updateType", std::string(to_string(req.updateType)))
                     .add("listVersion", req.versionNumber)
                     .add("status", std::string(to_string(out.response.status)))
                     .add("version", local_list_.version())
                     .add("entries", static_cast<std::int64_t>(local_list_.size())));
    return out;
  });
}

CallAnswer ChargingStation::on_get_local_list_version(const ocpp::Frame& call) {
  return answer<GetLocalListVersionRequest>(call, [this](const auto&) {
    // 0: no list (none received, or disabled), as D02 says.
    const std::int64_t v = local_list_enabled() ? local_list_.version() : 0;
    GetLocalListVersionResponse res;
    res.versionNumber = v;
    return Outcome<GetLocalListVersionResponse>{res, {}};
  });
}

}  // namespace simulator::v201
