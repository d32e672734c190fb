#pragma once
// The release version of csms, csmsctl and the admin API.

namespace csms {

/// Semantic version of this build.
constexpr const char* kVersion = "0.1.0";

}  // namespace csms
