// A minimal protocol client over the npm `ws` package (an implementation
// independent of Herald's own JS client): request/reply by id, a queue of pushed
// frames, and waiting for a frame that matches.
import WebSocket from 'ws';

export class WsClient {
  static async connect(url, options = {}) {
    const c = new WsClient(new WebSocket(url, options));
    await new Promise((resolve, reject) => {
      c.ws.once('open', resolve);
      c.ws.once('error', reject);
      c.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    return c;
  }

  constructor(ws) {
    this.ws = ws;
    this.nextId = 1;
    this.frames = [];
    this.waiters = [];
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    // A frame goes to the first waiter that wants it, else into the queue.
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      const i = this.waiters.findIndex((w) => w.pred(frame));
      if (i < 0) { this.frames.push(frame); return; }
      const [w] = this.waiters.splice(i, 1);
      w.resolve(frame);
    });
  }

  send(frame) { this.ws.send(JSON.stringify(frame)); }

  /// Sends a frame with a fresh id and resolves with the reply or error frame.
  request(frame, timeoutMs = 5000) {
    const id = this.nextId++;
    const p = this.waitFor((f) => (f.type === 'reply' || f.type === 'error') && f.id === id, timeoutMs);
    this.send({ ...frame, id });
    return p;
  }

  /// Resolves with the first frame (already received or future) matching pred.
  waitFor(pred, timeoutMs = 5000) {
    const seen = this.frames.find(pred);
    if (seen) {
      this.frames.splice(this.frames.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const w = {
        pred,
        resolve: (f) => { clearTimeout(timer); resolve(f); },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error('timed out waiting for a frame'));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  /// Collects n message frames of a channel, in arrival order.
  async messages(channel, n, timeoutMs = 5000) {
    const out = [];
    while (out.length < n) out.push(await this.waitFor((f) => f.type === 'message' && f.channel === channel, timeoutMs));
    return out;
  }

  close() { this.ws.close(); return this.closed; }
}
