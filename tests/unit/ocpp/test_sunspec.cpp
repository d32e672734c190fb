// SunSpec register maps (ocpp/sunspec.hpp): encode -> decode round trips for
// each model with scale factors and negative values, "not implemented" points,
// discovery of the model chain and the errors a broken image gives.
#include <catch2/catch.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "ocpp/sunspec.hpp"

namespace sunspec = ocpp::sunspec;
using sunspec::Model;

namespace {

sunspec::Values meter_values() {
  sunspec::Values v;
  v.power_w = -12345.6;  // exporting
  v.phase_current_a[0] = 17.25;
  v.phase_current_a[1] = -3.5;
  v.phase_current_a[2] = 0.0;
  v.energy_import_wh = 1234567.0;
  v.energy_export_wh = 765432.0;
  return v;
}

/// Offset (from 40000) of the first block of `model` (its id register).
std::size_t block_at(const std::vector<std::uint16_t>& image, std::uint16_t model) {
  std::size_t pos = 2;
  while (image.at(pos) != model) pos += 2 + std::size_t{image.at(pos + 1)};
  return pos;
}

std::string error_of(const std::vector<std::uint16_t>& image) {
  try {
    sunspec::decode(image);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("an image starts with SunS and the common model and ends with the end marker") {
  const auto image = sunspec::encode({Model::Meter203}, {}, "ocpp-sim", "M-1");
  REQUIRE(image.size() == 2 + 2 + 66 + 2 + 105 + 2);
  CHECK(image[0] == 0x5375);
  CHECK(image[1] == 0x6E53);
  CHECK(image[2] == 1);
  CHECK(image[3] == 66);
  CHECK(image[image.size() - 2] == 0xFFFF);
  CHECK(image[image.size() - 1] == 0);
  const auto id = sunspec::identity(image);
  CHECK(id.manufacturer == "ocpp-sim");
  CHECK(id.serial == "M-1");
  CHECK(id.model == "SunSpec 203");
}

TEST_CASE("models_in lists every model with its length in image order") {
  const auto image = sunspec::encode(
      {Model::Inverter103, Model::Meter203, Model::Meter213, Model::Storage124, Model::Battery802},
      {}, "m", "s");
  const std::vector<std::pair<std::uint16_t, std::uint16_t>> expected{
      {1, 66}, {103, 50}, {203, 105}, {213, 124}, {124, 24}, {802, 62}};
  CHECK(sunspec::models_in(image) == expected);
}

TEST_CASE("meter 203 round trips power currents and energies with scale factors") {
  const auto v = meter_values();
  const auto image = sunspec::encode({Model::Meter203}, v, "m", "s");
  const auto d = sunspec::decode(image);
  REQUIRE(d.power_w);
  CHECK(*d.power_w == Approx(-12345.6).margin(0.5));  // W_SF 0: 1 W steps
  CHECK(*d.phase_current_a[0] == Approx(17.25));
  CHECK(*d.phase_current_a[1] == Approx(-3.5));
  CHECK(*d.phase_current_a[2] == Approx(0.0));
  CHECK(*d.energy_import_wh == Approx(1234567.0));
  CHECK(*d.energy_export_wh == Approx(765432.0));
  CHECK_FALSE(d.soc_pct);
  CHECK_FALSE(d.battery_power_w);

  const std::size_t b = block_at(image, 203) + 2;
  CHECK(static_cast<std::int16_t>(image[b + 16]) == -12346);  // W
  CHECK(static_cast<std::int16_t>(image[b + 20]) == 0);       // W_SF
  CHECK(static_cast<std::int16_t>(image[b + 4]) == -2);       // A_SF: 0.01 A
}

TEST_CASE("meter 203 picks a scale factor that fits a megawatt site") {
  sunspec::Values v;
  v.power_w = 4.2e6;
  const auto image = sunspec::encode({Model::Meter203}, v, "m", "s");
  const std::size_t b = block_at(image, 203) + 2;
  CHECK(image[b + 16] == 4200);
  CHECK(image[b + 20] == 3);
  CHECK(*sunspec::decode(image).power_w == Approx(4.2e6));
}

TEST_CASE("meter 213 round trips floats including negative power") {
  const auto v = meter_values();
  const auto d = sunspec::decode(sunspec::encode({Model::Meter213}, v, "m", "s"));
  CHECK(*d.power_w == Approx(-12345.6).epsilon(1e-6));
  CHECK(*d.phase_current_a[0] == Approx(17.25));
  CHECK(*d.phase_current_a[1] == Approx(-3.5));
  CHECK(*d.phase_current_a[2] == Approx(0.0));
  CHECK(*d.energy_import_wh == Approx(1234567.0));
  CHECK(*d.energy_export_wh == Approx(765432.0));
}

TEST_CASE("inverter 103 round trips production currents and lifetime energy") {
  sunspec::Values v;
  v.power_w = 8123.0;
  v.phase_current_a[0] = 11.8;
  v.phase_current_a[1] = 11.7;
  v.phase_current_a[2] = 11.9;
  v.energy_export_wh = 98765432.0;
  const auto image = sunspec::encode({Model::Inverter103}, v, "m", "s");
  const auto d = sunspec::decode(image);
  CHECK(*d.power_w == Approx(8123.0));
  CHECK(*d.phase_current_a[0] == Approx(11.8));
  CHECK(*d.phase_current_a[2] == Approx(11.9));
  CHECK(*d.energy_export_wh == Approx(98765432.0));
  CHECK_FALSE(d.energy_import_wh);
  const std::size_t b = block_at(image, 103) + 2;
  CHECK(image[b + 0] == 3540);  // A = sum of the phases, A_SF -2
}

TEST_CASE("inverter 103 keeps a negative night consumption") {
  sunspec::Values v;
  v.power_w = -15.0;
  CHECK(*sunspec::decode(sunspec::encode({Model::Inverter103}, v, "m", "s")).power_w ==
        Approx(-15.0));
}

TEST_CASE("inverter 101 carries phase A only") {
  sunspec::Values v;
  v.power_w = 2300.0;
  v.phase_current_a[0] = 10.0;
  v.phase_current_a[1] = 5.0;
  const auto d = sunspec::decode(sunspec::encode({Model::Inverter101}, v, "m", "s"));
  CHECK(*d.power_w == Approx(2300.0));
  CHECK(*d.phase_current_a[0] == Approx(10.0));
  CHECK_FALSE(d.phase_current_a[1]);
}

TEST_CASE("storage 124 round trips the state of charge and has no power") {
  sunspec::Values v;
  v.soc_pct = 57.34;
  v.battery_power_w = 3000.0;
  const auto d = sunspec::decode(sunspec::encode({Model::Storage124}, v, "m", "s"));
  CHECK(*d.soc_pct == Approx(57.34));
  CHECK_FALSE(d.battery_power_w);
  CHECK_FALSE(d.power_w);
}

TEST_CASE("battery 802 round trips state of charge and charging or discharging power") {
  sunspec::Values v;
  v.soc_pct = 100.0;
  v.battery_power_w = -45000.0;  // discharging
  auto d = sunspec::decode(sunspec::encode({Model::Battery802}, v, "m", "s"));
  CHECK(*d.soc_pct == Approx(100.0));
  CHECK(*d.battery_power_w == Approx(-45000.0));

  v.battery_power_w = 2500.5;
  d = sunspec::decode(sunspec::encode({Model::Battery802}, v, "m", "s"));
  CHECK(*d.battery_power_w == Approx(2500.5).margin(0.05));
}

TEST_CASE("battery 802 power follows the charge status when a device signs it the other way") {
  sunspec::Values v;
  v.battery_power_w = 2000.0;  // charging: ChaSt 4
  auto image = sunspec::encode({Model::Battery802}, v, "m", "s");
  const std::size_t b = block_at(image, 802) + 2;
  REQUIRE(image[b + 14] == 4);
  image[b + 45] = static_cast<std::uint16_t>(static_cast<std::int16_t>(-20000));  // W_SF -1
  CHECK(*sunspec::decode(image).battery_power_w == Approx(2000.0));
}

TEST_CASE("values not provided decode as not implemented") {
  const auto image = sunspec::encode(
      {Model::Inverter103, Model::Meter203, Model::Meter213, Model::Storage124, Model::Battery802},
      {}, "m", "s");
  const auto d = sunspec::decode(image);
  CHECK_FALSE(d.power_w);
  for (const auto& a : d.phase_current_a) CHECK_FALSE(a);
  CHECK_FALSE(d.energy_import_wh);
  CHECK_FALSE(d.energy_export_wh);
  CHECK_FALSE(d.soc_pct);
  CHECK_FALSE(d.battery_power_w);
}

TEST_CASE("a missing scale factor makes its points not implemented") {
  sunspec::Values v;
  v.power_w = 1000.0;
  v.phase_current_a[0] = 4.0;
  auto image = sunspec::encode({Model::Meter203}, v, "m", "s");
  const std::size_t b = block_at(image, 203) + 2;
  image[b + 20] = 0x8000;  // W_SF
  const auto d = sunspec::decode(image);
  CHECK_FALSE(d.power_w);
  CHECK(*d.phase_current_a[0] == Approx(4.0));
}

TEST_CASE("the first model providing a value wins when an image has several") {
  auto inverter = sunspec::encode({Model::Inverter103}, {}, "m", "s");
  sunspec::Values pv;
  pv.power_w = 5000.0;
  sunspec::Values grid;
  grid.power_w = -3000.0;
  grid.energy_import_wh = 10.0;
  const auto a = sunspec::encode({Model::Inverter103}, pv, "m", "s");
  const auto b = sunspec::encode({Model::Meter203}, grid, "m", "s");
  // Chain: SunS, common, 103 (pv), 203 (grid), end.
  std::vector<std::uint16_t> image(a.begin(), a.end() - 2);
  const std::size_t meter = block_at(b, 203);
  image.insert(image.end(), b.begin() + static_cast<std::ptrdiff_t>(meter), b.end());
  const auto d = sunspec::decode(image);
  CHECK(*d.power_w == Approx(5000.0));
  CHECK(*d.energy_import_wh == Approx(10.0));
  const auto blocks = sunspec::decode_blocks(image);
  REQUIRE(blocks.size() == 2);
  CHECK(blocks[1].model == 203);
  CHECK(*blocks[1].values.power_w == Approx(-3000.0));
}

TEST_CASE("unknown models are skipped and listed") {
  auto image = sunspec::encode({Model::Meter213}, {}, "m", "s");
  const std::vector<std::uint16_t> vendor{64001, 3, 7, 7, 7};
  image.insert(image.begin() + 70, vendor.begin(), vendor.end());  // after the common model
  const auto models = sunspec::models_in(image);
  REQUIRE(models.size() == 3);
  CHECK(models[1] == std::make_pair<std::uint16_t, std::uint16_t>(64001, 3));
  CHECK_NOTHROW(sunspec::decode(image));
}

TEST_CASE("an image that stops at a block boundary without the end marker still decodes") {
  sunspec::Values v;
  v.soc_pct = 42.0;
  auto image = sunspec::encode({Model::Battery802}, v, "m", "s");
  image.resize(image.size() - 2);
  CHECK(*sunspec::decode(image).soc_pct == Approx(42.0));
}

TEST_CASE("decode errors name the problem") {
  CHECK_THAT(error_of({}), Catch::Contains("no SunSpec marker"));
  CHECK_THAT(error_of({0x1234, 0x5678, 1, 0}), Catch::Contains("\"SunS\""));

  const auto image = sunspec::encode({Model::Meter203}, {}, "m", "s");
  std::vector<std::uint16_t> cut(image.begin(), image.begin() + 100);
  CHECK_THAT(error_of(cut), Catch::Contains("truncated SunSpec model 203 at register 40070") &&
                                Catch::Contains("length 105, only 28 registers read"));

  std::vector<std::uint16_t> header_only(image.begin(), image.begin() + 71);
  CHECK_THAT(error_of(header_only),
             Catch::Contains("truncated SunSpec model header") && Catch::Contains("40070"));

  // A meter block shorter than its points.
  std::vector<std::uint16_t> short_block(image.begin(), image.begin() + 70);
  short_block.insert(short_block.end(), {203, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFFFF, 0});
  CHECK_THAT(error_of(short_block), Catch::Contains("model 203") &&
                                        Catch::Contains("has length 10, expected at least 105"));
  CHECK_THROWS_AS(sunspec::models_in(cut), std::invalid_argument);
}
