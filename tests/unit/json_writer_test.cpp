// The streaming JSON writer must produce exactly what nlohmann::json::dump(2) produced before it
// (reports stay byte-for-byte stable), and valid JSON for any input bytes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>

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

// Long arrays are rendered in chunks on several threads (write_elements): the spliced text must be
// exactly what one writer produces, whatever the chunking, including items that render nothing and
// chunks that are entirely empty.
TEST(JsonWriter, ChunkedElementsMatchOneWriter) {
  for (size_t count : {0u, 1u, 15u, 16u, 17u, 100u}) {
    std::vector<int> items(count);
    for (size_t i = 0; i < count; ++i) items[i] = static_cast<int>(i);
    auto write_item = [](JsonWriter& w, int i) {
      if (i % 3 == 1 || (i >= 16 && i < 32)) return;  // skipped items, and a whole skipped chunk
      w.begin_object().member("i", i).key("tags").value(std::vector<std::string>{"x", "y"}).end_object();
    };
    for (unsigned jobs : {1u, 3u}) {
      std::string one;
      JsonWriter single(one);
      single.begin_object().key("before").begin_array().value(1).end_array().key("items").begin_array();
      for (int i : items) write_item(single, i);
      single.end_array().member("after", true).end_object();

      std::string text;
      std::ostringstream out;
      JsonWriter chunked(text);
      chunked.begin_object().key("before").begin_array().value(1).end_array().key("items").begin_array();
      write_elements(chunked, text, out, items, jobs, write_item);
      chunked.end_array().member("after", true).end_object();
      out << text;
      EXPECT_EQ(out.str(), one) << count << " items, " << jobs << " jobs";
    }
  }
}

}  // namespace
}  // namespace drvsec
