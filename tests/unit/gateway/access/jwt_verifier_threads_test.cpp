// JwtVerifier is shared by every shard thread: one instance (and one EVP_PKEY) must
// verify concurrently without errors bleeding between threads (OpenSSL's per-thread
// error queue is cleared after each verification).
#include <herald/gateway/jwt.hpp>

#include "test_tokens.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace herald::gateway {
namespace {

TEST(JwtVerifierThreads, OneRs256VerifierSharedByThreads) {
  auto key = test::rsa_key(2048);
  const JwtVerifier verifier = JwtVerifier::rs256(test::pem(key.get())).value();
  const std::string good =
      test::rs256_token(R"({"alg":"RS256"})", R"({"sub":"7","exp":200})", key.get());
  std::string bad = good;  // flips bits of the signature's last byte, still canonical
  char& c = bad[bad.size() - 2];
  c = c == 'A' ? 'B' : 'A';
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        if (!verifier.verify(good, 100)) ++wrong;
        if (verifier.verify(bad, 100)) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace herald::gateway
