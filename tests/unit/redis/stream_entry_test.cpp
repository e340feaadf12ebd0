// Stream reply parsers: the shapes Redis 7 sends for XRANGE/XREAD/XPENDING/XAUTOCLAIM
// become typed values; other shapes are unexpected_reply, error replies server_error.
#include <herald/redis/stream_entry.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace herald::redis {
namespace {

Reply S(std::string s) {
  return Reply::make_string(std::move(s));
}
Reply I(long long v) {
  return Reply::make_integer(v);
}
Reply A(std::vector<Reply> e) {
  return Reply::make_array(std::move(e));
}
Reply Nil() {
  return Reply::make_nil();
}

Reply entry(std::string id, std::vector<std::string> kv) {
  std::vector<Reply> fields;
  for (auto& s : kv) fields.push_back(S(std::move(s)));
  return A({S(std::move(id)), A(std::move(fields))});
}

TEST(StreamParsers, Entries) {
  auto r = parse_stream_entries(A({entry("1-0", {"f", "v", "g", "w"}), entry("2-5", {})}));
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].id, "1-0");
  EXPECT_EQ((*r)[0].fields, (StreamFields{{"f", "v"}, {"g", "w"}}));
  EXPECT_EQ((*r)[1].id, "2-5");
  EXPECT_TRUE((*r)[1].fields.empty());
  ASSERT_NE(find_field((*r)[0], "g"), nullptr);
  EXPECT_EQ(*find_field((*r)[0], "g"), "w");
  EXPECT_EQ(find_field((*r)[0], "missing"), nullptr);
}

TEST(StreamParsers, EmptyEntries) {
  auto r = parse_stream_entries(A({}));
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->empty());
}

TEST(StreamParsers, BinaryFieldValues) {
  const std::string bin("x\r\n\0y", 5);
  auto r = parse_stream_entries(A({entry("1-1", {"data", bin})}));
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0].fields[0].second, bin);
}

TEST(StreamParsers, Batches) {
  auto reply = A({A({S("s1"), A({entry("1-0", {"a", "1"})})}),
                  A({S("s2"), A({entry("3-0", {"b", "2"}), entry("4-0", {"c", "3"})})})});
  auto r = parse_stream_batches(reply);
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].stream, "s1");
  ASSERT_EQ((*r)[0].entries.size(), 1u);
  EXPECT_EQ((*r)[0].entries[0].fields, (StreamFields{{"a", "1"}}));
  EXPECT_EQ((*r)[1].stream, "s2");
  ASSERT_EQ((*r)[1].entries.size(), 2u);
  EXPECT_EQ((*r)[1].entries[1].id, "4-0");
}

TEST(StreamParsers, NilBatchesMeanTimeout) {
  auto r = parse_stream_batches(Nil());
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->empty());
}

TEST(StreamParsers, PendingSummary) {
  auto r = parse_pending_summary(
      A({I(3), S("1-0"), S("5-0"), A({A({S("alice"), S("2")}), A({S("bob"), S("1")})})}));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->count, 3);
  EXPECT_EQ(r->smallest_id, "1-0");
  EXPECT_EQ(r->largest_id, "5-0");
  using C = std::vector<std::pair<std::string, long long>>;
  EXPECT_EQ(r->consumers, (C{{"alice", 2}, {"bob", 1}}));
}

TEST(StreamParsers, EmptyPendingSummary) {
  auto r = parse_pending_summary(A({I(0), Nil(), Nil(), Nil()}));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->count, 0);
  EXPECT_EQ(r->smallest_id, "");
  EXPECT_EQ(r->largest_id, "");
  EXPECT_TRUE(r->consumers.empty());
}

TEST(StreamParsers, PendingEntries) {
  auto r = parse_pending_entries(
      A({A({S("1-0"), S("alice"), I(1500), I(1)}), A({S("2-0"), S("bob"), I(7), I(3)})}));
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].id, "1-0");
  EXPECT_EQ((*r)[0].consumer, "alice");
  EXPECT_EQ((*r)[0].idle_ms, 1500);
  EXPECT_EQ((*r)[0].deliveries, 1);
  EXPECT_EQ((*r)[1].consumer, "bob");
  EXPECT_EQ((*r)[1].deliveries, 3);
  auto empty = parse_pending_entries(A({}));
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(StreamParsers, AutoClaimWithDeletedIds) {
  auto r = parse_autoclaim(A({S("7-0"), A({entry("3-0", {"k", "v"})}), A({S("1-0"), S("2-0")})}));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->next_cursor, "7-0");
  ASSERT_EQ(r->entries.size(), 1u);
  EXPECT_EQ(r->entries[0].id, "3-0");
  EXPECT_EQ(r->entries[0].fields, (StreamFields{{"k", "v"}}));
  EXPECT_EQ(r->deleted, (std::vector<std::string>{"1-0", "2-0"}));
}

TEST(StreamParsers, AutoClaimComplete) {
  auto r = parse_autoclaim(A({S("0-0"), A({}), A({})}));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->next_cursor, "0-0");
  EXPECT_TRUE(r->entries.empty());
  EXPECT_TRUE(r->deleted.empty());
}

TEST(StreamParsers, ErrorReplyIsServerError) {
  const Reply err = Reply::make_error("NOGROUP No such key or consumer group");
  EXPECT_EQ(parse_stream_entries(err).error(), Errc::server_error);
  EXPECT_EQ(parse_stream_batches(err).error(), Errc::server_error);
  EXPECT_EQ(parse_pending_summary(err).error(), Errc::server_error);
  EXPECT_EQ(parse_pending_entries(err).error(), Errc::server_error);
  EXPECT_EQ(parse_autoclaim(err).error(), Errc::server_error);
}

// Every malformed shape must be refused with unexpected_reply, never crash.
TEST(StreamParsers, MalformedEntries) {
  const std::vector<Reply> bad = {
      S("x"),
      I(1),
      A({S("1-0")}),                           // entry not an array
      A({A({S("1-0")})}),                      // entry without fields
      A({A({I(1), A({})})}),                   // id not a string
      A({A({S("1-0"), S("f")})}),              // fields not an array
      A({A({S("1-0"), A({S("f")})})}),         // odd number of field items
      A({A({S("1-0"), A({S("f"), I(1)})})}),   // value not a string
      A({A({S("1-0"), A({A({}), S("v")})})}),  // field not a string
  };
  // Deliberately not asserted (the parser may be lenient): nil as an empty list,
  // and entries with extra trailing elements.
  for (const auto& r : bad) {
    auto p = parse_stream_entries(r);
    EXPECT_FALSE(p) << to_string(r);
    if (!p) {
      EXPECT_EQ(p.error(), Errc::unexpected_reply) << to_string(r);
    }
  }
}

TEST(StreamParsers, MalformedBatches) {
  const std::vector<Reply> bad = {
      S("x"),
      I(0),
      A({S("s")}),
      A({A({S("s")})}),
      A({A({I(1), A({})})}),
      A({A({S("s"), S("not entries")})}),
      A({A({S("s"), A({S("bad entry")})})}),
  };
  for (const auto& r : bad) {
    auto p = parse_stream_batches(r);
    EXPECT_FALSE(p) << to_string(r);
    if (!p) {
      EXPECT_EQ(p.error(), Errc::unexpected_reply) << to_string(r);
    }
  }
}

TEST(StreamParsers, MalformedPending) {
  const std::vector<Reply> bad_summary = {
      S("x"),
      Nil(),
      A({}),
      A({I(1), S("1-0"), S("1-0")}),  // three elements
      A({S("nan"), S("1-0"), S("1-0"), A({})}),
      A({I(1), S("1-0"), S("1-0"), A({A({S("c")})})}),
      A({I(1), S("1-0"), S("1-0"), A({A({S("c"), S("notanumber")})})}),
      A({I(1), S("1-0"), S("1-0"), S("consumers")}),
  };
  for (const auto& r : bad_summary) {
    auto p = parse_pending_summary(r);
    EXPECT_FALSE(p) << to_string(r);
    if (!p) {
      EXPECT_EQ(p.error(), Errc::unexpected_reply) << to_string(r);
    }
  }
  const std::vector<Reply> bad_entries = {
      S("x"),
      A({S("1-0")}),
      A({A({S("1-0"), S("c"), I(1)})}),
      A({A({S("1-0"), S("c"), S("idle?"), I(1)})}),
      A({A({I(1), S("c"), I(1), I(1)})}),
  };
  for (const auto& r : bad_entries) {
    auto p = parse_pending_entries(r);
    EXPECT_FALSE(p) << to_string(r);
    if (!p) {
      EXPECT_EQ(p.error(), Errc::unexpected_reply) << to_string(r);
    }
  }
}

TEST(StreamParsers, MalformedAutoClaim) {
  const std::vector<Reply> bad = {
      S("x"),
      A({}),
      A({S("0-0")}),
      A({I(0), A({}), A({})}),
      A({S("0-0"), S("entries"), A({})}),
      A({S("0-0"), A({S("bad")}), A({})}),
      A({S("0-0"), A({}), A({I(1)})}),
      A({S("0-0"), A({}), S("deleted")}),
  };
  for (const auto& r : bad) {
    auto p = parse_autoclaim(r);
    EXPECT_FALSE(p) << to_string(r);
    if (!p) {
      EXPECT_EQ(p.error(), Errc::unexpected_reply) << to_string(r);
    }
  }
}

}  // namespace
}  // namespace herald::redis
