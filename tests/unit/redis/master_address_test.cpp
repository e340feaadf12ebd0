// MasterAddress::from_reply: a sentinel's [ip, port] answer, nil for an unknown
// master, and refusal of every other shape.
#include "redis/core/master_address.hpp"

#include <gtest/gtest.h>

namespace herald::redis {
namespace {

Reply pair(std::string host, std::string port) {
  return Reply::make_array(
      {Reply::make_string(std::move(host)), Reply::make_string(std::move(port))});
}

TEST(SentinelMasterAddress, IpAndPort) {
  auto a = MasterAddress::from_reply(pair("10.0.0.5", "6380"));
  ASSERT_TRUE(a);
  EXPECT_EQ(*a, (MasterAddress{"10.0.0.5", 6380}));
  auto v6 = MasterAddress::from_reply(pair("::1", "65535"));
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->port, 65535);
}

TEST(SentinelMasterAddress, NilIsAnUnknownMaster) {
  auto a = MasterAddress::from_reply(Reply::make_nil());
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error(), Errc::master_unknown);
}

TEST(SentinelMasterAddress, RefusesOtherShapes) {
  for (const Reply& r :
       {pair("", "6379"), pair("h", ""), pair("h", "0"), pair("h", "65536"), pair("h", "-1"),
        pair("h", "63 79"), pair("h", "6379x"), Reply::make_array({Reply::make_string("h")}),
        Reply::make_array(
            {Reply::make_string("h"), Reply::make_string("1"), Reply::make_string("2")}),
        Reply::make_array({Reply::make_string("h"), Reply::make_integer(6379)}),
        Reply::make_string("h:6379"), Reply::make_error("ERR no such command"),
        Reply::make_integer(1)}) {
    auto a = MasterAddress::from_reply(r);
    EXPECT_FALSE(a) << to_string(r);
    if (!a) {
      EXPECT_EQ(a.error(), Errc::unexpected_reply) << to_string(r);
    }
  }
}

}  // namespace
}  // namespace herald::redis
