#pragma once
// Sample messages built with the generated types, for the schema conformance test.

#include <cstddef>
#include <string>
#include <vector>

#include "ocpp/common/datetime.hpp"
#include "ocpp/common/raw_json.hpp"

namespace conformance {

/// One encoded message: version ("1.6"/"2.0.1"), action, "req"/"conf", whether
/// every optional field is populated, and the JSON our encoder produced.
struct Sample {
  std::string version;
  std::string action;
  std::string kind;
  bool full;
  std::string json;
};

std::vector<Sample> samples_v16();
std::vector<Sample> samples_v201();

/// Exactly `max_length` characters when full (a boundary value), short otherwise;
/// includes non-ASCII so lengths are checked in code points, not bytes.
std::string sample_string(std::size_t max_length, bool full);
std::string sample_uri(std::size_t max_length, bool full);
ocpp::DateTime sample_datetime(bool full);
ocpp::RawJson sample_raw();

}  // namespace conformance
