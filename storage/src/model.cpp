#include "storage/model.hpp"
#include <cmath>
#include <cstdlib>

#include <array>
#include <utility>

namespace storage {

namespace {

// Spellings are the enumerator names, so the database and the admin API read the
// same words the code does.
constexpr std::array<std::pair<RegistrationStatus, std::string_view>, 3> kRegistration{{
    {RegistrationStatus::Accepted, "Accepted"},
    {RegistrationStatus::Pending, "Pending"},
    {RegistrationStatus::Rejected, "Rejected"},
}};

constexpr std::array<std::pair<ConnectorStatus, std::string_view>, 11> kConnector{{
    {ConnectorStatus::Available, "Available"},
    {ConnectorStatus::Preparing, "Preparing"},
    {ConnectorStatus::Charging, "Charging"},
    {ConnectorStatus::SuspendedEVSE, "SuspendedEVSE"},
    {ConnectorStatus::SuspendedEV, "SuspendedEV"},
    {ConnectorStatus::Finishing, "Finishing"},
    {ConnectorStatus::Reserved, "Reserved"},
    {ConnectorStatus::Unavailable, "Unavailable"},
    {ConnectorStatus::Faulted, "Faulted"},
    {ConnectorStatus::Occupied, "Occupied"},
    {ConnectorStatus::Unknown, "Unknown"},
}};

constexpr std::array<std::pair<TokenStatus, std::string_view>, 5> kToken{{
    {TokenStatus::Accepted, "Accepted"},
    {TokenStatus::Blocked, "Blocked"},
    {TokenStatus::Expired, "Expired"},
    {TokenStatus::Invalid, "Invalid"},
    {TokenStatus::ConcurrentTx, "ConcurrentTx"},
}};

template <class Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& table, Enum v) {
  for (const auto& [e, name] : table) {
    if (e == v) return name;
  }
  return {};  // Only reachable with a value outside the enum.
}

template <class Enum, std::size_t N>
std::optional<Enum> value_of(const std::array<std::pair<Enum, std::string_view>, N>& table,
                             std::string_view s) {
  for (const auto& [e, name] : table) {
    if (name == s) return e;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(RegistrationStatus v) {
  return name_of(kRegistration, v);
}

std::optional<RegistrationStatus> registration_status_from_string(std::string_view s) {
  return value_of(kRegistration, s);
}

std::string_view to_string(ConnectorStatus v) {
  return name_of(kConnector, v);
}

ConnectorStatus connector_status_from_string(std::string_view s) {
  return value_of(kConnector, s).value_or(ConnectorStatus::Unknown);
}

std::string_view to_string(TokenStatus v) {
  return name_of(kToken, v);
}

std::optional<TokenStatus> token_status_from_string(std::string_view s) {
  return value_of(kToken, s);
}

std::string_view to_string(Direction v) {
  return v == Direction::In ? "In" : "Out";
}

std::string_view to_string(TxEventType v) {
  switch (v) {
    case TxEventType::Started:
      return "Started";
    case TxEventType::Updated:
      return "Updated";
    case TxEventType::Ended:
      return "Ended";
  }
  return "Updated";
}

std::optional<TxEventType> tx_event_type_from_string(std::string_view s) {
  for (auto v : {TxEventType::Started, TxEventType::Updated, TxEventType::Ended})
    if (to_string(v) == s) return v;
  return std::nullopt;
}

std::optional<double> sample_number(const MeterSample& sample) {
  const char* text = sample.value.c_str();
  char* end = nullptr;
  const double v = std::strtod(text, &end);
  if (end == text || *end != '\0' || !std::isfinite(v)) return std::nullopt;
  return v;
}

}  // namespace storage
