#pragma once
// Validation context for decoding: records the first violation, its OCPP error
// code and the path of the offending field.

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ocpp/common/error.hpp"

namespace ocpp {

/// Tracks where a decoder is inside a payload and keeps the first violation.
/// Paths read like `chargingProfile.chargingSchedule.chargingSchedulePeriod[0].limit`.
class DecodeContext {
 public:
  bool failed() const { return failed_; }
  ErrorCode code() const { return code_; }
  /// `<path>: <problem>`, or `payload: <problem>` at the top level.
  const std::string& description() const { return description_; }
  /// The path of the failing field alone (empty for the payload itself).
  const std::string& failed_path() const { return failed_path_; }

  /// Path segments. Names must outlive the context (they are string literals).
  void enter(std::string_view field) { path_.push_back({field, 0}); }
  void enter(std::size_t index) { path_.push_back({{}, index + 1}); }
  void leave() { path_.pop_back(); }

  /// Records a violation at the current path and returns false, so decoders can
  /// `return ctx.fail(...)`. Only the first violation is kept.
  bool fail(ErrorCode code, std::string_view problem);

  std::string path() const;

 private:
  struct Segment {
    std::string_view name;
    std::size_t index;  // 1-based array index; 0 for a named field
  };
  std::vector<Segment> path_;
  bool failed_ = false;
  ErrorCode code_ = ErrorCode::GenericError;
  std::string description_;
  std::string failed_path_;
};

/// Thrown by encoders when a value cannot be encoded schema-valid (a string over
/// its maxLength, a number out of range, an array outside its bounds...). The
/// message names the field path.
class EncodeError : public std::invalid_argument {
 public:
  EncodeError(std::string path, std::string problem);
  const std::string& path() const { return path_; }
  const std::string& problem() const { return problem_; }
  /// Prefixes the path with an enclosing field or array index while unwinding.
  [[noreturn]] void rethrow_within(std::string_view field) const;
  [[noreturn]] void rethrow_within(std::size_t index) const;

 private:
  std::string path_;
  std::string problem_;
};

/// Quotes a wire value for an error description, cut short so a hostile peer
/// cannot make us log or echo megabytes.
std::string quote_for_error(std::string_view value);

}  // namespace ocpp
