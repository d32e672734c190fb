// libFuzzer harness: the first byte picks what the rest of the input goes to.
//   even: a whole frame through parse_frame (1.6 or 2.0.1), and a CALL's payload
//         through its action's request decoder;
//   odd:  a bare payload through one decoder picked by the second byte.
// Invariants beyond "no crash, leak or hang": whatever a decoder accepts must
// encode without throwing, and the encoding must decode to the same text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "ocpp/common/frame.hpp"
#include "ocpp/common/json.hpp"
#include "ocpp/v16/actions.hpp"
#include "ocpp/v201/actions.hpp"

namespace {

void check_payload(const ocpp::PayloadCheck check, const rapidjson::Value& payload) {
  ocpp::DecodeContext ctx;
  std::string encoded;
  if (!check(payload, ctx, &encoded)) {
    if (ctx.description().empty()) std::abort();  // a rejection always says why
    return;
  }
  rapidjson::Document again;
  if (ocpp::parse_json(encoded, again).IsError()) std::abort();
  ocpp::DecodeContext ctx2;
  std::string encoded2;
  if (!check(again, ctx2, &encoded2) || encoded2 != encoded) std::abort();
}

const std::vector<ocpp::ActionInfo>& actions(bool v16) {
  return v16 ? ocpp::v16::all_actions() : ocpp::v201::all_actions();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t mode = data[0];
  const bool v16 = (mode & 2) != 0;
  if ((mode & 1) == 0) {
    std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    auto result = ocpp::parse_frame(text, v16 ? ocpp::Version::v16 : ocpp::Version::v201);
    if (auto* frame = std::get_if<ocpp::Frame>(&result)) {
      if (frame->type() == ocpp::MessageType::Call) {
        const auto* info = v16 ? ocpp::v16::find_action(frame->action())
                               : ocpp::v201::find_action(frame->action());
        if (info != nullptr) check_payload(info->check_request, frame->payload());
      }
    } else {
      const auto& error = std::get<ocpp::FrameError>(result);
      if (error.description.empty()) std::abort();
    }
    return 0;
  }
  const auto& table = actions(v16);
  const auto& info = table[data[1] % table.size()];
  const bool response = (data[1] / table.size()) % 2 == 1;
  rapidjson::Document doc;
  if (ocpp::parse_json(std::string_view(reinterpret_cast<const char*>(data + 2), size - 2), doc)
          .IsError())
    return 0;
  check_payload(response ? info.check_response : info.check_request, doc);
  return 0;
}
