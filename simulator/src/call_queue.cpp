#include "simulator/call_queue.hpp"

#include <algorithm>
#include <set>

#include "ocpp/common/json.hpp"

namespace simulator {

void CallQueue::push(OutgoingCall call, std::size_t keep_first) {
  if (!call.priority) {
    calls_.push_back(std::move(call));
    return;
  }
  std::size_t pos = std::min(keep_first, calls_.size());
  while (pos < calls_.size() && calls_[pos].priority) ++pos;
  calls_.insert(calls_.begin() + static_cast<std::ptrdiff_t>(pos), std::move(call));
}

std::size_t CallQueue::transactional_count() const {
  std::size_t n = 0;
  for (const auto& c : calls_) n += c.transactional ? 1 : 0;
  return n;
}

std::vector<OutgoingCall> CallQueue::take_volatile() {
  std::vector<OutgoingCall> taken;
  std::deque<OutgoingCall> kept;
  for (auto& c : calls_) {
    if (c.transactional) {
      kept.push_back(std::move(c));
    } else {
      taken.push_back(std::move(c));
    }
  }
  calls_ = std::move(kept);
  return taken;
}

void CallQueue::set_transaction_id(std::int64_t session, std::int64_t transaction_id) {
  transaction_ids_[session] = transaction_id;
}

std::optional<std::int64_t> CallQueue::transaction_id(std::int64_t session) const {
  auto it = transaction_ids_.find(session);
  if (it == transaction_ids_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> CallQueue::render(const OutgoingCall& call) const {
  if (call.tx_id_field.empty()) return call.payload;
  auto id = transaction_id(call.session);
  if (!id) return std::nullopt;
  rapidjson::Document doc;
  if (ocpp::parse_json(call.payload, doc).IsError() || !doc.IsObject())
    return call.payload;  // ours: cannot happen
  auto member = doc.FindMember(call.tx_id_field.c_str());
  if (member != doc.MemberEnd()) {
    member->value.SetInt64(*id);
  } else {
    rapidjson::Value name(call.tx_id_field.c_str(), doc.GetAllocator());
    doc.AddMember(name, rapidjson::Value(*id), doc.GetAllocator());
  }
  return ocpp::to_compact_json(doc);
}

std::string CallQueue::save() const {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  std::set<std::int64_t> sessions;
  w.StartObject();
  w.Key("lastSession");
  w.Int64(last_session_);
  w.Key("calls");
  w.StartArray();
  for (const auto& c : calls_) {
    if (!c.transactional) continue;
    w.StartObject();
    w.Key("action");
    w.String(c.action.c_str(), static_cast<rapidjson::SizeType>(c.action.size()));
    w.Key("payload");
    w.RawValue(c.payload.c_str(), c.payload.size(), rapidjson::kObjectType);
    w.Key("session");
    w.Int64(c.session);
    w.Key("connector");
    w.Int64(c.connector);
    w.Key("txIdField");
    w.String(c.tx_id_field.c_str(), static_cast<rapidjson::SizeType>(c.tx_id_field.size()));
    w.EndObject();
    if (c.session != 0) sessions.insert(c.session);
  }
  w.EndArray();
  // Only ids still needed: the map would otherwise grow with every session.
  w.Key("transactionIds");
  w.StartArray();
  for (auto s : sessions) {
    auto id = transaction_id(s);
    if (!id) continue;
    w.StartArray();
    w.Int64(s);
    w.Int64(*id);
    w.EndArray();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

bool CallQueue::load(std::string_view json, std::string* error) {
  auto fail = [&](const char* what) {
    if (error) *error = what;
    return false;
  };
  rapidjson::Document doc;
  if (ocpp::parse_json(json, doc).IsError() || !doc.IsObject()) return fail("not a JSON object");
  auto last = doc.FindMember("lastSession");
  auto calls = doc.FindMember("calls");
  auto ids = doc.FindMember("transactionIds");
  if (last == doc.MemberEnd() || !last->value.IsInt64()) return fail("lastSession missing");
  if (calls == doc.MemberEnd() || !calls->value.IsArray()) return fail("calls missing");
  if (ids == doc.MemberEnd() || !ids->value.IsArray()) return fail("transactionIds missing");

  std::deque<OutgoingCall> loaded;
  std::int64_t last_session = last->value.GetInt64();
  for (const auto& c : calls->value.GetArray()) {
    if (!c.IsObject()) return fail("a call is not an object");
    auto action = c.FindMember("action");
    auto payload = c.FindMember("payload");
    auto session = c.FindMember("session");
    auto field = c.FindMember("txIdField");
    if (action == c.MemberEnd() || !action->value.IsString() || payload == c.MemberEnd() ||
        !payload->value.IsObject() || session == c.MemberEnd() || !session->value.IsInt64() ||
        field == c.MemberEnd() || !field->value.IsString()) {
      return fail("a call lacks action, payload, session or txIdField");
    }
    OutgoingCall call;
    call.action = action->value.GetString();
    call.payload = ocpp::to_compact_json(payload->value);
    call.transactional = true;
    call.session = session->value.GetInt64();
    auto connector = c.FindMember("connector");
    if (connector != c.MemberEnd() && connector->value.IsInt64()) {
      call.connector = connector->value.GetInt64();
    }
    call.tx_id_field = field->value.GetString();
    last_session = std::max(last_session, call.session);
    loaded.push_back(std::move(call));
  }
  std::map<std::int64_t, std::int64_t> loaded_ids;
  for (const auto& pair : ids->value.GetArray()) {
    if (!pair.IsArray() || pair.Size() != 2 || !pair[0].IsInt64() || !pair[1].IsInt64()) {
      return fail("transactionIds holds something other than [session, id] pairs");
    }
    loaded_ids[pair[0].GetInt64()] = pair[1].GetInt64();
  }
  calls_ = std::move(loaded);
  transaction_ids_ = std::move(loaded_ids);
  last_session_ = last_session;
  return true;
}

}  // namespace simulator
