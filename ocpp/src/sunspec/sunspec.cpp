#include "ocpp/sunspec.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace ocpp::sunspec {
namespace {

constexpr std::uint16_t kMarkerHigh = 0x5375;  // "Su"
constexpr std::uint16_t kMarkerLow = 0x6E53;   // "nS"
constexpr std::uint16_t kInt16None = 0x8000;
constexpr std::uint16_t kUint16None = 0xFFFF;
constexpr int kMinScale = -10;
constexpr int kMaxScale = 10;

// Point offsets (after the id/length header) of what this code reads and writes.
namespace common {
constexpr std::size_t kMn = 0, kMd = 16, kOpt = 32, kVr = 40, kSn = 48, kDa = 64, kPad = 65;
constexpr std::uint16_t kLength = 66, kMinLength = 65;
}  // namespace common
namespace inverter {  // 101 / 102 / 103
constexpr std::size_t kA = 0, kAph = 1, kASf = 4, kW = 12, kWSf = 13, kWh = 22, kWhSf = 24;
constexpr std::size_t kSt = 36, kEvtFirst = 38, kEvtEnd = 50;
// int16 points and scale factors (0x8000 when not implemented); the rest is uint16.
constexpr std::size_t kInt16Points[] = {4,  11, 12, 13, 15, 16, 17, 18, 19, 20, 21,
                                        24, 26, 28, 29, 30, 31, 32, 33, 34, 35};
constexpr std::uint16_t kLength = 50;
constexpr std::uint16_t kStateMppt = 4;
}  // namespace inverter
namespace meter_int {  // 203
constexpr std::size_t kA = 0, kAph = 1, kASf = 4, kW = 16, kWSf = 20;
constexpr std::size_t kWhExp = 36, kWhImp = 44, kWhSf = 52;
constexpr std::size_t kAcc32Begin = 36, kAcc32End = 102;  // energies, scale factors skipped
constexpr std::size_t kEnergySfs[] = {52, 69, 102};
constexpr std::size_t kEvt = 103;
constexpr std::uint16_t kLength = 105;
}  // namespace meter_int
namespace meter_float {  // 213
constexpr std::size_t kA = 0, kAph = 2, kW = 26, kWhExp = 58, kWhImp = 66, kEvt = 122;
constexpr std::uint16_t kLength = 124;
}  // namespace meter_float
namespace storage {  // 124
constexpr std::size_t kChaState = 6, kChaSt = 9, kChaStateSf = 20;
constexpr std::size_t kInt16Points[] = {10, 11};
constexpr std::size_t kScaleFactorsBegin = 16;
constexpr std::uint16_t kLength = 24;
}  // namespace storage
namespace battery {  // 802
constexpr std::size_t kSoc = 9, kChaSt = 14, kW = 45, kSocSf = 54, kWSf = 61;
constexpr std::size_t kInt16Points[] = {42, 45, 47};
constexpr std::size_t kBitfieldsBegin = 24, kBitfieldsEnd = 32;
constexpr std::size_t kScaleFactorsBegin = 50;
constexpr std::uint16_t kLength = 62;
}  // namespace battery
// Charge status (ChaSt) of 124 and 802.
constexpr std::uint16_t kChaStDischarging = 3;
constexpr std::uint16_t kChaStCharging = 4;
constexpr std::uint16_t kChaStHolding = 6;

std::string register_name(std::size_t offset) {
  return std::to_string(static_cast<std::size_t>(kBaseRegister) + offset);
}

double pow10(int scale) {
  return std::pow(10.0, scale);
}

bool present(const std::optional<double>& v) {
  return v.has_value() && std::isfinite(*v);
}

std::uint16_t as_register(std::int16_t v) {
  return static_cast<std::uint16_t>(v);
}
std::int16_t as_int16(std::uint16_t r) {
  return static_cast<std::int16_t>(r);
}

/// The smallest scale factor >= `min_scale` at which `max_abs` fits in `limit`.
std::optional<int> choose_scale(double max_abs, double limit, int min_scale) {
  for (int sf = min_scale; sf <= kMaxScale; ++sf) {
    if (std::round(max_abs / pow10(sf)) <= limit) return sf;
  }
  return std::nullopt;
}

/// One group of points sharing a scale factor.
struct ScaledGroup {
  std::vector<std::pair<std::size_t, std::optional<double>>> points;
  std::size_t sf_offset;
};

enum class Kind { Int16, Uint16, Acc32 };

/// Writes a group of scaled points; absent values stay "not implemented".
void write_scaled(std::vector<std::uint16_t>& b, const ScaledGroup& g, Kind kind, int min_scale) {
  double max_abs = 0;
  bool any = false;
  for (const auto& [off, v] : g.points) {
    if (!present(v)) continue;
    if (kind != Kind::Int16 && *v < 0) continue;  // unsigned points cannot carry it
    any = true;
    max_abs = std::max(max_abs, std::fabs(*v));
  }
  if (!any) return;
  const double limit = kind == Kind::Int16    ? 32767.0
                       : kind == Kind::Uint16 ? 65534.0
                                              : 4294967295.0;
  const auto sf = choose_scale(max_abs, limit, min_scale);
  if (!sf) return;
  b[g.sf_offset] = as_register(static_cast<std::int16_t>(*sf));
  for (const auto& [off, v] : g.points) {
    if (!present(v) || (kind != Kind::Int16 && *v < 0)) continue;
    const double scaled = std::round(*v / pow10(*sf));
    switch (kind) {
      case Kind::Int16:
        b[off] = as_register(static_cast<std::int16_t>(scaled));
        break;
      case Kind::Uint16:
        b[off] = static_cast<std::uint16_t>(scaled);
        break;
      case Kind::Acc32: {
        const auto raw = static_cast<std::uint32_t>(scaled);
        b[off] = static_cast<std::uint16_t>(raw >> 16);
        b[off + 1] = static_cast<std::uint16_t>(raw & 0xFFFF);
        break;
      }
    }
  }
}

void write_string(std::vector<std::uint16_t>& b, std::size_t off, std::size_t regs,
                  const std::string& s) {
  for (std::size_t i = 0; i < regs; ++i) {
    const auto hi = 2 * i < s.size() ? static_cast<unsigned char>(s[2 * i]) : 0U;
    const auto lo = 2 * i + 1 < s.size() ? static_cast<unsigned char>(s[2 * i + 1]) : 0U;
    b[off + i] = static_cast<std::uint16_t>((hi << 8) | lo);
  }
}

std::string read_string(const std::uint16_t* b, std::size_t regs) {
  std::string s;
  for (std::size_t i = 0; i < regs; ++i) {
    for (const auto c : {static_cast<char>(b[i] >> 8), static_cast<char>(b[i] & 0xFF)}) {
      if (c == '\0') return s;
      s.push_back(c);
    }
  }
  return s;
}

void write_float(std::vector<std::uint16_t>& b, std::size_t off, std::optional<double> v) {
  const float f = present(v) ? static_cast<float>(*v) : std::numeric_limits<float>::quiet_NaN();
  std::uint32_t raw = 0;
  std::memcpy(&raw, &f, sizeof raw);
  b[off] = static_cast<std::uint16_t>(raw >> 16);
  b[off + 1] = static_cast<std::uint16_t>(raw & 0xFFFF);
}

std::optional<double> sum_of_phases(const Values& v, int phases) {
  std::optional<double> total;
  for (int i = 0; i < phases; ++i) {
    if (present(v.phase_current_a[i])) total = total.value_or(0) + *v.phase_current_a[i];
  }
  return total;
}

std::vector<std::uint16_t> encode_common(const std::string& manufacturer, const std::string& model,
                                         const std::string& serial) {
  std::vector<std::uint16_t> b(common::kLength, 0);
  write_string(b, common::kMn, 16, manufacturer);
  write_string(b, common::kMd, 16, model);
  write_string(b, common::kOpt, 8, "");
  write_string(b, common::kVr, 8, "1.0");
  write_string(b, common::kSn, 16, serial);
  b[common::kDa] = 1;
  b[common::kPad] = kInt16None;
  return b;
}

std::vector<std::uint16_t> encode_inverter(const Values& v, int phases) {
  using namespace inverter;
  std::vector<std::uint16_t> b(kLength, kUint16None);
  // int16 points and scale factors: 0x8000 when not implemented.
  for (const std::size_t off : kInt16Points) {
    b[off] = kInt16None;
  }
  b[kWh] = b[kWh + 1] = 0;                                     // acc32: not accumulated
  for (std::size_t i = kEvtFirst; i < kEvtEnd; ++i) b[i] = 0;  // no events
  b[kSt] = kStateMppt;
  ScaledGroup amps{{{kA, sum_of_phases(v, phases)}}, kASf};
  for (int i = 0; i < phases; ++i) {
    amps.points.emplace_back(kAph + static_cast<std::size_t>(i), v.phase_current_a[i]);
  }
  write_scaled(b, amps, Kind::Uint16, -2);
  write_scaled(b, {{{kW, v.power_w}}, kWSf}, Kind::Int16, -1);
  write_scaled(b, {{{kWh, v.energy_export_wh}}, kWhSf}, Kind::Acc32, 0);
  return b;
}

std::vector<std::uint16_t> encode_meter_int(const Values& v) {
  using namespace meter_int;
  std::vector<std::uint16_t> b(kLength, kInt16None);
  for (std::size_t i = kAcc32Begin; i < kAcc32End; ++i) b[i] = 0;  // acc32: not accumulated
  for (const std::size_t sf : kEnergySfs) b[sf] = kInt16None;
  b[kEvt] = b[kEvt + 1] = 0;
  write_scaled(b,
               {{{kA, sum_of_phases(v, 3)},
                 {kAph, v.phase_current_a[0]},
                 {kAph + 1, v.phase_current_a[1]},
                 {kAph + 2, v.phase_current_a[2]}},
                kASf},
               Kind::Int16, -2);
  write_scaled(b, {{{kW, v.power_w}}, kWSf}, Kind::Int16, -1);
  write_scaled(b, {{{kWhExp, v.energy_export_wh}, {kWhImp, v.energy_import_wh}}, kWhSf},
               Kind::Acc32, 0);
  return b;
}

std::vector<std::uint16_t> encode_meter_float(const Values& v) {
  using namespace meter_float;
  std::vector<std::uint16_t> b(kLength, 0);
  for (std::size_t off = 0; off < kEvt; off += 2) write_float(b, off, std::nullopt);
  write_float(b, kA, sum_of_phases(v, 3));
  for (std::size_t i = 0; i < 3; ++i) write_float(b, kAph + 2 * i, v.phase_current_a[i]);
  write_float(b, kW, v.power_w);
  write_float(b, kWhExp, v.energy_export_wh);
  write_float(b, kWhImp, v.energy_import_wh);
  return b;
}

std::uint16_t charge_status(const Values& v) {
  if (!present(v.battery_power_w)) return kUint16None;
  if (*v.battery_power_w > 0) return kChaStCharging;
  if (*v.battery_power_w < 0) return kChaStDischarging;
  return kChaStHolding;
}

std::vector<std::uint16_t> encode_storage(const Values& v) {
  using namespace storage;
  std::vector<std::uint16_t> b(kLength, kUint16None);
  for (const std::size_t off : kInt16Points) b[off] = kInt16None;
  for (std::size_t i = kScaleFactorsBegin; i < kLength; ++i) b[i] = kInt16None;
  b[kChaSt] = charge_status(v);
  write_scaled(b, {{{kChaState, v.soc_pct}}, kChaStateSf}, Kind::Uint16, -2);
  return b;
}

std::vector<std::uint16_t> encode_battery(const Values& v) {
  using namespace battery;
  std::vector<std::uint16_t> b(kLength, kUint16None);
  for (const std::size_t off : kInt16Points) b[off] = kInt16None;
  for (std::size_t i = kBitfieldsBegin; i < kBitfieldsEnd; ++i) b[i] = 0;
  for (std::size_t i = kScaleFactorsBegin; i < kLength; ++i) b[i] = kInt16None;
  b[kChaSt] = charge_status(v);
  write_scaled(b, {{{kSoc, v.soc_pct}}, kSocSf}, Kind::Uint16, -2);
  write_scaled(b, {{{kW, v.battery_power_w}}, kWSf}, Kind::Int16, -1);
  return b;
}

// --- decoding -------------------------------------------------------------

std::optional<int> scale(std::uint16_t raw) {
  if (raw == kInt16None) return std::nullopt;
  const int sf = as_int16(raw);
  if (sf < kMinScale || sf > kMaxScale) return std::nullopt;
  return sf;
}

std::optional<double> int16_at(const std::uint16_t* b, std::size_t off, std::size_t sf_off) {
  const auto sf = scale(b[sf_off]);
  if (b[off] == kInt16None || !sf) return std::nullopt;
  return as_int16(b[off]) * pow10(*sf);
}

std::optional<double> uint16_at(const std::uint16_t* b, std::size_t off, std::size_t sf_off) {
  const auto sf = scale(b[sf_off]);
  if (b[off] == kUint16None || !sf) return std::nullopt;
  return b[off] * pow10(*sf);
}

std::optional<double> acc32_at(const std::uint16_t* b, std::size_t off, std::size_t sf_off) {
  const auto sf = scale(b[sf_off]);
  const std::uint32_t raw = (static_cast<std::uint32_t>(b[off]) << 16) | b[off + 1];
  if (raw == 0 || !sf) return std::nullopt;
  return static_cast<double>(raw) * pow10(*sf);
}

std::optional<double> float_at(const std::uint16_t* b, std::size_t off) {
  const std::uint32_t raw = (static_cast<std::uint32_t>(b[off]) << 16) | b[off + 1];
  float f = 0;
  std::memcpy(&f, &raw, sizeof f);
  if (std::isnan(f)) return std::nullopt;
  return static_cast<double>(f);
}

struct Header {
  std::uint16_t id = 0;
  std::uint16_t length = 0;
  std::size_t offset = 0;  // of the id register, from 40000
};

std::vector<Header> walk(const std::vector<std::uint16_t>& r) {
  if (r.size() < 2 || r[0] != kMarkerHigh || r[1] != kMarkerLow) {
    throw std::invalid_argument(r.size() < 2
                                    ? "no SunSpec marker (\"SunS\") at register 40000: only " +
                                          std::to_string(r.size()) + " registers read"
                                    : "no SunSpec marker (\"SunS\") at register 40000");
  }
  std::vector<Header> headers;
  std::size_t pos = 2;
  while (pos < r.size()) {  // an image that ends on a block boundary ends there
    const std::uint16_t id = r[pos];
    if (id == kEndModel) break;
    if (pos + 1 >= r.size()) {
      throw std::invalid_argument("truncated SunSpec model header at register " +
                                  register_name(pos) + " (model " + std::to_string(id) +
                                  ", no length)");
    }
    const std::uint16_t length = r[pos + 1];
    if (pos + 2 + length > r.size()) {
      throw std::invalid_argument("truncated SunSpec model " + std::to_string(id) +
                                  " at register " + register_name(pos) + ": length " +
                                  std::to_string(length) + ", only " +
                                  std::to_string(r.size() - pos - 2) + " registers read");
    }
    headers.push_back({id, length, pos});
    pos += 2 + std::size_t{length};
  }
  return headers;
}

std::optional<Model> known(std::uint16_t id) {
  switch (id) {
    case 1:
    case 101:
    case 103:
    case 124:
    case 203:
    case 213:
    case 802:
      return static_cast<Model>(id);
    default:
      return std::nullopt;
  }
}

void require_length(const Header& h, std::uint16_t least) {
  if (h.length < least) {
    throw std::invalid_argument(
        "SunSpec model " + std::to_string(h.id) + " at register " + register_name(h.offset) +
        " has length " + std::to_string(h.length) + ", expected at least " + std::to_string(least));
  }
}

Values decode_inverter(const std::uint16_t* b, int phases) {
  using namespace inverter;
  Values v;
  for (int i = 0; i < phases; ++i) {
    v.phase_current_a[i] = uint16_at(b, kAph + static_cast<std::size_t>(i), kASf);
  }
  v.power_w = int16_at(b, kW, kWSf);
  v.energy_export_wh = acc32_at(b, kWh, kWhSf);
  return v;
}

Values decode_meter_int(const std::uint16_t* b) {
  using namespace meter_int;
  Values v;
  for (std::size_t i = 0; i < 3; ++i) v.phase_current_a[i] = int16_at(b, kAph + i, kASf);
  v.power_w = int16_at(b, kW, kWSf);
  v.energy_export_wh = acc32_at(b, kWhExp, kWhSf);
  v.energy_import_wh = acc32_at(b, kWhImp, kWhSf);
  return v;
}

Values decode_meter_float(const std::uint16_t* b) {
  using namespace meter_float;
  Values v;
  for (std::size_t i = 0; i < 3; ++i) v.phase_current_a[i] = float_at(b, kAph + 2 * i);
  v.power_w = float_at(b, kW);
  v.energy_export_wh = float_at(b, kWhExp);
  v.energy_import_wh = float_at(b, kWhImp);
  return v;
}

Values decode_storage(const std::uint16_t* b) {
  Values v;
  v.soc_pct = uint16_at(b, storage::kChaState, storage::kChaStateSf);
  return v;
}

Values decode_battery(const std::uint16_t* b) {
  using namespace battery;
  Values v;
  v.soc_pct = uint16_at(b, kSoc, kSocSf);
  v.battery_power_w = int16_at(b, kW, kWSf);
  // W carries no sign in the model text: trust the charge status when it disagrees.
  if (v.battery_power_w) {
    const bool charging = b[kChaSt] == kChaStCharging;
    const bool discharging = b[kChaSt] == kChaStDischarging;
    if ((charging && *v.battery_power_w < 0) || (discharging && *v.battery_power_w > 0)) {
      v.battery_power_w = -*v.battery_power_w;
    }
  }
  return v;
}

void fill(std::optional<double>& into, const std::optional<double>& from) {
  if (!into && from) into = from;
}

}  // namespace

std::uint16_t model_length(Model model) {
  switch (model) {
    case Model::Common:
      return common::kLength;
    case Model::Inverter101:
    case Model::Inverter103:
      return inverter::kLength;
    case Model::Meter203:
      return meter_int::kLength;
    case Model::Meter213:
      return meter_float::kLength;
    case Model::Storage124:
      return storage::kLength;
    case Model::Battery802:
      return battery::kLength;
  }
  return 0;
}

std::vector<std::uint16_t> encode(const std::vector<Model>& models, const Values& values,
                                  const std::string& manufacturer, const std::string& serial) {
  std::string model_name = "SunSpec";
  for (const Model m : models) {
    if (m != Model::Common) model_name += " " + std::to_string(static_cast<unsigned>(m));
  }
  std::vector<std::uint16_t> image{kMarkerHigh, kMarkerLow};
  auto append = [&image](Model id, const std::vector<std::uint16_t>& block) {
    image.push_back(static_cast<std::uint16_t>(id));
    image.push_back(static_cast<std::uint16_t>(block.size()));
    image.insert(image.end(), block.begin(), block.end());
  };
  append(Model::Common, encode_common(manufacturer, model_name, serial));
  for (const Model m : models) {
    switch (m) {
      case Model::Common:
        break;
      case Model::Inverter101:
        append(m, encode_inverter(values, 1));
        break;
      case Model::Inverter103:
        append(m, encode_inverter(values, 3));
        break;
      case Model::Meter203:
        append(m, encode_meter_int(values));
        break;
      case Model::Meter213:
        append(m, encode_meter_float(values));
        break;
      case Model::Storage124:
        append(m, encode_storage(values));
        break;
      case Model::Battery802:
        append(m, encode_battery(values));
        break;
    }
  }
  image.push_back(kEndModel);
  image.push_back(0);
  return image;
}

std::vector<Block> decode_blocks(const std::vector<std::uint16_t>& registers) {
  std::vector<Block> blocks;
  for (const Header& h : walk(registers)) {
    const auto model = known(h.id);
    if (!model || *model == Model::Common) continue;
    const std::uint16_t* b = registers.data() + h.offset + 2;
    Block block{h.id, h.offset, {}};
    switch (*model) {
      case Model::Common:
        break;
      case Model::Inverter101:
      case Model::Inverter103:
        require_length(h, inverter::kLength);
        block.values = decode_inverter(b, *model == Model::Inverter101 ? 1 : 3);
        break;
      case Model::Meter203:
        require_length(h, meter_int::kLength);
        block.values = decode_meter_int(b);
        break;
      case Model::Meter213:
        require_length(h, meter_float::kLength);
        block.values = decode_meter_float(b);
        break;
      case Model::Storage124:
        require_length(h, storage::kLength);
        block.values = decode_storage(b);
        break;
      case Model::Battery802:
        require_length(h, battery::kLength);
        block.values = decode_battery(b);
        break;
    }
    blocks.push_back(block);
  }
  return blocks;
}

Values merge(const std::vector<Block>& blocks) {
  Values v;
  for (const Block& b : blocks) {
    fill(v.power_w, b.values.power_w);
    for (int i = 0; i < 3; ++i) fill(v.phase_current_a[i], b.values.phase_current_a[i]);
    fill(v.energy_import_wh, b.values.energy_import_wh);
    fill(v.energy_export_wh, b.values.energy_export_wh);
    fill(v.soc_pct, b.values.soc_pct);
    fill(v.battery_power_w, b.values.battery_power_w);
  }
  return v;
}

Values decode(const std::vector<std::uint16_t>& registers) {
  return merge(decode_blocks(registers));
}

std::vector<std::pair<std::uint16_t, std::uint16_t>> models_in(
    const std::vector<std::uint16_t>& registers) {
  std::vector<std::pair<std::uint16_t, std::uint16_t>> out;
  for (const Header& h : walk(registers)) out.emplace_back(h.id, h.length);
  return out;
}

Identity identity(const std::vector<std::uint16_t>& registers) {
  for (const Header& h : walk(registers)) {
    if (h.id != static_cast<std::uint16_t>(Model::Common)) continue;
    require_length(h, common::kMinLength);
    const std::uint16_t* b = registers.data() + h.offset + 2;
    return {read_string(b + common::kMn, 16), read_string(b + common::kMd, 16),
            read_string(b + common::kSn, 16)};
  }
  return {};
}

}  // namespace ocpp::sunspec
