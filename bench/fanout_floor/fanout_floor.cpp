// fanout_floor: the least work any server can do for the peer bench's S1 (issue 14
// section 2), as the yardstick for Herald's CPU per delivery. One thread, one epoll
// loop, no framework: the WebSocket handshake (SHA-1 and base64 from OpenSSL), a
// subscribe reply the loadgen accepts, and per publish one frame encoded once
// (header + the same JSON shape Herald sends) then written with one send() per
// subscriber. A send() that takes only part of it (full socket buffer) keeps the rest
// for EPOLLOUT, so nothing is lost; nothing else is buffered or copied.
//
// Wire, exactly what loadgen/wsload.cpp (--protocol native) does:
//   GET /ws (Upgrade: websocket)  -> 101; client frames are masked text frames;
//     {"type":"subscribe","channel":c,"id":n} -> {"type":"reply","id":n,"result":
//     {"channel":c,"offset":0,"epoch":"floor","recovered":false}}; ping -> pong;
//     close -> close.
//   POST /api/publish {"channel":c,"data":D} (keep-alive) -> 200 {"offset":N,"epoch":
//     "floor"}, every subscriber of c gets {"type":"message","channel":c,"offset":N,
//     "epoch":"floor","data":D}.
//   Any other request (e.g. /healthz): 200 "ok".
// Not a server: no validation beyond what these need, no auth, no limits, no history.
//
// Usage: fanout_floor --listen HOST:PORT   (other arguments are ignored)
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

struct Conn {
  int fd = -1;
  bool websocket = false;
  bool writing = false;  // EPOLLOUT armed: `out` holds unsent bytes
  std::string in;        // received, not yet handled
  std::string out;       // a partial send's rest (rare)
  std::string channel;   // subscribed channel (WebSocket)
  std::size_t slot = 0;  // index in that channel's subscriber list
};

int epfd = -1;
std::unordered_map<int, std::unique_ptr<Conn>> conns;
std::unordered_map<std::string, std::vector<Conn*>> channels;
std::uint64_t next_offset = 1;

void arm(Conn& c, bool write) {
  epoll_event ev{};
  ev.events = EPOLLIN | (write ? EPOLLOUT : 0u);
  ev.data.fd = c.fd;
  epoll_ctl(epfd, EPOLL_CTL_MOD, c.fd, &ev);
  c.writing = write;
}

// The one send() per frame; what it could not take waits for EPOLLOUT.
void send_bytes(Conn& c, std::string_view bytes) {
  if (!c.out.empty()) {
    c.out.append(bytes);
    return;
  }
  ssize_t n = ::send(c.fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK) return;  // the read side sees the error
    n = 0;
  }
  if (static_cast<std::size_t>(n) < bytes.size()) {
    c.out.assign(bytes.substr(static_cast<std::size_t>(n)));
    arm(c, true);
  }
}

void flush(Conn& c) {
  while (!c.out.empty()) {
    ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    c.out.erase(0, static_cast<std::size_t>(n));
  }
  arm(c, false);
}

void close_conn(int fd) {
  auto it = conns.find(fd);
  if (it == conns.end()) return;
  Conn& c = *it->second;
  if (!c.channel.empty()) {
    auto& subs = channels[c.channel];
    subs[c.slot] = subs.back();
    subs[c.slot]->slot = c.slot;
    subs.pop_back();
  }
  epoll_ctl(epfd, EPOLL_CTL_DEL, fd, nullptr);
  ::close(fd);
  conns.erase(it);
}

// A server frame: FIN, `opcode`, unmasked.
std::string frame(std::uint8_t opcode, std::string_view payload) {
  std::string f;
  f.reserve(payload.size() + 10);
  f += static_cast<char>(0x80 | opcode);
  if (payload.size() < 126) {
    f += static_cast<char>(payload.size());
  } else if (payload.size() < 65536) {
    f += static_cast<char>(126);
    f += static_cast<char>(payload.size() >> 8);
    f += static_cast<char>(payload.size() & 0xFF);
  } else {
    f += static_cast<char>(127);
    for (int i = 7; i >= 0; --i) f += static_cast<char>((payload.size() >> (8 * i)) & 0xFF);
  }
  f.append(payload);
  return f;
}

// The text after `"key":"` up to the next quote (the loadgen's strings have no escapes).
std::string_view string_field(std::string_view json, std::string_view key) {
  std::string pattern = "\"" + std::string(key) + "\":\"";
  std::size_t at = json.find(pattern);
  if (at == std::string_view::npos) return {};
  at += pattern.size();
  std::size_t end = json.find('"', at);
  return end == std::string_view::npos ? std::string_view{} : json.substr(at, end - at);
}

std::string header(std::string_view head, std::string_view name) {
  // Case-insensitive search for "\r\n<name>:".
  for (std::size_t at = head.find("\r\n"); at != std::string_view::npos;
       at = head.find("\r\n", at + 2)) {
    std::string_view line = head.substr(at + 2, head.find("\r\n", at + 2) - at - 2);
    if (line.size() <= name.size() || line[name.size()] != ':') continue;
    if (strncasecmp(line.data(), name.data(), name.size()) != 0) continue;
    std::string_view value = line.substr(name.size() + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    return std::string(value);
  }
  return {};
}

std::string accept_key(const std::string& key) {
  std::string text = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  unsigned char out[64];
  int n = EVP_EncodeBlock(out, digest, SHA_DIGEST_LENGTH);
  return std::string(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
}

std::string http_ok(std::string_view body) {
  std::string r = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ";
  r += std::to_string(body.size());
  r += "\r\n\r\n";
  r += body;
  return r;
}

void publish(Conn& c, std::string_view body) {
  std::string_view channel = string_field(body, "channel");
  std::size_t data = body.find("\"data\":");
  std::size_t last = body.rfind('}');
  if (channel.empty() || data == std::string_view::npos || last == std::string_view::npos ||
      last < data + 7) {
    send_bytes(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    return;
  }
  std::uint64_t offset = next_offset++;
  std::string text = "{\"type\":\"message\",\"channel\":\"";
  text += channel;
  text += "\",\"offset\":" + std::to_string(offset) + ",\"epoch\":\"floor\",\"data\":";
  text += body.substr(data + 7, last - data - 7);
  text += '}';
  const std::string encoded = frame(0x1, text);  // once, for every subscriber
  auto it = channels.find(std::string(channel));
  if (it != channels.end()) {
    for (Conn* s : it->second) send_bytes(*s, encoded);
  }
  send_bytes(c, http_ok("{\"offset\":" + std::to_string(offset) + ",\"epoch\":\"floor\"}"));
}

// Complete HTTP requests in c.in, up to an upgrade (then c.websocket is set).
void handle_http(Conn& c) {
  while (true) {
    std::size_t end = c.in.find("\r\n\r\n");
    if (end == std::string::npos) return;
    std::string_view head(c.in.data(), end + 2);
    std::size_t length = 0;
    if (std::string cl = header(head, "Content-Length"); !cl.empty()) length = std::stoul(cl);
    if (c.in.size() < end + 4 + length) return;
    std::string_view body(c.in.data() + end + 4, length);
    if (head.starts_with("GET /ws") && !header(head, "Sec-WebSocket-Key").empty()) {
      send_bytes(c,
                 "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
                 "Upgrade\r\nSec-WebSocket-Accept: " +
                     accept_key(header(head, "Sec-WebSocket-Key")) + "\r\n\r\n");
      c.websocket = true;
      c.in.erase(0, end + 4);
      return;
    }
    if (head.starts_with("POST /api/publish")) {
      publish(c, body);
    } else {
      send_bytes(c, http_ok("\"ok\""));
    }
    c.in.erase(0, end + 4 + length);
  }
}

void on_text(Conn& c, std::string_view text) {
  if (text.find("\"subscribe\"") == std::string_view::npos) return;
  std::string channel(string_field(text, "channel"));
  std::size_t id_at = text.find("\"id\":");
  std::string id = "0";
  if (id_at != std::string_view::npos) {
    std::size_t from = id_at + 5, to = from;
    while (to < text.size() && text[to] >= '0' && text[to] <= '9') ++to;
    id = std::string(text.substr(from, to - from));
  }
  if (channel.empty() || !c.channel.empty()) return;
  c.channel = channel;
  auto& subs = channels[channel];
  c.slot = subs.size();
  subs.push_back(&c);
  send_bytes(
      c, frame(0x1, "{\"type\":\"reply\",\"id\":" + id + ",\"result\":{\"channel\":\"" + channel +
                        "\",\"offset\":0,\"epoch\":\"floor\",\"recovered\":false}}"));
}

// Complete client frames in c.in; false when the connection must close.
bool handle_frames(Conn& c) {
  std::size_t at = 0;
  while (c.in.size() - at >= 2) {
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(c.in[at + i]); };
    std::uint8_t opcode = byte(0) & 0x0F;
    bool masked = (byte(1) & 0x80) != 0;
    std::uint64_t length = byte(1) & 0x7F;
    std::size_t head = 2;
    if (length == 126) head = 4;
    if (length == 127) head = 10;
    if (masked) head += 4;
    if (c.in.size() - at < head) break;
    if (length >= 126) {
      std::size_t bytes = length == 126 ? 2 : 8;
      length = 0;
      for (std::size_t i = 0; i < bytes; ++i) length = (length << 8) | byte(2 + i);
    }
    if (c.in.size() - at < head + length) break;
    char* payload = c.in.data() + at + head;
    if (masked) {
      const char* mask = payload - 4;
      for (std::uint64_t i = 0; i < length; ++i) payload[i] ^= mask[i % 4];
    }
    std::string_view text(payload, static_cast<std::size_t>(length));
    at += head + static_cast<std::size_t>(length);
    if (opcode == 0x1) on_text(c, text);
    if (opcode == 0x9) send_bytes(c, frame(0xA, text));
    if (opcode == 0x8) {
      send_bytes(c, frame(0x8, text.substr(0, 2)));
      return false;
    }
  }
  c.in.erase(0, at);
  return true;
}

void on_readable(Conn& c) {
  char buf[16384];
  while (true) {
    ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
    if (n > 0) {
      c.in.append(buf, static_cast<std::size_t>(n));
      if (static_cast<std::size_t>(n) == sizeof buf) continue;
      break;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    return close_conn(c.fd);  // closed or failed
  }
  if (!c.websocket) handle_http(c);
  if (c.websocket && !handle_frames(c)) close_conn(c.fd);
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:8080";
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string_view(argv[i]) == "--listen") listen = argv[i + 1];
  }
  std::size_t colon = listen.rfind(':');
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(std::stoi(listen.substr(colon + 1))));
  if (inet_pton(AF_INET, listen.substr(0, colon).c_str(), &addr.sin_addr) != 1) {
    std::fprintf(stderr, "fanout_floor: --listen HOST:PORT (IPv4)\n");
    return 2;
  }
  int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(lfd, 4096) != 0) {
    std::perror("fanout_floor: bind/listen");
    return 1;
  }
  epfd = epoll_create1(0);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = lfd;
  epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev);
  std::fprintf(stderr, "fanout_floor: listening on %s\n", listen.c_str());
  std::vector<epoll_event> events(1024);
  while (true) {
    int n = epoll_wait(epfd, events.data(), static_cast<int>(events.size()), -1);
    if (n < 0 && errno == EINTR) continue;
    for (int i = 0; i < n; ++i) {
      int fd = events[static_cast<std::size_t>(i)].data.fd;
      std::uint32_t what = events[static_cast<std::size_t>(i)].events;
      if (fd == lfd) {
        int cfd;
        while ((cfd = accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK)) >= 0) {
          setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          auto c = std::make_unique<Conn>();
          c->fd = cfd;
          epoll_event cev{};
          cev.events = EPOLLIN;
          cev.data.fd = cfd;
          epoll_ctl(epfd, EPOLL_CTL_ADD, cfd, &cev);
          conns[cfd] = std::move(c);
        }
        continue;
      }
      auto it = conns.find(fd);
      if (it == conns.end()) continue;
      Conn& c = *it->second;
      if ((what & EPOLLOUT) != 0) flush(c);
      if ((what & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) on_readable(c);
    }
  }
}
