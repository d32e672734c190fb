// A 1.6 charge point's reservations (ReserveNow, CancelReservation) and local
// authorization list (SendLocalList, GetLocalListVersion), on the
// version-neutral Reservations and LocalAuthList.
#include <fmt/format.h>

#include "ocpp/v16/codec.hpp"
#include "rpc.hpp"
#include "simulator/v16/charge_point.hpp"

namespace simulator::v16 {

using namespace ocpp::v16;

namespace {

template <typename Request, typename Fn>
CallAnswer answer(const ocpp::Frame& call, Fn&& fn) {
  return simulator::answer<Request>(call, ocpp::Version::v16, std::forward<Fn>(fn));
}

}  // namespace

std::optional<std::string> ChargePoint::parent_of(const std::string& id_tag) const {
  if (const LocalAuthEntry* e = local_list_.find(id_tag)) return e->parent_id_tag;
  auto it = auth_cache_.find(id_tag);
  if (it != auth_cache_.end()) return it->second.parentIdTag;
  return std::nullopt;
}

const LocalAuthEntry* ChargePoint::local_entry(const std::string& id_tag) const {
  if (!config_.get_bool("LocalAuthListEnabled", true)) return nullptr;
  return local_list_.find(id_tag);
}

bool ChargePoint::can_start_for(int connector, const std::string& id_tag) const {
  if (connector < 1 || connector > connector_count()) return false;
  if (!reservations_.may_start(connector, id_tag, parent_of(id_tag))) return false;
  const auto& c = connectors_[static_cast<std::size_t>(connector)];
  if (c.status == ChargePointStatus::Reserved) return !c.session && !c.starting && c.operative;
  return can_start(connector);
}

std::optional<std::int64_t> ChargePoint::use_reservation(int connector, const std::string& id_tag) {
  auto r = reservations_.use(connector, id_tag, parent_of(id_tag));
  if (!r) return std::nullopt;
  log_.info("connector {}: reservation {} used by {}", connector, r->id, id_tag);
  events_.emit(Event("reservation_ended")
                   .add("reservationId", r->id)
                   .add("connectorId", connector)
                   .add("reason", std::string("Used")));
  return r->id;
}

void ChargePoint::reservation_ended(const HeldReservation& r, const char* how) {
  events_.emit(Event("reservation_ended")
                   .add("reservationId", r.id)
                   .add("connectorId", r.where)
                   .add("reason", std::string(how)));
  auto& c = connectors_[static_cast<std::size_t>(r.where)];
  if (c.status == ChargePointStatus::Reserved && !c.session && !c.starting)
    set_status(r.where, idle_status(c));
}

void ChargePoint::arm_reservations() {
  if (!reservation_timer_) reservation_timer_ = std::make_unique<Timer>(scheduler_);
  auto next = reservations_.next_expiry();
  if (!next) return reservation_timer_->cancel();
  // Rounded up to the next millisecond, so the timer never fires just before expiry.
  const auto wait = std::chrono::milliseconds(
      (std::max<std::int64_t>(0, next->unix_micros() - scheduler_.wall_now().unix_micros()) + 999) /
      1000);
  reservation_timer_->start(wait, [this] {
    // A 1.6 reservation ends silently at its expiry: the connector is free again.
    for (const auto& r : reservations_.expire(scheduler_.wall_now())) {
      log_.info("reservation {} expired", r.id);
      reservation_ended(r, "Expired");
    }
    arm_reservations();
  });
}

CallAnswer ChargePoint::on_reserve_now(const ocpp::Frame& call) {
  return answer<ReserveNowRequest>(call, [this](const auto& req) {
    Outcome<ReserveNowResponse> out{{ReservationStatus::Rejected}, {}};
    // The charge point as a whole (0) is not reservable here
    // (ReserveConnectorZeroSupported is false).
    if (req.connectorId < 1 || req.connectorId > connector_count()) return out;
    const int n = static_cast<int>(req.connectorId);
    const auto& c = connectors_[static_cast<std::size_t>(n)];
    const HeldReservation* held = reservations_.on(n);
    if (!(scheduler_.wall_now() < req.expiryDate)) return out;
    if (c.status == ChargePointStatus::Faulted) {
      out.response.status = ReservationStatus::Faulted;
    } else if (!c.operative || c.status == ChargePointStatus::Unavailable) {
      out.response.status = ReservationStatus::Unavailable;
    } else if (c.session || c.starting || (held && held->id != req.reservationId) ||
               (c.status != ChargePointStatus::Available &&
                c.status != ChargePointStatus::Reserved)) {
      out.response.status = ReservationStatus::Occupied;
    } else {
      out.response.status = ReservationStatus::Accepted;
      HeldReservation r;
      r.id = req.reservationId;
      r.where = n;
      r.id_tag = req.idTag;
      r.parent_id_tag = req.parentIdTag;
      r.expiry = req.expiryDate;
      out.then = [this, r] {
        reservations_.hold(r);
        log_.info("connector {}: reserved for {} until {} (reservation {})", r.where, r.id_tag,
                  r.expiry.to_string(), r.id);
        events_.emit(Event("reserved").add("reservationId", r.id).add("connectorId", r.where));
        if (connectors_[static_cast<std::size_t>(r.where)].status != ChargePointStatus::Reserved)
          set_status(r.where, ChargePointStatus::Reserved);
        arm_reservations();
      };
    }
    return out;
  });
}

CallAnswer ChargePoint::on_cancel_reservation(const ocpp::Frame& call) {
  return answer<CancelReservationRequest>(call, [this](const auto& req) {
    Outcome<CancelReservationResponse> out{{CancelReservationStatus::Rejected}, {}};
    if (!reservations_.find(req.reservationId)) return out;
    out.response.status = CancelReservationStatus::Accepted;
    out.then = [this, id = req.reservationId] {
      if (auto r = reservations_.release(id)) reservation_ended(*r, "Cancelled");
      arm_reservations();
    };
    return out;
  });
}

CallAnswer ChargePoint::on_send_local_list(const ocpp::Frame& call) {
  return answer<SendLocalListRequest>(call, [this](const auto& req) {
    Outcome<SendLocalListResponse> out{{UpdateStatus::NotSupported}, {}};
    if (!config_.get_bool("LocalAuthListEnabled", true)) return out;
    std::vector<LocalListUpdateItem> items;
    const auto& list = req.localAuthorizationList;
    if (list &&
        list->size() > static_cast<std::size_t>(config_.get_int("SendLocalListMaxLength", 100))) {
      out.response.status = UpdateStatus::Failed;
      return out;
    }
    if (list) {
      for (const auto& d : *list) {
        LocalListUpdateItem item;
        item.id_tag = d.idTag;
        if (d.idTagInfo) {
          LocalAuthEntry e;
          e.status = std::string(to_string(d.idTagInfo->status));
          e.expiry = d.idTagInfo->expiryDate;
          e.parent_id_tag = d.idTagInfo->parentIdTag;
          item.entry = e;
        } else if (req.updateType == UpdateType::Full) {
          // A full list names what is in it: an entry without info is invalid.
          out.response.status = UpdateStatus::Failed;
          return out;
        }
        items.push_back(std::move(item));
      }
    }
    const auto max = static_cast<std::size_t>(config_.get_int("LocalAuthListMaxLength", 100));
    switch (local_list_.apply(req.updateType == UpdateType::Full, req.listVersion, items, max)) {
      case LocalAuthList::Result::Accepted:
        out.response.status = UpdateStatus::Accepted;
        break;
      case LocalAuthList::Result::VersionMismatch:
        out.response.status = UpdateStatus::VersionMismatch;
        break;
      case LocalAuthList::Result::Failed:
        out.response.status = UpdateStatus::Failed;
        break;
    }
    log_.info("SendLocalList {} version {} ({} items): {}", to_string(req.updateType),
              req.listVersion, items.size(), to_string(out.response.status));
    events_.emit(Event("local_list")
                     .add("updateType", std::string(to_string(req.updateType)))
                     .add("listVersion", req.listVersion)
                     .add("status", std::string(to_string(out.response.status)))
                     .add("version", local_list_.version())
                     .add("entries", static_cast<std::int64_t>(local_list_.size())));
    return out;
  });
}

CallAnswer ChargePoint::on_get_local_list_version(const ocpp::Frame& call) {
  return answer<GetLocalListVersionRequest>(call, [this](const auto&) {
    // -1: no local list support (disabled); 0: none received yet.
    const std::int64_t v =
        config_.get_bool("LocalAuthListEnabled", true) ? local_list_.version() : -1;
    return Outcome<GetLocalListVersionResponse>{{v}, {}};
  });
}

}  // namespace simulator::v16
