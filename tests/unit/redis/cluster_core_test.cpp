// The sans-io Redis Cluster core: key slots (CRC16 and hash tags), MOVED/ASK
// redirections, the slot map from CLUSTER SHARDS / CLUSTER SLOTS replies, and the
// routing of encoded requests; malformed input refused everywhere.
#include "redis/core/key_slot.hpp"
#include "redis/core/redirect.hpp"
#include "redis/core/request_route.hpp"
#include "redis/core/slot_map.hpp"

#include <herald/redis/request.hpp>

#include <gtest/gtest.h>

namespace herald::redis {
namespace {

Reply s(std::string v) {
  return Reply::make_string(std::move(v));
}
Reply i(long long v) {
  return Reply::make_integer(v);
}
Reply a(std::vector<Reply> e) {
  return Reply::make_array(std::move(e));
}

TEST(ClusterKeySlot, Crc16AndKnownSlots) {
  EXPECT_EQ(crc16("123456789"), 0x31C3);  // the XMODEM check value Redis's spec quotes
  EXPECT_EQ(key_slot("foo"), 12182);
  EXPECT_EQ(key_slot("bar"), 5061);
  EXPECT_EQ(key_slot("somekey"), 11058);
  EXPECT_EQ(key_slot("foo{hash_tag}"), 2515);
  EXPECT_EQ(key_slot(""), 0);
}

TEST(ClusterKeySlot, HashTags) {
  EXPECT_EQ(key_slot("{user1000}.following"), key_slot("user1000"));
  EXPECT_EQ(key_slot("{user1000}.followers"), key_slot("user1000"));
  // An empty tag: the whole key.
  EXPECT_EQ(key_slot("foo{}{bar}"), crc16("foo{}{bar}") % 16384);
  // The first '{' and the first '}' after it.
  EXPECT_EQ(key_slot("foo{{bar}}zap"), key_slot("{bar"));
  EXPECT_EQ(key_slot("foo{bar}{zap}"), key_slot("bar"));
  // No closing brace: the whole key.
  EXPECT_EQ(key_slot("foo{bar"), crc16("foo{bar") % 16384);
  EXPECT_EQ(key_slot("herald:ch:{news}:meta"), key_slot("herald:ch:{news}:hist"));
  EXPECT_EQ(key_slot("herald:ch:{news}:meta"), key_slot("news"));
}

TEST(ClusterRedirect, MovedAndAsk) {
  auto m = Redirect::parse("MOVED 3999 127.0.0.1:6381");
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, (Redirect{Redirect::Kind::moved, 3999, "127.0.0.1", 6381}));
  auto k = Redirect::parse("ASK 16383 redis-2.example:7000");
  ASSERT_TRUE(k);
  EXPECT_EQ(*k, (Redirect{Redirect::Kind::ask, 16383, "redis-2.example", 7000}));
  auto v6 = Redirect::parse("MOVED 0 ::1:7001");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 7001);
  auto unknown = Redirect::parse("MOVED 12 :7002");  // unknown endpoint
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->host, "");
}

TEST(ClusterRedirect, RefusesMalformed) {
  for (std::string_view e : {"",
                             "MOVED",
                             "MOVED ",
                             "MOVED 1",
                             "MOVED 1 ",
                             "MOVED x 1.2.3.4:1",
                             "MOVED 16384 h:1",
                             "MOVED -1 h:1",
                             "MOVED 1 h",
                             "MOVED 1 h:0",
                             "MOVED 1 h:65536",
                             "MOVED 1 h:1x",
                             "MOVED 1 h:",
                             "ASK 1 h 1",
                             "moved 1 h:1",
                             "ERR MOVED 1 h:1",
                             "NOSCRIPT x",
                             "MOVED  1 h:1",
                             "MOVED 1 h:1 extra",
                             "ASK 99999999999999999999 h:1"}) {
    EXPECT_FALSE(Redirect::parse(e)) << e;
  }
}

Reply node(std::string ip, long long port, std::string role, std::string health = "online") {
  return a({s("id"), s("abc"), s("port"), i(port), s("ip"), s(ip), s("endpoint"), s(ip), s("role"),
            s(std::move(role)), s("replication-offset"), i(1), s("health"), s(std::move(health))});
}

Reply shard(std::vector<Reply> slots, std::vector<Reply> nodes) {
  return a({s("slots"), a(std::move(slots)), s("nodes"), a(std::move(nodes))});
}

TEST(ClusterSlotMap, FromShards) {
  const Reply reply = a({
      shard({i(0), i(5460)},
            {node("127.0.0.1", 7000, "master"), node("127.0.0.1", 7003, "replica")}),
      shard({i(5461), i(10922)}, {node("127.0.0.1", 7001, "master")}),
      shard({i(10923), i(12000), i(12001), i(16383)}, {node("?", 7002, "master")}),
  });
  auto map = SlotMap::from_shards(reply, "10.0.0.9", false);
  ASSERT_TRUE(map) << map.error().message();
  EXPECT_EQ(map->covered(), 16384u);
  ASSERT_EQ(map->primaries().size(), 3u);
  EXPECT_EQ(*map->owner(0), (ClusterNode{"127.0.0.1", 7000}));
  EXPECT_EQ(*map->owner(5461), (ClusterNode{"127.0.0.1", 7001}));
  // "?" endpoint: the ip is "?" too here, so the queried host.
  EXPECT_EQ(*map->owner(16383), (ClusterNode{"10.0.0.9", 7002}));
  EXPECT_EQ(map->owner(16384), nullptr);
  map->assign(5, ClusterNode{"127.0.0.1", 7001});
  EXPECT_EQ(map->owner(5)->port, 7001);
  map->assign(6, ClusterNode{"127.0.0.1", 7009});
  EXPECT_EQ(map->primaries().size(), 4u);
  EXPECT_EQ((ClusterNode{"::1", 7000}).address(), "[::1]:7000");
}

TEST(ClusterSlotMap, ShardsTlsPortAndShardWithoutMaster) {
  Reply tls_node = a({s("id"), s("x"), s("tls-port"), i(8000), s("ip"), s("10.0.0.1"),
                      s("endpoint"), s("10.0.0.1"), s("role"), s("master")});
  Reply reply = a({shard({i(0), i(99)}, {tls_node}),
                   shard({i(100), i(199)}, {node("10.0.0.2", 7001, "replica")})});
  auto map = SlotMap::from_shards(reply, "h", true);
  ASSERT_TRUE(map);
  EXPECT_EQ(map->owner(0)->port, 8000);
  EXPECT_EQ(map->owner(150), nullptr);
  EXPECT_EQ(map->covered(), 100u);
  // Without TLS this node has no plaintext port.
  EXPECT_FALSE(SlotMap::from_shards(reply, "h", false));
}

TEST(ClusterSlotMap, ShardsWithoutSlotsAreNoPrimaries) {
  // After a failover Redis 7.0 lists the dead master as a shard of its own, slot-less.
  Reply reply = a({shard({i(0), i(16383)}, {node("10.0.0.2", 7000, "master")}),
                   shard({}, {node("10.0.0.1", 7000, "master", "fail")})});
  auto map = SlotMap::from_shards(reply, "h", false);
  ASSERT_TRUE(map);
  ASSERT_EQ(map->primaries().size(), 1u);
  EXPECT_EQ(map->primaries()[0].host, "10.0.0.2");
}

TEST(ClusterSlotMap, ShardsPreferTheOnlineMaster) {
  Reply reply = a({shard({i(0), i(0)}, {node("10.0.0.1", 7000, "master", "failed"),
                                        node("10.0.0.2", 7000, "master", "online")})});
  auto map = SlotMap::from_shards(reply, "h", false);
  ASSERT_TRUE(map);
  EXPECT_EQ(map->owner(0)->host, "10.0.0.2");
}

TEST(ClusterSlotMap, ShardsRefuseMalformed) {
  const Reply good_node = node("h", 1, "master");
  const std::vector<Reply> bad = {
      s("x"),
      a({s("x")}),
      a({a({s("slots"), a({i(0), i(1)})})}),                        // no nodes
      a({a({s("slots"), a({i(0)}), s("nodes"), a({good_node})})}),  // odd ranges
      a({shard({i(5), i(4)}, {good_node})}),                        // end < start
      a({shard({i(0), i(16384)}, {good_node})}),                    // past the last slot
      a({shard({i(-1), i(3)}, {good_node})}),
      a({shard({s("a"), i(3)}, {good_node})}),
      a({shard({i(0), i(10)}, {good_node}), shard({i(10), i(20)}, {node("g", 2, "master")})}),
      a({shard({i(0), i(1)}, {a({s("role")})})}),                         // odd node map
      a({shard({i(0), i(1)}, {a({s("port"), i(1), s("ip"), s("h")})})}),  // no role
      a({shard({i(0), i(1)}, {node("h", 0, "master")})}),
      a({shard({i(0), i(1)}, {node("h", 70000, "master")})}),
      a({shard({i(0), i(1)}, {node("bad host", 1, "master")})}),
      a({shard({i(0), i(1)}, {a({s("role"), s("master"), s("port"), i(1), s("ip"), i(5)})})}),
  };
  for (const Reply& r : bad) {
    EXPECT_FALSE(SlotMap::from_shards(r, "", false)) << to_string(r);
  }
}

TEST(ClusterSlotMap, FromSlots) {
  Reply reply = a({
      a({i(0), i(8191), a({s("127.0.0.1"), i(7000), s("id1")}), a({s("127.0.0.1"), i(7003)})}),
      a({i(8192), i(16383), a({s(""), i(7001), s("id2"), a({})})}),
  });
  auto map = SlotMap::from_slots(reply, "seed");
  ASSERT_TRUE(map);
  EXPECT_EQ(map->covered(), 16384u);
  EXPECT_EQ(*map->owner(8191), (ClusterNode{"127.0.0.1", 7000}));
  EXPECT_EQ(*map->owner(8192), (ClusterNode{"seed", 7001}));
  for (const Reply& r :
       {s("x"), a({a({i(0), i(1)})}), a({a({i(0), i(1), a({s("h")})})}),
        a({a({i(1), i(0), a({s("h"), i(1)})})}), a({a({i(0), i(1), a({s("h"), i(0)})})}),
        a({a({s("x"), i(1), a({s("h"), i(1)})})}),
        a({a({i(0), i(1), a({s("h"), i(1)})}), a({i(1), i(2), a({s("h"), i(2)})})})}) {
    EXPECT_FALSE(SlotMap::from_slots(r, "seed")) << to_string(r);
  }
}

template <class... Args>
std::optional<RequestRoute> route(const Args&... args) {
  Request r;
  r.push(args...);
  return RequestRoute::of(r.payload());
}

TEST(ClusterRequestRoute, KeysOfCommonCommands) {
  const auto slot = [](std::string_view k) {
    return RequestRoute{RequestRoute::Kind::slot, key_slot(k), false};
  };
  EXPECT_EQ(route("GET", "foo"), slot("foo"));
  EXPECT_EQ(route("set", "a{t}", "v"), slot("t"));
  EXPECT_EQ(route("EVALSHA", "abc", "2", "herald:ch:{c}:meta", "herald:ch:{c}:hist", "x"),
            slot("c"));
  EXPECT_EQ(route("EVAL", "return 1", "0"), RequestRoute{});
  EXPECT_EQ(route("XREADGROUP", "GROUP", "g", "c", "COUNT", "10", "BLOCK", "5", "STREAMS",
                  "herald:ingest", ">"),
            slot("herald:ingest"));
  EXPECT_EQ(route("XREAD", "COUNT", "1", "STREAMS", "s1", "0"), slot("s1"));
  EXPECT_EQ(route("XGROUP", "CREATE", "st", "g", "0", "MKSTREAM"), slot("st"));
  EXPECT_EQ(route("SPUBLISH", "herald:ch:{c}", "m"), slot("c"));
  EXPECT_EQ(route("PUBLISH", "herald:cache:bus", "m"), RequestRoute{});
  EXPECT_EQ(route("PING"), RequestRoute{});
  EXPECT_EQ(route("SCAN", "0", "MATCH", "x*"), RequestRoute{});
  EXPECT_EQ(route("SCRIPT", "LOAD", "return 1"), (RequestRoute{RequestRoute::Kind::all, 0, false}));
  EXPECT_EQ(route("FLUSHALL"), (RequestRoute{RequestRoute::Kind::all, 0, false}));
}

TEST(ClusterRequestRoute, PipelinesAndTransactions) {
  Request r;
  r.push("MULTI").push("SET", "{x}a", "1").push("INCR", "{x}b").push("EXEC");
  EXPECT_EQ(RequestRoute::of(r.payload()),
            (RequestRoute{RequestRoute::Kind::slot, key_slot("x"), false}));
  Request p;
  p.push("SET", "{herald:cache}:e:k", "v").push("PUBLISH", "herald:cache:bus", "k");
  EXPECT_EQ(RequestRoute::of(p.payload())->slot, key_slot("herald:cache"));
  Request cross;
  cross.push("GET", "foo").push("GET", "bar");
  auto c = RequestRoute::of(cross.payload());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->slot, key_slot("foo"));
  EXPECT_TRUE(c->cross_slot);
  EXPECT_EQ(RequestRoute::of(""), RequestRoute{});
}

TEST(ClusterRequestRoute, RefusesMalformed) {
  for (std::string_view p :
       {"*", "*1", "*1\r\n", "*0\r\n", "*1\r\n$3\r\nGE", "*1\r\n$3\r\nGETX\r\n", "*1\r\n:3\r\n",
        "$3\r\nGET\r\n", "*x\r\n", "*1\r\n$-1\r\n", "*2\r\n$3\r\nGET\r\n",
        "*1\r\n$99999999999999999999\r\n"}) {
    EXPECT_FALSE(RequestRoute::of(p)) << p;
  }
}

}  // namespace
}  // namespace herald::redis
