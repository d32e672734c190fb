#include "ocpp/common/decode.hpp"

namespace ocpp {

namespace {
constexpr std::size_t kMaxQuotedLength = 40;
}

std::string DecodeContext::path() const {
  std::string out;
  for (const auto& seg : path_) {
    if (seg.index == 0) {
      if (!out.empty()) out += '.';
      out += seg.name;
    } else {
      out += '[';
      out += std::to_string(seg.index - 1);
      out += ']';
    }
  }
  return out;
}

bool DecodeContext::fail(ErrorCode code, std::string_view problem) {
  if (failed_) return false;
  failed_ = true;
  code_ = code;
  failed_path_ = path();
  description_ = failed_path_.empty() ? "payload" : failed_path_;
  description_ += ": ";
  description_ += problem;
  return false;
}

EncodeError::EncodeError(std::string path, std::string problem)
    : std::invalid_argument("cannot encode " + (path.empty() ? std::string("message") : path) +
                            ": " + problem),
      path_(std::move(path)),
      problem_(std::move(problem)) {}

void EncodeError::rethrow_within(std::string_view field) const {
  std::string p(field);
  if (!path_.empty() && path_.front() != '[') p += '.';
  throw EncodeError(p + path_, problem_);
}

void EncodeError::rethrow_within(std::size_t index) const {
  std::string p = "[" + std::to_string(index) + "]";
  if (!path_.empty() && path_.front() != '[') p += '.';
  throw EncodeError(p + path_, problem_);
}

std::string quote_for_error(std::string_view value) {
  std::string out = "\"";
  std::size_t n = 0;
  for (char c : value) {
    if (n == kMaxQuotedLength) {
      out += "...";
      break;
    }
    auto u = static_cast<unsigned char>(c);
    // Printable ASCII only: descriptions go into logs and back on the wire.
    out += (u >= 0x20 && u < 0x7f && c != '"' && c != '\\') ? c : '?';
    ++n;
  }
  out += '"';
  return out;
}

}  // namespace ocpp
