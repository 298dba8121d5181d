// The streaming JSON writer must produce exactly what nlohmann::json::dump(2) produced before it
// (reports stay byte-for-byte stable), and valid JSON for any input bytes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "report/json_writer.h"

namespace drvsec {
namespace {

TEST(JsonWriter, MatchesNlohmannDumpLayout) {
  std::string text;
  JsonWriter w(text);
  w.begin_object();
  w.member("schema_version", 1);
  w.member("name", "drv\"sec\\ \n\t\b\f\r \x01 \x1f caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
  w.key("empty_object").begin_object().end_object();
  w.key("empty_array").begin_array().end_array();
  w.key("nested").begin_array();
  w.begin_object().member("a", true).member("b", false).key("c").null().end_object();
  w.value(uint64_t{18446744073709551615ull});
  w.value(int64_t{-42});
  w.begin_array().value("x").end_array();
  w.end_array();
  w.member("list", std::vector<std::string>{"one", "two"});
  w.member("missing", std::optional<std::string>{});
  w.member("present", std::optional<std::string>{"yes"});
  w.end_object();

  nlohmann::ordered_json j;
  j["schema_version"] = 1;
  j["name"] = "drv\"sec\\ \n\t\b\f\r \x01 \x1f caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80";
  j["empty_object"] = nlohmann::ordered_json::object();
  j["empty_array"] = nlohmann::ordered_json::array();
  j["nested"] = nlohmann::ordered_json::array(
      {{{"a", true}, {"b", false}, {"c", nullptr}}, 18446744073709551615ull, -42, nlohmann::ordered_json::array({"x"})});
  j["list"] = {"one", "two"};
  j["missing"] = nullptr;
  j["present"] = "yes";
  EXPECT_EQ(text, j.dump(2));
}

TEST(JsonWriter, TopLevelEmptyContainers) {
  std::string a, b;
  JsonWriter(a).begin_object().end_object();
  JsonWriter(b).begin_array().end_array();
  EXPECT_EQ(a, "{}");
  EXPECT_EQ(b, "[]");
}

TEST(JsonWriter, InvalidUtf8BecomesReplacementCharacter) {
  // A lone continuation byte, a truncated sequence, an overlong '/', a UTF-16 surrogate, and 0xFF:
  // names read from hostile files must still give parseable JSON.
  const std::string hostile = std::string("a\x80") + "b\xE2\x82" + "c\xC0\xAF" + "d\xED\xA0\x80" + "e\xFF";
  std::string text;
  JsonWriter(text).begin_array().value(hostile).end_array();
  const auto parsed = nlohmann::json::parse(text);  // throws on invalid UTF-8
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(parsed[0].get<std::string>(),
            "a" + fffd + "b" + fffd + fffd + "c" + fffd + fffd + "d" + fffd + fffd + fffd + "e" + fffd);
}

}  // namespace
}  // namespace drvsec
