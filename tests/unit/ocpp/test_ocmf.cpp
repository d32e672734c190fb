// OCMF: parsing, signatures (against a vector signed by the openssl CLI and
// round trips), key formats, and the transaction checks a verifier makes.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "ocpp/ocmf.hpp"

namespace ocmf = ocpp::ocmf;

namespace {

// Signed with `openssl dgst -sha256 -sign` (a P-256 key), so verification is
// checked against an independent signer. Two readings; the second inherits RI/RU.
const std::string kPayload =
    R"({"FV":"1.0","GI":"KV","GS":"G1","GV":"1.0","PG":"T7","MV":"Vendor","MM":"M1",)"
    R"("MS":"MTR-0042","IS":true,"IL":"TRUSTED","IF":["RFID_PLAIN","OCPP_AUTH"],"IT":"ISO14443",)"
    R"("ID":"04A2B3C4","RD":[{"TM":"2024-03-01T10:00:00,000+0000 S","TX":"B","RV":12.345,)"
    R"("RI":"01-00:01.08.00","RU":"kWh","RT":"AC","ST":"G"},)"
    R"({"TM":"2024-03-01T11:00:00,000+0000 S","TX":"E","RV":19.5,"ST":"G"}]})";
const std::string kSignature =
    "3045022100fce195160050e7438aeb10e80642a2906beca5a39bbf871355ef430f20efa4d10220289c5fb1e56f4d"
    "d1febcdbf5cea69c0507fc36b66b2f25d945df5bde58b6fe80";
const std::string kKeyHex =
    "3059301306072a8648ce3d020106082a8648ce3d030107034200043ae3ab84896ab8843b2c8945bc68554eb5dc38a7"
    "1457eba1205cf2667704b3f7f06e136145f7f292ae1588bb757025c1aa8ace187b3f696bf5b62bd2f0df98eb";
const std::string kKeyBase64 =
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEOuOrhIlquIQ7LIlFvGhVTrXcOKcUV+uhIFzyZncEs/fwbhNhRffykq4V"
    "iLt1cCXBqorOGHs/aWv1tivS8N+Y6w==";
const std::string kKeyPem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEOuOrhIlquIQ7LIlFvGhVTrXcOKcU\n"
    "V+uhIFzyZncEs/fwbhNhRffykq4ViLt1cCXBqorOGHs/aWv1tivS8N+Y6w==\n"
    "-----END PUBLIC KEY-----\n";

std::string vector_text() {
  return "OCMF|" + kPayload + R"(|{"SA":"ECDSA-secp256r1-SHA256","SD":")" + kSignature + "\"}";
}

std::string parse_error(const std::string& text) {
  std::string error;
  auto doc = ocmf::parse(text, &error);
  CHECK_FALSE(doc);
  return error;
}

bool verifies(const std::string& text, const std::string& key, std::string* error = nullptr) {
  auto doc = ocmf::parse(text, error);
  REQUIRE(doc);
  return ocmf::verify(*doc, key, error);
}

/// A signed document of one reading, as the simulator makes them.
std::string signed_reading(const ocmf::KeyPair& keys, std::int64_t page, char tx, double wh,
                           const std::string& serial = "MTR-1") {
  return ocmf::sign(ocmf::reading_payload(serial, page, "TAG", "2024-03-01T10:00:00.250Z", tx, wh),
                    keys.private_key_pem);
}

const ocmf::KeyPair& keys() {
  static const ocmf::KeyPair pair = ocmf::generate_key_pair();
  return pair;
}

}  // namespace

TEST_CASE("ocmf: a well-formed document parses, keeping the payload bytes as sent", "[ocmf]") {
  std::string error;
  auto doc = ocmf::parse(vector_text(), &error);
  REQUIRE(doc);
  CHECK(error.empty());
  CHECK(doc->payload == kPayload);
  CHECK(doc->pagination == "T7");
  CHECK(doc->meter_serial == "MTR-0042");
  CHECK(doc->identification == "04A2B3C4");
  CHECK(doc->signature_algorithm == "ECDSA-secp256r1-SHA256");
  CHECK(doc->signature_encoding == "hex");
  CHECK(doc->signature == kSignature);
  REQUIRE(doc->readings.size() == 2);
  const auto& begin = doc->readings[0];
  CHECK(begin.time == "2024-03-01T10:00:00,000+0000 S");
  CHECK(begin.type == "B");
  CHECK(begin.value == Approx(12.345));
  CHECK(begin.unit == "kWh");
  CHECK(begin.obis == "01-00:01.08.00");
  CHECK(begin.status == "G");
  const auto& end = doc->readings[1];
  CHECK(end.type == "E");
  CHECK(end.unit == "kWh");  // carried over from the reading before
  CHECK(end.obis == "01-00:01.08.00");
  CHECK(*ocmf::reading_wh(begin) == Approx(12345.0));
  CHECK(*ocmf::reading_wh(end) == Approx(19500.0));
}

TEST_CASE("ocmf: SA and SE default when absent, and a '|' inside the payload is kept", "[ocmf]") {
  const std::string payload =
      R"({"PG":"T1","MS":"M","ID":"a|b","RD":[{"TM":"t","TX":"B","RV":1,"RU":"Wh"}]})";
  auto doc = ocmf::parse("OCMF|" + payload + R"(|{"SD":"00"})");
  REQUIRE(doc);
  CHECK(doc->payload == payload);
  CHECK(doc->identification == "a|b");
  CHECK(doc->signature_algorithm == "ECDSA-secp256r1-SHA256");
  CHECK(doc->signature_encoding == "hex");
  CHECK(*ocmf::reading_wh(doc->readings[0]) == 1.0);
}

TEST_CASE("ocmf: malformed documents are refused with a message naming the problem", "[ocmf]") {
  const std::string rd = R"("RD":[{"TM":"t","TX":"B","RV":1,"RU":"kWh"}])";
  const std::string sig = R"({"SD":"00"})";
  CHECK(parse_error("").find("OCMF|") != std::string::npos);
  CHECK(parse_error("no pipes at all").find("OCMF|") != std::string::npos);
  CHECK(parse_error("OCMF|{\"PG\":\"T1\"}").find("'|'") != std::string::npos);
  CHECK(parse_error("OCMF|{\"PG\":\"T1\"," + rd + "}|").find("signature: invalid JSON") !=
        std::string::npos);
  CHECK(parse_error("OCMF|{\"PG\":|" + sig).find("payload: invalid JSON") != std::string::npos);
  CHECK(parse_error("OCMF|[1]|" + sig).find("not a JSON object") != std::string::npos);
  CHECK(parse_error("OCMF|{\"PG\":\"T1\"}|" + sig).find("missing RD") != std::string::npos);
  CHECK(parse_error("OCMF|{\"PG\":\"T1\",\"RD\":[]}|" + sig).find("RD") != std::string::npos);
  CHECK(parse_error("OCMF|{" + rd + "}|" + sig).find("missing PG") != std::string::npos);
  CHECK(parse_error("OCMF|{\"PG\":5," + rd + "}|" + sig).find("PG is not a string") !=
        std::string::npos);
  CHECK(parse_error(R"(OCMF|{"PG":"T1","RD":[{"TM":"t","RV":"1","RU":"kWh"}]}|)" + sig)
            .find("RV is not a number") != std::string::npos);
  CHECK(parse_error(R"(OCMF|{"PG":"T1","RD":[{"TM":"t","RV":1}]}|)" + sig).find("missing RU") !=
        std::string::npos);
  CHECK(parse_error(R"(OCMF|{"PG":"T1","RD":[{"RV":1,"RU":"kWh"}]}|)" + sig).find("missing TM") !=
        std::string::npos);
  CHECK(parse_error(R"(OCMF|{"PG":"T1","RD":[7]}|)" + sig).find("RD[0] is not an object") !=
        std::string::npos);
  CHECK(parse_error("OCMF|{\"PG\":\"T1\"," + rd + "}|{}").find("missing SD") != std::string::npos);
  CHECK(
      parse_error("OCMF|{\"PG\":\"T1\"," + rd + R"(}|{"SD":"00","SM":"text/plain"})").find("SM") !=
      std::string::npos);
  CHECK(parse_error("OCMF|" + std::string(70000, ' ') + "|{}").find("longer") != std::string::npos);
  // Deep nesting and invalid UTF-8 neither crash nor throw.
  CHECK_FALSE(ocmf::parse("OCMF|" + std::string(5000, '[') + "|" + sig));
  CHECK_FALSE(ocmf::parse("OCMF|{\"PG\":\"\xff\"," + rd + "}|" + sig));
  CHECK_NOTHROW(ocmf::parse(std::string("OCMF|\0|\0", 8)));
}

TEST_CASE("ocmf: a document signed by the openssl CLI verifies with hex, base64 and PEM keys",
          "[ocmf]") {
  std::string error;
  CHECK(verifies(vector_text(), kKeyHex, &error));
  CHECK(error.empty());
  CHECK(verifies(vector_text(), kKeyBase64));
  CHECK(verifies(vector_text(), kKeyPem));
  CHECK(verifies(vector_text(), "  " + kKeyHex + "\n"));  // pasted with whitespace
  // The bare uncompressed point (the last 65 bytes of the SPKI), as some meters publish it.
  CHECK(verifies(vector_text(), kKeyHex.substr(kKeyHex.size() - 130)));
  REQUIRE(ocmf::public_key_der(kKeyPem));
  CHECK(ocmf::hex_encode(*ocmf::public_key_der(kKeyPem)) == kKeyHex);
  CHECK(ocmf::base64_encode(*ocmf::public_key_der(kKeyHex)) == kKeyBase64);
}

TEST_CASE("ocmf: sign then verify round-trips and the key pair's halves belong together",
          "[ocmf]") {
  const auto& k = keys();
  CHECK(k.private_key_pem.find("-----BEGIN PRIVATE KEY-----") == 0);
  CHECK(k.public_key_hex.size() == 182);  // 91 bytes of P-256 SPKI
  CHECK(ocmf::public_key_hex_of(k.private_key_pem) == k.public_key_hex);
  const std::string payload =
      ocmf::reading_payload("MTR-1", 3, "TAG", "2024-03-01T10:00:00Z", 'B', 1234.4);
  const std::string text = ocmf::sign(payload, k.private_key_pem);
  CHECK(text.rfind("OCMF|" + payload + R"(|{"SA":"ECDSA-secp256r1-SHA256","SD":")", 0) == 0);
  std::string error;
  CHECK(verifies(text, k.public_key_hex, &error));
  CHECK(error.empty());
  auto der = ocmf::hex_decode(k.public_key_hex);
  REQUIRE(der);
  CHECK(verifies(text, ocmf::base64_encode(*der)));
  // A signature in base64 when SE says so.
  auto doc = ocmf::parse(text);
  REQUIRE(doc);
  doc->signature = ocmf::base64_encode(*ocmf::hex_decode(doc->signature));
  doc->signature_encoding = "base64";
  CHECK(ocmf::verify(*doc, k.public_key_hex));
}

TEST_CASE("ocmf: reading_payload writes what OCMF meters write", "[ocmf]") {
  const std::string p =
      ocmf::reading_payload("SIM-CP1-1", 12, "04A2B3", "2024-03-01T10:00:00.25+01:00", 'E', 1234.4);
  auto doc = ocmf::parse("OCMF|" + p + R"(|{"SD":"00"})");
  REQUIRE(doc);
  CHECK(doc->pagination == "T12");
  CHECK(doc->meter_serial == "SIM-CP1-1");
  CHECK(doc->identification == "04A2B3");
  REQUIRE(doc->readings.size() == 1);
  const auto& r = doc->readings[0];
  CHECK(r.time == "2024-03-01T09:00:00,250+0000 S");
  CHECK(r.type == "E");
  CHECK(r.unit == "kWh");
  CHECK(r.obis == "01-00:01.08.00");
  CHECK(r.status == "G");
  CHECK(p.find(R"("RV":1.234,)") != std::string::npos);  // three decimals of kWh
  CHECK(p.find(R"("FV":"1.0")") != std::string::npos);
  CHECK(p.find(R"("IS":true)") != std::string::npos);
  CHECK(ocmf::reading_payload("M", 1, "T", "2024-03-01T10:00:00Z", 'B', 0).find(R"("RV":0.000,)") !=
        std::string::npos);
  CHECK_THROWS_AS(ocmf::reading_payload("M", 1, "T", "yesterday", 'B', 0), std::invalid_argument);
  CHECK_THROWS_AS(ocmf::reading_payload("M", 1, "T", "2024-03-01T10:00:00Z", 'Q', 0),
                  std::invalid_argument);
  CHECK_THROWS_AS(ocmf::reading_payload("M", 1, "T", "2024-03-01T10:00:00Z", 'B', -1),
                  std::invalid_argument);
}

TEST_CASE("ocmf: a payload changed by one digit does not verify", "[ocmf]") {
  std::string text = vector_text();
  const auto at = text.find("12.345");
  REQUIRE(at != std::string::npos);
  text[at + 5] = '6';  // 12.346
  std::string error;
  CHECK_FALSE(verifies(text, kKeyHex, &error));
  CHECK(error == "signature mismatch");
  // And one of our own.
  std::string own = signed_reading(keys(), 1, 'B', 1000);
  own.replace(own.find("\"RV\":1.000"), 10, "\"RV\":1.001");
  CHECK_FALSE(verifies(own, keys().public_key_hex));
}

TEST_CASE("ocmf: a wrong key, a bad key, a bad signature or algorithm fail with why", "[ocmf]") {
  std::string error;
  CHECK_FALSE(verifies(vector_text(), keys().public_key_hex, &error));
  CHECK(error == "signature mismatch");
  CHECK_FALSE(verifies(vector_text(), "not a key", &error));
  CHECK(error.find("bad public key") == 0);
  CHECK_FALSE(verifies(vector_text(), "", &error));
  CHECK(error.find("bad public key") == 0);
  CHECK_FALSE(verifies(vector_text(), kKeyHex.substr(0, 100), &error));
  CHECK(error.find("bad public key") == 0);
  CHECK_FALSE(verifies(vector_text(), "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
                       &error));
  CHECK(error.find("bad public key") == 0);

  auto doc = ocmf::parse(vector_text());
  REQUIRE(doc);
  auto changed = *doc;
  changed.signature_algorithm = "RSA-PSS-SHA256";
  CHECK_FALSE(ocmf::verify(changed, kKeyHex, &error));
  CHECK(error.find("unsupported signature algorithm") == 0);
  changed.signature_algorithm = "ECDSA-secp384r1-SHA256";  // a P-256 key cannot sign that
  CHECK_FALSE(ocmf::verify(changed, kKeyHex, &error));
  CHECK(error.find("curve") != std::string::npos);
  changed = *doc;
  changed.signature = "zz";
  CHECK_FALSE(ocmf::verify(changed, kKeyHex, &error));
  CHECK(error.find("not hex") != std::string::npos);
  changed.signature = "3000";
  CHECK_FALSE(ocmf::verify(changed, kKeyHex, &error));
  CHECK(error.find("signature mismatch") == 0);
  changed = *doc;
  changed.signature_encoding = "rot13";
  CHECK_FALSE(ocmf::verify(changed, kKeyHex, &error));
  CHECK(error.find("unsupported signature encoding") == 0);
  // A signature algorithm with SHA-384 over the same curve is a different signature.
  changed = *doc;
  changed.signature_algorithm = "ECDSA-secp256r1-SHA384";
  CHECK_FALSE(ocmf::verify(changed, kKeyHex, &error));
  CHECK(error == "signature mismatch");
}

TEST_CASE("ocmf: check_session accepts a begin/end pair and gives the energy", "[ocmf]") {
  const auto& k = keys();
  const std::vector<std::string> docs = {signed_reading(k, 12, 'B', 1000),
                                         signed_reading(k, 13, 'C', 4000),
                                         signed_reading(k, 14, 'E', 8250)};
  auto check = ocmf::check_session(docs, k.public_key_hex);
  CHECK(check.ok);
  CHECK(check.problem.empty());
  CHECK(check.begin_wh == Approx(1000));
  CHECK(check.end_wh == Approx(8250));
  CHECK(check.meter_serial == "MTR-1");
  CHECK(check.documents == 3);
  auto pair = ocmf::check_session({docs[0], signed_reading(k, 13, 'E', 1500)}, k.public_key_hex);
  CHECK(pair.ok);
  CHECK(pair.end_wh - pair.begin_wh == Approx(500));
  // One document holding both readings (as some meters send the end) passes too.
  CHECK(ocmf::check_session({vector_text()}, kKeyBase64).ok);
}

TEST_CASE("ocmf: check_session names the first failing check", "[ocmf]") {
  const auto& k = keys();
  auto problem = [&k](const std::vector<std::string>& docs) {
    auto check = ocmf::check_session(docs, k.public_key_hex);
    CHECK_FALSE(check.ok);
    return check.problem;
  };
  const std::string b = signed_reading(k, 12, 'B', 1000);
  // A gap in pagination.
  CHECK(problem({b, signed_reading(k, 14, 'E', 2000)}) == "pagination gap: page T14 follows T12");
  CHECK(problem({b, signed_reading(k, 12, 'E', 2000)}).find("pagination gap") == 0);
  // Two meter serials.
  CHECK(problem({b, signed_reading(k, 13, 'E', 2000, "MTR-2")}) ==
        "page T13 is from meter MTR-2, not MTR-1");
  // No begin.
  CHECK(problem({signed_reading(k, 12, 'C', 1000), signed_reading(k, 13, 'E', 2000)})
            .find("is not a begin") != std::string::npos);
  // No end, or an end too early.
  CHECK(problem({b, signed_reading(k, 13, 'C', 2000)}).find("is not an end") != std::string::npos);
  CHECK(problem({b, signed_reading(k, 13, 'E', 2000), signed_reading(k, 14, 'E', 2000)})
            .find("before the last reading") != std::string::npos);
  // One bad signature: page T13's payload was changed after signing.
  std::string tampered = signed_reading(k, 13, 'C', 1500);
  tampered.replace(tampered.find("\"RV\":1.500"), 10, "\"RV\":1.600");
  CHECK(problem({b, tampered, signed_reading(k, 14, 'E', 2000)})
            .find("signature of page T13 does not verify: signature mismatch") == 0);
  // Signed by another meter's key.
  const auto other = ocmf::generate_key_pair();
  CHECK(problem({b, signed_reading(other, 13, 'E', 2000)})
            .find("signature of page T13 does not verify") == 0);
  // A register that falls.
  CHECK(problem({b, signed_reading(k, 13, 'E', 900)}).find("falls") != std::string::npos);
  // Nothing, or something that is not OCMF.
  CHECK(problem({}) == "no signed meter documents");
  CHECK(problem({b, "garbage"}).find("document 2 does not parse") == 0);
  auto bad_key = ocmf::check_session({b, signed_reading(k, 13, 'E', 2000)}, "nonsense");
  CHECK_FALSE(bad_key.ok);
  CHECK(bad_key.problem.find("bad public key") != std::string::npos);
}

TEST_CASE("ocmf: base64 round-trips and its decoder is strict", "[ocmf]") {
  for (const std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    CHECK(ocmf::base64_decode(ocmf::base64_encode(s)) == s);
  }
  CHECK(ocmf::base64_encode("foobar") == "Zm9vYmFy");
  CHECK(ocmf::base64_encode("fo") == "Zm8=");
  CHECK(ocmf::base64_encode(std::string("\xff\xfe", 2)) == "//4=");
  for (const char* bad :
       {"Zm8", "Zm8==", "Z===", "Zm=8", "Zm9v\n", "Zm9v YmFy", "Zm9=", "Zm8*", "=Zm8", "Zh=="}) {
    CHECK_FALSE(ocmf::base64_decode(bad));
  }
  CHECK(ocmf::hex_decode("00aBff") == std::string("\x00\xab\xff", 3));
  CHECK_FALSE(ocmf::hex_decode("abc"));
  CHECK_FALSE(ocmf::hex_decode("zz"));
}
