// RedisServer: a private redis-server for one test, on a free loopback port.
//
// start() spawns `redis-server` (no persistence, its own temp dir) and waits until it
// answers PING; stop() (and the destructor) shut it down and remove the dir.
// kill9() kills it as a crash would; restart() starts it again on the same port, so
// clients configured with url() reconnect to the "same" server.
// Blocking calls, for the test thread. A coroutine running on the test thread may
// call them (to kill the server with requests in flight, or restart it), knowing the
// io_context stalls meanwhile: kill9() a few ms, start()/restart() until the server
// is ready (tens of ms).
// Safety: the child gets PR_SET_PDEATHSIG(SIGKILL), so a crashed or killed test does
// not leave servers behind. PDEATHSIG follows the *thread* that forked, which is
// why the calls that spawn (start, restart) belong on the test thread.
// `--unixsocket NAME` in extra_args with a relative NAME puts the socket in dir().
// TLS (the Tls constructor): port() speaks TLS only (`--port 0 --tls-port`); a unix
// socket in dir() carries the readiness PING and cli().
// Sentinel (the Sentinel constructor): `redis-server sentinel.conf --sentinel` with a
// config written into dir() that monitors one master on loopback; ready once it
// logged "+monitor" and answers PING. restart() keeps the config it rewrote.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace herald::test {

class RedisServer {
 public:
  /// redis-server's TLS files (e.g. from TlsFiles) and client certificate policy.
  /// Set field by field: the declared constructor keeps a braced list of strings
  /// meaning extra_args, never a Tls.
  struct Tls {
    Tls() = default;
    std::string cert_file;
    std::string key_file;
    std::string ca_file;              ///< --tls-ca-cert-file (checks client certificates)
    std::string auth_clients = "no";  ///< no | optional | yes (mutual TLS)
  };

  /// What a sentinel monitors, and how fast it fails over.
  struct Sentinel {
    Sentinel() = default;
    std::string master_name = "mymaster";
    std::uint16_t master_port = 0;  ///< on 127.0.0.1
    int quorum = 2;
    int down_after_ms = 1000;
    int failover_timeout_ms = 3000;
    /// Non-empty: clients must AUTH with it (requirepass), and the sentinels use it
    /// with each other (sentinel sentinel-pass).
    std::string password;
  };

  /// extra_args: more redis-server arguments, e.g. {"--requirepass", "s3cret"}.
  explicit RedisServer(std::vector<std::string> extra_args = {});
  /// A server that speaks TLS on port().
  explicit RedisServer(Tls tls, std::vector<std::string> extra_args = {});
  /// A sentinel (redis-server --sentinel) monitoring sentinel.master_port.
  explicit RedisServer(Sentinel sentinel);
  /// A sentinel speaking TLS only, on port() and to the servers and other sentinels
  /// (tls-replication), monitoring a TLS master on sentinel.master_port.
  RedisServer(Sentinel sentinel, Tls tls);
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  /// Starts the server and waits for PING (up to 10 s); throws std::runtime_error.
  void start();
  /// SHUTDOWN NOSAVE / SIGTERM and wait; removes the temp dir.
  void stop();
  /// SIGKILL, as a crash; the port is free again once this returns.
  void kill9();
  /// SIGSTOP / SIGCONT: a hung server (connections stay open, nothing answers).
  /// kill9() ends a paused server at once; stop() resumes it first.
  void pause();
  void resume();
  /// Starts again on the same port (after kill9() or stop()).
  void restart();
  bool running() const noexcept { return pid_ > 0; }

  std::uint16_t port() const noexcept { return port_; }
  std::string url() const;               ///< redis://127.0.0.1:<port> (rediss:// with TLS)
  std::string unix_socket_path() const;  ///< set when started with unix socket support
  const std::string& dir() const noexcept { return dir_; }

  /// Runs a command with redis-cli against this server and returns its stdout
  /// (trimmed). For test setup and assertions only.
  std::string cli(const std::vector<std::string>& args) const;

 private:
  void spawn();
  bool wait_ping(int timeout_ms) const;
  /// Spawns on port_ and waits until ready; false (child reaped) when it is not.
  bool try_spawn_ready(int timeout_ms);
  void make_dir();
  void reap(int timeout_ms);

  std::vector<std::string> extra_args_;
  std::optional<Tls> tls_;
  std::optional<Sentinel> sentinel_;
  std::string dir_;
  std::string unix_socket_;  ///< absolute path when extra_args has --unixsocket
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  long log_offset_ = 0;  ///< size of redis.log before the current spawn
};

}  // namespace herald::test
