// The error category of the Redis client (Errc), with one message per value.
#include <herald/redis/error.hpp>

#include <string>

namespace herald::redis {
namespace {

class RedisErrorCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "herald.redis"; }
  std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
      case Errc::not_connected:
        return "not connected to redis";
      case Errc::connection_lost:
        return "connection to redis lost with the request in flight";
      case Errc::connect_timeout:
        return "connect to redis timed out";
      case Errc::timeout:
        return "redis request timed out";
      case Errc::protocol_error:
        return "invalid RESP from redis";
      case Errc::handshake_failed:
        return "redis refused the handshake (AUTH/SELECT)";
      case Errc::bad_url:
        return "bad redis URL";
      case Errc::unexpected_reply:
        return "unexpected redis reply shape";
      case Errc::server_error:
        return "redis answered with an error reply";
      case Errc::closed:
        return "redis client stopped";
      case Errc::tls_setup_failed:
        return "redis TLS settings could not be loaded (ca_file, ca_dir, cert_file or key_file)";
      case Errc::tls_handshake_timeout:
        return "TLS handshake with redis timed out (does that port speak TLS?)";
      case Errc::tls_closed_by_server:
        return "redis closed the TLS connection after the handshake (does it require a client "
               "certificate? see cert_file=)";
      case Errc::not_master:
        return "redis is not the master (failover under way?): asking the sentinels again";
      case Errc::master_unknown:
        return "the sentinels do not monitor that master name";
      case Errc::no_sentinel:
        return "no sentinel answered (unreachable, timed out, or sentinel_password refused)";
    }
    return "unknown redis error";
  }
};

}  // namespace

const boost::system::error_category& error_category() noexcept {
  static const RedisErrorCategory category;
  return category;
}

}  // namespace herald::redis
