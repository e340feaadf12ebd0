// parse_publish_body / parse_batch_body: the HTTP publish bodies, malformed input
// included (the JsonScanner under them must refuse what Boost.JSON refuses).
#include <herald/protocol/publish_body.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {

using herald::protocol::parse_batch_body;
using herald::protocol::parse_publish_body;

bool valid(std::string_view c) noexcept {
  return !c.empty() && c.find(' ') == std::string_view::npos;
}

std::string one_error(std::string_view body) {
  return parse_publish_body(body, valid).error;
}

TEST(PublishBody, SlicesDataVerbatim) {
  auto b =
      parse_publish_body(R"( {"data" : {"b": [1, 2.50e3, "\u00e9"]} , "channel":"news"} )", valid);
  ASSERT_TRUE(b.ok()) << b.error;
  ASSERT_EQ(b.items.size(), 1u);
  EXPECT_EQ(b.items[0].channel, "news");
  EXPECT_EQ(b.items[0].data, R"({"b": [1, 2.50e3, "\u00e9"]})");
}

TEST(PublishBody, DecodesEscapedKeysAndChannel) {
  auto b = parse_publish_body(R"({"ch\u0061nnel":"n\u0065ws","d\u0061ta":"x\ud83d\ude00"})", valid);
  ASSERT_TRUE(b.ok()) << b.error;
  EXPECT_EQ(b.items[0].channel, "news");
  EXPECT_EQ(b.items[0].data, R"("x\ud83d\ude00")");
}

TEST(PublishBody, LastDuplicateWins) {
  auto b = parse_publish_body(R"({"channel":1,"data":1,"channel":"a","data":[2]})", valid);
  ASSERT_TRUE(b.ok()) << b.error;
  EXPECT_EQ(b.items[0].channel, "a");
  EXPECT_EQ(b.items[0].data, "[2]");
  EXPECT_EQ(one_error(R"({"channel":"a","data":1,"channel":2})"),
            "field 'channel' must be a string");
}

TEST(PublishBody, FieldErrorsInOrder) {
  EXPECT_EQ(one_error(R"({"data":1})"), "field 'channel' must be a string");
  EXPECT_EQ(one_error(R"({"channel":["a"],"data":1})"), "field 'channel' must be a string");
  EXPECT_EQ(one_error(R"({"channel":"a b"})"), "invalid channel name");
  EXPECT_EQ(one_error(R"({"channel":"a"})"), "missing field 'data'");
  EXPECT_EQ(one_error(R"([1])"), "body must be a JSON object");
  EXPECT_EQ(one_error(R"("x")"), "body must be a JSON object");
  EXPECT_EQ(one_error("null"), "body must be a JSON object");
}

TEST(PublishBody, MalformedBodiesAreRefusedWhole) {
  for (const char* body : {"",
                           " ",
                           "{",
                           "}",
                           "{\"channel\":\"a\",\"data\":}",
                           "{\"channel\":\"a\",\"data\":1,}",
                           "{\"channel\":\"a\",\"data\":[1,]}",
                           "{\"channel\":\"a\" \"data\":1}",
                           "{\"channel\":\"a\",\"data\":01}",
                           "{\"channel\":\"a\",\"data\":1.}",
                           "{\"channel\":\"a\",\"data\":-}",
                           "{\"channel\":\"a\",\"data\":.5}",
                           "{\"channel\":\"a\",\"data\":tru}",
                           "{\"channel\":\"a\",\"data\":nul}",
                           "{\"channel\":\"a\",\"data\":1} x",
                           "{\"channel\":\"a\",\"data\":\"\\x\"}",
                           "{\"channel\":\"a\",\"data\":\"\\u12\"}",
                           "{\"channel\":\"a\",\"data\":\"\\ud800\"}",
                           "{\"channel\":\"a\",\"data\":\"\\udc00\"}",
                           "{\"channel\":\"a\",\"data\":\"\\ud800\\u0041\"}",
                           "{\"channel\":\"a\",\"data\":\"\x01\"}",
                           "{\"channel\":\"a\",\"data\":\"\xc0\x80\"}",
                           "{\"channel\":\"a\",\"data\":\"\xed\xa0\x80\"}",
                           "{\"channel\":\"a\",\"data\":\"\xf4\x90\x80\x80\"}",
                           "{\"channel\":\"a\",\"data\":\"\xff\"}",
                           "{\"channel\":\"a\",\"data\":\"open}",
                           "\xef\xbb\xbf{\"channel\":\"a\",\"data\":1}",
                           "{\"channel\":\"a\",\"data\":1e99999999999999999999}",
                           "{'channel':'a','data':1}",
                           "{\"channel\":\"a\",\"data\":1 /* c */}",
                           "[1,2"}) {
    EXPECT_EQ(one_error(body), "malformed JSON body") << body;
  }
  // A field error before a syntax error is still a malformed body.
  EXPECT_EQ(one_error(R"({"channel":1,"data":})"), "malformed JSON body");
}

TEST(PublishBody, ValidEdgeCases) {
  for (const char* data : {"0", "-0", "1e5", "1E+5", "-1.5e-3", "1e99999", "true", "false", "null",
                           R"("\/\b\f\n\r\t\"\\")", "\"\x7f\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"",
                           "[]", "{}", "[[],{}]", "123456789012345678901234567890"}) {
    std::string body = std::string(R"({"channel":"a","data":)") + data + "}";
    auto b = parse_publish_body(body, valid);
    ASSERT_TRUE(b.ok()) << data << ": " << b.error;
    EXPECT_EQ(b.items[0].data, data);
  }
}

TEST(PublishBody, NestingLimitIs32) {
  auto nested = [](int levels) {
    return std::string(R"({"channel":"a","data":)") + std::string(levels - 1, '[') +
           std::string(levels - 1, ']') + "}";
  };
  EXPECT_TRUE(parse_publish_body(nested(32), valid).ok());
  EXPECT_EQ(one_error(nested(33)), "JSON body nested deeper than 32 levels");
}

TEST(BatchBody, ItemsInOrder) {
  auto b = parse_batch_body(
      R"({"publications":[{"channel":"a","data":1},{"data":{"x":[]},"channel":"b"}],"x":0})", valid,
      10);
  ASSERT_TRUE(b.ok()) << b.error;
  ASSERT_EQ(b.items.size(), 2u);
  EXPECT_EQ(b.items[0].channel, "a");
  EXPECT_EQ(b.items[0].data, "1");
  EXPECT_EQ(b.items[1].channel, "b");
  EXPECT_EQ(b.items[1].data, R"({"x":[]})");
  auto empty = parse_batch_body(R"({"publications":[]})", valid, 10);
  EXPECT_TRUE(empty.ok());
  EXPECT_TRUE(empty.items.empty());
}

TEST(BatchBody, Errors) {
  auto err = [](std::string_view body) { return parse_batch_body(body, valid, 2).error; };
  EXPECT_EQ(err(R"({})"), "field 'publications' must be an array");
  EXPECT_EQ(err(R"({"publications":{}})"), "field 'publications' must be an array");
  EXPECT_EQ(err(R"({"publications":[{"channel":"a","data":1},2]})"),
            "publications[1]: must be an object");
  EXPECT_EQ(err(R"({"publications":[{"channel":"a"}]})"), "publications[0]: missing field 'data'");
  EXPECT_EQ(err(R"({"publications":[{"channel":"a","data":1},{"channel":"a b","data":1}]})"),
            "publications[1]: invalid channel name");
  EXPECT_EQ(err(R"({"publications":[{"channel":"a","data":1},{"channel":"b","data":1},)"
                R"({"channel":"c","data":1}]})"),
            "at most 2 publications per batch");
  EXPECT_EQ(err(R"({"publications":[{"channel":"a","data":1}]})"), "");
  EXPECT_EQ(err(R"({"publications":[{"channel":"a","data":1},]})"), "malformed JSON body");
  EXPECT_EQ(err(R"({"publications":[{"channel":"a","data":1}})"), "malformed JSON body");
  EXPECT_EQ(err(R"([])"), "body must be a JSON object");
  std::string deep = R"({"publications":[{"channel":"a","data":)" + std::string(29, '[') +
                     std::string(29, ']') + "}]}";
  EXPECT_TRUE(parse_batch_body(deep, valid, 2).ok());  // 3 + 29 = 32 levels
  deep = R"({"publications":[{"channel":"a","data":)" + std::string(30, '[') +
         std::string(30, ']') + "}]}";
  EXPECT_EQ(err(deep), "JSON body nested deeper than 32 levels");
}

TEST(PublishBody, EventIsOptional) {
  auto b = parse_publish_body(R"({"channel":"c","data":1,"event":"price:update.v-2_x"})", valid);
  ASSERT_TRUE(b.ok()) << b.error;
  EXPECT_EQ(b.items[0].event, "price:update.v-2_x");
  EXPECT_EQ(parse_publish_body(R"({"channel":"c","data":1})", valid).items[0].event, "");
  // The default spelled out is stored as the default.
  EXPECT_EQ(
      parse_publish_body(R"({"channel":"c","data":1,"event":"message"})", valid).items[0].event,
      "");
  // Escapes are decoded before the check; the last duplicate wins.
  EXPECT_EQ(
      parse_publish_body(R"({"event":1,"channel":"c","data":1,"ev\u0065nt":"\u0070x"})", valid)
          .items[0]
          .event,
      "px");
  EXPECT_EQ(parse_publish_body(
                R"({"channel":"c","data":1,"event":")" + std::string(64, 'e') + R"("})", valid)
                .items[0]
                .event,
            std::string(64, 'e'));
}

TEST(PublishBody, BadEventsAreRefused) {
  const std::string bad = "field 'event' must be a string of 1-64 characters [A-Za-z0-9_:.-]";
  for (std::string event : {R"("")", R"("a b")", R"("a/b")", R"("\u00e9")", R"("x\u0000")", "1",
                            "null", "true", "[]", R"({"e":1})", R"(["price"])"}) {
    EXPECT_EQ(one_error(R"({"channel":"c","data":1,"event":)" + event + "}"), bad) << event;
  }
  EXPECT_EQ(one_error(R"({"channel":"c","data":1,"event":")" + std::string(65, 'e') + R"("})"),
            bad);
  for (const char* event : {"invalidate", "error", "connect", "connect_error", "disconnect",
                            "disconnecting", "newListener", "removeListener"}) {
    EXPECT_EQ(one_error(R"({"channel":"c","data":1,"event":")" + std::string(event) + R"("})"),
              "field 'event' names a reserved event")
        << event;
  }
  // Field errors come after the JSON check and the other fields.
  EXPECT_EQ(one_error(R"({"channel":"c","data":1,"event":"a b")"), "malformed JSON body");
  EXPECT_EQ(one_error(R"({"channel":"c","data":1,"event":"a\q"})"), "malformed JSON body");
  EXPECT_EQ(one_error(R"({"channel":"c","event":"a b"})"), "missing field 'data'");
  EXPECT_EQ(one_error(R"({"channel":"c","event":1,"data":1,"event":"ok"})"), "");
}

TEST(BatchBody, EventPerItem) {
  auto b = parse_batch_body(
      R"({"publications":[{"channel":"a","data":1,"event":"price"},{"channel":"b","data":2}]})",
      valid, 10);
  ASSERT_TRUE(b.ok()) << b.error;
  EXPECT_EQ(b.items[0].event, "price");
  EXPECT_EQ(b.items[1].event, "");
  EXPECT_EQ(parse_batch_body(
                R"({"publications":[{"channel":"a","data":1},{"channel":"b","data":2,"event":7}]})",
                valid, 10)
                .error,
            "publications[1]: field 'event' must be a string of 1-64 characters [A-Za-z0-9_:.-]");
}

}  // namespace
