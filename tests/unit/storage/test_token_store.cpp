#include <catch2/catch.hpp>

#include "unit/storage/support.hpp"

using namespace storage_test;
using storage::IdToken;
using storage::Session;
using storage::TokenStatus;

namespace {

IdToken token(const std::string& id_tag, TokenStatus status = TokenStatus::Accepted) {
  IdToken t;
  t.id_tag = id_tag;
  t.status = status;
  t.created_at = at(0);
  t.updated_at = at(0);
  return t;
}

}  // namespace

TEST_CASE("an id token is stored with every field and read back") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  IdToken t = token("TAG1", TokenStatus::Blocked);
  t.expiry = at(3600);
  t.parent_id_tag = "GROUP";
  t.updated_at = at(5);
  write_sync(*db, [t](Session& s) { s.tokens.put(t); });
  auto got = read_sync(*db, [](Session& s) { return s.tokens.get("TAG1"); });
  REQUIRE(got.has_value());
  CHECK(got->id_tag == "TAG1");
  CHECK(got->status == TokenStatus::Blocked);
  CHECK(got->expiry == at(3600));
  CHECK(got->parent_id_tag == "GROUP");
  CHECK(got->created_at == at(0));
  CHECK(got->updated_at == at(5));
}

TEST_CASE("unset token expiry and parent stay unset") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) { s.tokens.put(token("T")); });
  auto got = read_sync(*db, [](Session& s) { return *s.tokens.get("T"); });
  CHECK_FALSE(got.expiry.has_value());
  CHECK_FALSE(got.parent_id_tag.has_value());
}

TEST_CASE("id tokens match case-insensitively, as OCPP defines them") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) { s.tokens.put(token("abcDEF")); });
  auto got = read_sync(*db, [](Session& s) { return s.tokens.get("ABCdef"); });
  REQUIRE(got.has_value());
  CHECK(got->id_tag == "abcDEF");
  // Putting another spelling updates the same token.
  write_sync(*db, [](Session& s) { s.tokens.put(token("ABCDEF", TokenStatus::Expired)); });
  auto all = read_sync(*db, [](Session& s) { return s.tokens.list(); });
  REQUIRE(all.size() == 1);
  CHECK(all[0].status == TokenStatus::Expired);
}

TEST_CASE("putting a token again replaces it, and tokens are listed by id tag") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    s.tokens.put(token("B"));
    s.tokens.put(token("A"));
    s.tokens.put(token("B", TokenStatus::Invalid));
  });
  auto all = read_sync(*db, [](Session& s) { return s.tokens.list(); });
  REQUIRE(all.size() == 2);
  CHECK(all[0].id_tag == "A");
  CHECK(all[1].id_tag == "B");
  CHECK(all[1].status == TokenStatus::Invalid);
}

TEST_CASE("removing a token says whether it existed") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) { s.tokens.put(token("T")); });
  CHECK(write_sync(*db, [](Session& s) { return s.tokens.remove("T"); }));
  CHECK_FALSE(write_sync(*db, [](Session& s) { return s.tokens.remove("T"); }));
  CHECK_FALSE(read_sync(*db, [](Session& s) { return s.tokens.get("T"); }).has_value());
}
