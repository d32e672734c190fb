#pragma once
// SunSpec Modbus register maps: the holding-register image a meter, an
// inverter or a battery serves from register 40000 ("SunS", then blocks of
// model id + length + points, ended by 0xFFFF), encoded from values and
// decoded back. Pure: no Modbus transport here, so the simulator (which serves
// the image) and the central system (which polls it) share one definition.
//
// Models: 1 (common), 101/103 (inverter, integer + scale factor), 203 (wye
// meter, integer + scale factor), 213 (wye meter, float), 124 (storage) and
// 802 (battery). Byte and word order: big-endian, high word first.
//
// Sign conventions of the decoded values:
// - meters (203/213): W as served, positive = import (power from the grid into
//   the site), negative = export;
// - inverters (101/103): W as served, positive = production (AC out);
// - battery (802): positive = charging. The model text does not fix a sign for
//   W, so when the charge status (ChaSt) says charging or discharging and W
//   disagrees, W is read the other way round; 124 has no power point.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ocpp::sunspec {

/// Register address of the "SunS" marker.
constexpr std::uint16_t kBaseRegister = 40000;
/// Model id of the end marker.
constexpr std::uint16_t kEndModel = 0xFFFF;

/// What a site meter/inverter/battery says, in SI units; nullopt when not provided.
struct Values {
  /// Meter: total active power, import positive. Inverter: AC power, production positive.
  std::optional<double> power_w;
  /// Per-phase AC current (A, B, C).
  std::optional<double> phase_current_a[3];
  /// Meter: total energy imported. Inverters do not provide it.
  std::optional<double> energy_import_wh;
  /// Meter: total energy exported. Inverter: lifetime energy produced (WH).
  std::optional<double> energy_export_wh;
  /// Storage (124 ChaState, 802 SoC): state of charge in percent.
  std::optional<double> soc_pct;
  /// Battery (802 W): power into the battery, charging positive.
  std::optional<double> battery_power_w;
};

enum class Model : std::uint16_t {
  Common = 1,
  Inverter101 = 101,
  Inverter103 = 103,
  Meter203 = 203,
  Meter213 = 213,
  Storage124 = 124,
  Battery802 = 802,
};

/// The length (registers after the id/length header) this code writes for a
/// model, and the least it accepts when decoding.
std::uint16_t model_length(Model model);

/// Builds the holding-register image starting at register 40000: "SunS", model 1
/// (manufacturer/model/serial strings), the given models filled from `values`,
/// end marker. A value that is nullopt (or NaN) is written "not implemented";
/// scale factors are chosen per value group to keep the most precision that fits.
/// Model::Common in `models` is ignored (it is always first).
std::vector<std::uint16_t> encode(const std::vector<Model>& models, const Values& values,
                                  const std::string& manufacturer, const std::string& serial);

/// One decoded block: its model id, where its id register sits (offset from
/// 40000) and what it says.
struct Block {
  std::uint16_t model = 0;
  std::size_t offset = 0;
  Values values;
};

/// Walks an image read from 40000 and decodes each known model on its own
/// (unknown models are skipped). Throws like decode().
std::vector<Block> decode_blocks(const std::vector<std::uint16_t>& registers);

/// Merges blocks field by field: for each value, the first block (in `blocks`
/// order) that provides it wins.
Values merge(const std::vector<Block>& blocks);

/// Walks an image read from 40000 (as many registers as were read) and decodes
/// every known model found (scale factors applied; "not implemented" values
/// 0x8000/0xFFFF/NaN, an unaccumulated acc32 0, or a missing scale factor ->
/// nullopt), merged in image order (first model providing a value wins). Throws
/// std::invalid_argument with a message naming the problem (no SunS marker,
/// truncated header or block, a known model shorter than its points).
Values decode(const std::vector<std::uint16_t>& registers);

/// The models present (id and length) in an image, for discovery. Throws like decode().
std::vector<std::pair<std::uint16_t, std::uint16_t>> models_in(
    const std::vector<std::uint16_t>& registers);

/// Common model strings (Mn, Md, SN) of the first model 1 in an image; empty when absent.
struct Identity {
  std::string manufacturer;
  std::string model;
  std::string serial;
};
Identity identity(const std::vector<std::uint16_t>& registers);

}  // namespace ocpp::sunspec
