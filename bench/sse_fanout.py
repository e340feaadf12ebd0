#!/usr/bin/env python3
"""sse_fanout.py BIN [CONNS] [PUBLISHES]: starts BIN serve on a free port, opens CONNS
SSE subscribers of one channel, publishes PUBLISHES messages (8 in flight, keep-alive),
waits until every subscriber got every event, prints the server's CPU seconds per
delivery (utime+stime from /proc over publish..last delivery)."""
import os, socket, subprocess, sys, time, selectors, json

bin_, conns, pubs = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 200, int(sys.argv[3]) if len(sys.argv) > 3 else 2000
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
srv = subprocess.Popen([bin_, "serve", "--listen", f"127.0.0.1:{port}", "--log-level", "warn"])
try:
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port)).close(); break
        except OSError:
            time.sleep(0.05)
    sel = selectors.DefaultSelector()
    counts = {}
    for i in range(conns):
        c = socket.create_connection(("127.0.0.1", port))
        c.sendall(b"GET /sse?channel=bench HTTP/1.1\r\nHost: x\r\n\r\n")
        c.setblocking(False)
        sel.register(c, selectors.EVENT_READ)
        counts[c] = [0, b"\n"]
    def pump(timeout):
        for key, _ in sel.select(timeout):
            try:
                data = key.fileobj.recv(1 << 20)
            except BlockingIOError:
                continue
            st = counts[key.fileobj]
            joined = st[1] + data
            st[0] += joined.count(b"\nid: ")
            st[1] = joined[-4:]
    # wait for all subscribe events
    subscribed = set()
    deadline = time.time() + 30
    while len(subscribed) < conns and time.time() < deadline:
        for key, _ in sel.select(0.1):
            d = key.fileobj.recv(65536)
            if b"event: subscribe" in d: subscribed.add(key.fileobj)
    def cpu():
        f = open(f"/proc/{srv.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
    body = json.dumps({"channel": "bench", "data": {"pad": "x" * 80}}).encode()
    req = b"POST /api/publish HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    pubsock = [socket.create_connection(("127.0.0.1", port)) for _ in range(8)]
    c0, t0 = cpu(), time.time()
    sent = 0
    while sent < pubs:
        for p in pubsock:
            if sent < pubs:
                p.sendall(req); sent += 1
        for p in pubsock:
            buf = b""
            while b"}" not in buf: buf += p.recv(4096)
        pump(0)
    while min(st[0] for st in counts.values()) < pubs and time.time() - t0 < 120:
        pump(0.2)
    c1, t1 = cpu(), time.time()
    got = sum(st[0] for st in counts.values())
    print(json.dumps({"bin": os.path.basename(bin_), "conns": conns, "publishes": pubs, "delivered": got,
                      "seconds": round(t1 - t0, 2), "server_cpu_s": round(c1 - c0, 2),
                      "us_cpu_per_delivery": round((c1 - c0) / max(got, 1) * 1e6, 3)}))
finally:
    srv.terminate(); srv.wait()
