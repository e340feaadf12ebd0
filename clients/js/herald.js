// Herald client for browsers and Node 20: one dependency-free ES module speaking the
// wire contract (docs: protocol.md sections 1, 3 and 6). WebSocket first, SSE
// (receive-only) as the fallback; reconnects by itself with backoff and recovers what
// it missed through `since`; delivers each channel's messages in offset order, once.
import { Backoff } from './backoff.js';
import { SseStream } from './sse_transport.js';

export { Backoff };

/** Close codes after which the server does not want the client back (protocol.md 6). */
const NO_RECONNECT = new Set([4001, 4003]);

/**
 * An Error with a `code`: the server's numeric code from an error frame (400, 403, ...)
 * or the client's own string code: 'timeout', 'disconnected', 'closed', 'unsupported',
 * 'unsubscribed'.
 */
export class HeraldError extends Error {
  constructor(code, message, extra = {}) {
    super(message);
    this.name = 'HeraldError';
    this.code = code;
    Object.assign(this, extra);
  }
}

/** A minimal event emitter (EventTarget would do, but CustomEvent is clumsier). */
class Emitter {
  #listeners = new Map();

  /**
   * Adds a listener; returns a function that removes it.
   * @param {string} event @param {(value: any) => void} fn @returns {() => void}
   */
  on(event, fn) {
    if (!this.#listeners.has(event)) this.#listeners.set(event, new Set());
    this.#listeners.get(event).add(fn);
    return () => this.off(event, fn);
  }

  /** Removes a listener added with on(). */
  off(event, fn) { this.#listeners.get(event)?.delete(fn); }

  emit(event, value) {
    const fns = this.#listeners.get(event);
    if (!fns?.size) {
      if (event === 'error') console.error('herald:', value);
      return;
    }
    for (const fn of [...fns]) {
      try { fn(value); } catch (e) { if (event !== 'error') this.emit('error', e); else console.error(e); }
    }
  }
}

/**
 * The client. Events (client.on(name, fn)):
 * - 'state' (string): 'connecting' | 'connected' | 'disconnected', and each state
 *   as its own event: 'connected' {transport, client, user}, 'disconnected'
 *   {code, reason, reconnect}, 'connecting' {transport, attempt}
 * - 'message' (the message frame), 'recovery' {channel, recovered, offset, epoch}
 *   after every resubscription with `since` (recovered:false = refetch your state),
 * - 'invalidate' {tags}, 'transport' ('sse' after the fallback), 'error' (Error).
 */
export class HeraldClient extends Emitter {
  #opts;
  #url;
  #sseUrl;
  #transport;
  #state = 'disconnected';
  #stopped = true;
  #conn = null; // the current connection attempt: {gen, kind, ws|sse, bye, ...}
  #gen = 0;
  #subs = new Map(); // channel -> Sub
  #pending = new Map(); // request id -> {onReply, onError, timer}
  #nextId = 1;
  #backoff;
  #reconnectTimer = null;
  #probeTimer = null;
  #attempts = 0; // since the last successful connection (for the backoff)
  #tries = 0; // over the client's life (the first uses options.token)
  #wsFailures = 0;
  #waiters = [];
  #lastRx = 0;
  #heartbeat = null;
  #pingOut = false;
  #restartQueued = false;
  #invalidators = new Set();
  #tagRefs = new Map();

  /**
   * @param {string} url the WebSocket endpoint, e.g. 'wss://rt.example.com/ws' (http(s)
   *   URLs are accepted and converted; relative URLs resolve against location)
   * @param {object} [options] HeraldOptions, see herald.d.ts and README.md
   */
  constructor(url, options = {}) {
    super();
    this.#opts = {
      timeout: 5000, connectTimeout: 10000, fallbackAfter: 3, probeInterval: 60000, transport: 'auto', pingInterval: 25,
      ...options,
    };
    const ws = new URL(url, globalThis.location?.href);
    ws.protocol = ws.protocol.replace(/^http/, 'ws');
    this.#url = ws.href;
    const sse = new URL(ws.href);
    sse.protocol = sse.protocol.replace(/^ws/, 'http');
    sse.pathname = /\/ws$/.test(sse.pathname) ? sse.pathname.replace(/ws$/, 'sse') : `${sse.pathname.replace(/\/$/, '')}/sse`;
    this.#sseUrl = options.sseUrl ?? sse.href;
    this.#transport = this.#opts.transport === 'sse' ? 'sse' : 'websocket';
    this.#backoff = new Backoff(this.#opts.backoff);
  }

  /** 'connecting' | 'connected' | 'disconnected' */
  get state() { return this.#state; }

  /** 'websocket' or 'sse' (the transport in use, or tried next). */
  get transport() { return this.#transport; }

  /**
   * Starts connecting (and reconnecting whenever the connection drops). Resolves when
   * connected; rejects when the server refuses the client for good (4001, 4003,
   * `reconnect:false`) or close() is called first.
   * @returns {Promise<void>}
   */
  connect() {
    if (this.#state === 'connected') return Promise.resolve();
    const p = new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
    if (this.#stopped) {
      this.#stopped = false;
      this.#attempts = 0;
      this.#backoff.reset();
      this.#open();
    }
    return p;
  }

  /** Disconnects and stops reconnecting; subscriptions are kept for a later connect(). */
  close() {
    this.#stopped = true;
    clearTimeout(this.#reconnectTimer);
    clearTimeout(this.#probeTimer);
    this.#teardown(this.#conn, 1000);
    this.#lost({ code: 1000, reason: 'client closed', reconnect: false }, null, 'closed');
  }

  /**
   * Subscribes to a channel. Messages reach `onMessage(data, frame)` in offset order,
   * each once; after a reconnect the channel is resubscribed from its last position.
   * @param {string} channel
   * @param {(data: any, frame: object) => void} [onMessage]
   * @param {{since?: {offset: number, epoch: string}, onRecovery?: (e: object) => void}} [options]
   * @returns {Promise<{channel: string, offset: number, epoch: string, recovered: boolean}>}
   *   the subscribe result, once the server confirmed it (possibly after a reconnect)
   */
  subscribe(channel, onMessage, options = {}) { return this.#subscribe(channel, onMessage, options, false); }

  /**
   * Removes `onMessage` (or every handler) from a channel; unsubscribes from the server
   * when none is left. Resolves once the server acknowledged (or at once when offline).
   * @param {string} channel @param {Function} [onMessage] @returns {Promise<void>}
   */
  unsubscribe(channel, onMessage) { return this.#unsubscribe(channel, onMessage, false); }

  /** Joins a room (a room is a channel; sent as `join_room`). Same as subscribe(). */
  joinRoom(room, onMessage, options = {}) { return this.#subscribe(room, onMessage, options, true); }

  /** Leaves a room. Same as unsubscribe(). */
  leaveRoom(room, onMessage) { return this.#unsubscribe(room, onMessage, true); }

  /**
   * Publishes from the client (where the channel's rules allow it; else rejects 403).
   * @param {string} channel @param {any} data
   * @returns {Promise<{offset: number, epoch: string}>}
   */
  publish(channel, data, { timeout } = {}) { return this.#request({ type: 'publish', channel, data }, timeout); }

  /** @param {string} channel @returns {Promise<{count: number}>} connections on the channel */
  presence(channel, { timeout } = {}) { return this.#request({ type: 'presence', channel }, timeout); }

  /**
   * @param {string} channel
   * @param {{since?: {offset: number, epoch: string}, limit?: number, timeout?: number}} [options]
   * @returns {Promise<{messages: {offset: number, data: any}[], offset: number, epoch: string}>}
   */
  history(channel, { since, limit, timeout } = {}) {
    const frame = { type: 'history', channel };
    if (since) frame.since = since;
    if (limit !== undefined) frame.limit = limit;
    return this.#request(frame, timeout);
  }

  /** Application-level round trip. @returns {Promise<object>} */
  ping({ timeout } = {}) { return this.#request({ type: 'ping' }, timeout); }

  /**
   * The last position seen on a channel, to persist and pass back as `since`.
   * @param {string} channel @returns {{offset: number, epoch: string} | null}
   */
  position(channel) {
    const sub = this.#subs.get(channel);
    return sub && sub.epoch !== null ? { offset: sub.offset, epoch: sub.epoch } : null;
  }

  /**
   * For TanStack-Query-style caches: subscribes to `tag:<tag>` for every tag and calls
   * `fn(tags)` with the invalidated tags whenever an invalidate frame names any of them.
   * @param {string[]} tags @param {(tags: string[]) => void} fn
   * @returns {(() => void) & {ready: Promise<void>}} stops listening (and unsubscribes
   *   tags nobody else watches); `.ready` resolves once every tag channel is subscribed
   */
  onInvalidate(tags, fn) {
    const reg = { tags: new Set(tags), fn };
    this.#invalidators.add(reg);
    const ready = [];
    for (const tag of reg.tags) {
      const n = this.#tagRefs.get(tag) ?? 0;
      this.#tagRefs.set(tag, n + 1);
      if (n === 0) ready.push(this.subscribe(`tag:${tag}`));
    }
    const off = () => {
      if (!this.#invalidators.delete(reg)) return;
      for (const tag of reg.tags) {
        const n = this.#tagRefs.get(tag) - 1;
        if (n > 0) { this.#tagRefs.set(tag, n); continue; }
        this.#tagRefs.delete(tag);
        this.unsubscribe(`tag:${tag}`);
      }
    };
    off.ready = Promise.all(ready).then(() => {});
    off.ready.catch((e) => this.emit('error', e));
    return off;
  }

  // ---- subscriptions ------------------------------------------------------------

  #subscribe(channel, onMessage, options, room) {
    let sub = this.#subs.get(channel);
    if (!sub) {
      sub = {
        channel, room, handlers: new Set(), onRecovery: options.onRecovery,
        offset: options.since?.offset ?? 0, epoch: options.since ? options.since.epoch ?? '' : null,
        sentOn: 0, resyncing: false, ready: null,
      };
      sub.promise = new Promise((resolve, reject) => { sub.ready = { resolve, reject }; });
      sub.promise.catch(() => {}); // a caller that does not await it must not crash Node
      this.#subs.set(channel, sub);
      if (this.#state === 'connected') {
        if (this.#conn.kind === 'websocket') this.#sendSubscribe(sub);
        else this.#restartSse();
      }
    }
    if (onMessage) sub.handlers.add(onMessage);
    return sub.promise;
  }

  async #unsubscribe(channel, onMessage, room) {
    const sub = this.#subs.get(channel);
    if (!sub) return;
    if (onMessage) sub.handlers.delete(onMessage);
    if (onMessage && sub.handlers.size > 0) return;
    this.#subs.delete(channel);
    sub.ready?.reject(new HeraldError('unsubscribed', `unsubscribed from ${channel} before it was confirmed`));
    if (this.#state !== 'connected') return;
    if (this.#conn.kind === 'sse') { this.#restartSse(); return; }
    const frame = room ? { type: 'leave_room', room: channel } : { type: 'unsubscribe', channel };
    await new Promise((resolve) => this.#call(frame, { onReply: resolve, onError: resolve }));
  }

  #sendSubscribe(sub) {
    const conn = this.#conn;
    sub.sentOn = conn.gen;
    const frame = sub.room ? { type: 'join_room', room: sub.channel } : { type: 'subscribe', channel: sub.channel };
    const hadSince = sub.epoch !== null;
    if (hadSince) frame.since = { offset: sub.offset, epoch: sub.epoch };
    this.#call(frame, {
      onReply: (result) => { if (this.#subs.get(sub.channel) === sub) this.#subscribed(sub, result, hadSince); },
      onError: (err) => {
        if (this.#subs.get(sub.channel) !== sub || err.code === 'disconnected' || err.code === 'closed') return;
        if (err.code === 'timeout' && !sub.ready) { this.#drop(conn, 'resubscribe timed out'); return; }
        this.#subs.delete(sub.channel);
        if (err.code === 'timeout') this.#call({ type: 'unsubscribe', channel: sub.channel }, {});
        err.channel = sub.channel;
        if (sub.ready) sub.ready.reject(err);
        else this.emit('error', err);
      },
    });
  }

  // A subscribe reply (WebSocket) or `subscribe` event (SSE) for sub.
  #subscribed(sub, result, hadSince) {
    sub.resyncing = false;
    if (!(hadSince && result.recovered)) {
      sub.offset = result.offset;
      sub.epoch = result.epoch;
    } // else: the missed messages follow, from the position we asked for
    const info = { channel: sub.channel, offset: result.offset, epoch: result.epoch, recovered: !!result.recovered };
    if (sub.ready) {
      sub.ready.resolve(info);
      sub.ready = null;
    } else if (hadSince) {
      this.emit('recovery', info);
      try { sub.onRecovery?.(info); } catch (e) { this.emit('error', e); }
    }
  }

  // A publication: deliver it if it is the next offset; drop duplicates; a gap or a
  // new epoch means something was lost: resubscribe from the last position.
  // A message without offset (plain Redis Pub/Sub through `ws:<channel>`) is outside
  // the channel's order: delivered as is, the position is left alone.
  #publication(frame) {
    const sub = this.#subs.get(frame.channel);
    if (!sub || sub.epoch === null) return;
    if (frame.offset === undefined && frame.type === 'message') { this.#deliver(sub, frame); return; }
    if (frame.epoch !== sub.epoch || frame.offset > sub.offset + 1) { this.#resync(sub); return; }
    if (frame.offset <= sub.offset) return;
    sub.offset = frame.offset;
    if (frame.type === 'invalidate') { this.#invalidated(frame.tags); return; }
    this.#deliver(sub, frame);
  }

  #deliver(sub, frame) {
    for (const fn of [...sub.handlers]) {
      try { fn(frame.data, frame); } catch (e) { this.emit('error', e); }
    }
    this.emit('message', frame);
  }

  #resync(sub) {
    if (sub.resyncing || this.#state !== 'connected') return;
    sub.resyncing = true;
    if (this.#conn.kind === 'sse') { this.#restartSse(); return; }
    this.#call(sub.room ? { type: 'leave_room', room: sub.channel } : { type: 'unsubscribe', channel: sub.channel }, {});
    this.#sendSubscribe(sub);
  }

  #invalidated(tags) {
    if (!Array.isArray(tags)) return;
    this.emit('invalidate', { tags });
    for (const reg of [...this.#invalidators]) {
      if (!tags.some((t) => reg.tags.has(t))) continue;
      try { reg.fn(tags); } catch (e) { this.emit('error', e); }
    }
  }

  // ---- requests -----------------------------------------------------------------

  #request(frame, timeout) {
    if (this.#transport === 'sse') {
      return Promise.reject(new HeraldError('unsupported',
        `${frame.type} needs the WebSocket transport: the SSE fallback is receive-only`));
    }
    if (this.#state !== 'connected') return Promise.reject(new HeraldError('disconnected', 'not connected'));
    return new Promise((resolve, reject) => this.#call(frame, { onReply: resolve, onError: reject, timeout }));
  }

  // Sends frame with a fresh id; exactly one of onReply/onError is called (error
  // frame, timeout, or the connection going away). Callbacks run synchronously in
  // the frame handler, so a subscribe reply is applied before the next frame.
  #call(frame, { onReply = () => {}, onError = () => {}, timeout = this.#opts.timeout }) {
    const id = this.#nextId++;
    const timer = setTimeout(() => {
      this.#pending.delete(id);
      onError(new HeraldError('timeout', `${frame.type} timed out after ${timeout} ms`));
    }, timeout);
    this.#pending.set(id, { onReply, onError, timer });
    try {
      this.#conn.ws.send(JSON.stringify({ ...frame, id }));
    } catch (e) {
      this.#settle(id, null, new HeraldError('disconnected', `send failed: ${e.message}`));
    }
  }

  #settle(id, result, error) {
    const p = this.#pending.get(id);
    if (!p) return false;
    this.#pending.delete(id);
    clearTimeout(p.timer);
    if (error) p.onError(error);
    else p.onReply(result ?? {});
    return true;
  }

  // ---- connection lifecycle -----------------------------------------------------

  #setState(state, detail) {
    if (state === this.#state) return;
    this.#state = state;
    this.emit('state', state);
    this.emit(state, detail);
  }

  async #token() {
    const { token, getToken } = this.#opts;
    if (getToken && (this.#tries > 1 || token === undefined)) return getToken();
    return token;
  }

  #open() {
    this.#reconnectTimer = null;
    if (this.#stopped) return;
    this.#attempts++;
    this.#tries++;
    const conn = { gen: ++this.#gen, kind: this.#transport, bye: null };
    this.#conn = conn;
    this.#setState('connecting', { transport: conn.kind, attempt: this.#attempts });
    if (conn.kind === 'sse') this.#openSse(conn);
    else this.#openWs(conn);
  }

  async #openWs(conn) {
    let token;
    try {
      token = await this.#token();
    } catch (e) {
      this.emit('error', e);
      if (conn === this.#conn) this.#lost({ code: 0, reason: `getToken failed: ${e.message}`, reconnect: true });
      return;
    }
    if (conn !== this.#conn) return;
    const WS = this.#opts.WebSocket ?? globalThis.WebSocket;
    if (!WS) {
      this.#fallback();
      this.#lost({ code: 0, reason: 'no WebSocket implementation', reconnect: true });
      return;
    }
    try {
      conn.ws = new WS(this.#url);
    } catch (e) {
      this.#wsFailures++;
      this.#lost({ code: 0, reason: e.message, reconnect: true });
      return;
    }
    conn.timer = setTimeout(() => this.#drop(conn, 'no welcome in time'), this.#opts.connectTimeout);
    conn.ws.onopen = () => {
      conn.opened = true;
      // The token goes in an auth frame rather than the URL: it stays out of access
      // logs, and a bad one gets a clean 4001 instead of an opaque failed upgrade.
      if (token) this.#call({ type: 'auth', token }, {});
    };
    conn.ws.onerror = () => {};
    conn.ws.onmessage = (ev) => this.#frame(conn, ev.data);
    conn.ws.onclose = (ev) => {
      if (conn !== this.#conn) return;
      if (!conn.opened) this.#wsFailures++;
      this.#teardown(conn);
      const bye = conn.bye;
      const code = bye?.code ?? ev.code;
      this.#lost({
        code, reason: bye?.reason ?? ev.reason ?? '',
        reconnect: bye ? bye.reconnect !== false && !NO_RECONNECT.has(code) : !NO_RECONNECT.has(ev.code),
      });
    };
  }

  #frame(conn, text) {
    if (conn !== this.#conn) return;
    this.#lastRx = Date.now();
    let f;
    try { f = JSON.parse(typeof text === 'string' ? text : String(text)); } catch { return; }
    switch (f.type) {
      case 'message': this.#publication(f); break;
      case 'reply': this.#settle(f.id, f.result); break;
      case 'error':
        if (f.id === undefined || !this.#settle(f.id, null, new HeraldError(f.code, f.message))) {
          this.emit('error', new HeraldError(f.code, f.message));
        }
        break;
      case 'welcome': this.#welcomed(conn, f); break;
      case 'invalidate':
        if (f.channel !== undefined && f.offset !== undefined) this.#publication(f);
        else this.#invalidated(f.tags);
        break;
      case 'disconnect': conn.bye = f; break;
      default: break;
    }
  }

  #welcomed(conn, welcome) {
    clearTimeout(conn.timer);
    conn.welcome = welcome;
    this.#wsFailures = 0;
    for (const sub of this.#subs.values()) if (sub.sentOn !== conn.gen) this.#sendSubscribe(sub);
    this.#connected(conn, { transport: 'websocket', client: welcome.client, user: welcome.user });
  }

  #connected(conn, detail) {
    this.#attempts = 0;
    this.#backoff.reset();
    this.#startHeartbeat(conn);
    this.#setState('connected', detail);
    for (const w of this.#waiters.splice(0)) w.resolve();
    if (conn.kind === 'sse') this.#probeWebSocket(0);
  }

  // On the SSE fallback of 'auto': try a WebSocket upgrade now and then (the fallback
  // may have been caused by a server restart, not by a proxy); when one opens, go
  // back to WebSocket (every channel resumes from its position).
  #probeWebSocket(delay = this.#opts.probeInterval) {
    clearTimeout(this.#probeTimer);
    const WS = this.#opts.WebSocket ?? globalThis.WebSocket;
    if (this.#opts.transport !== 'auto' || this.#transport !== 'sse' || !WS) return;
    this.#probeTimer = setTimeout(() => {
      const conn = this.#conn;
      if (this.#state !== 'connected' || conn?.kind !== 'sse') return;
      let ws;
      try { ws = new WS(this.#url); } catch { this.#probeWebSocket(); return; }
      const done = (works) => {
        this.#teardown({ ws });
        if (!works) { this.#probeWebSocket(); return; }
        if (conn !== this.#conn) return;
        this.#fallback('websocket');
        this.#teardown(conn);
        this.#lost({ code: 1000, reason: 'WebSocket works again', reconnect: true }, conn);
      };
      ws.onopen = () => done(true);
      ws.onerror = ws.onclose = () => done(false);
    }, delay);
  }

  // Heartbeat: the server pings at the WebSocket level (answered by the runtime,
  // invisible here); when nothing at all arrived for 2 x ping_interval, ask with an
  // application ping and give the connection up when that gets no answer either.
  // Over SSE, the server's `: ping` comments count; silence means a dead stream.
  #startHeartbeat(conn) {
    clearInterval(this.#heartbeat);
    const interval = 1000 * (conn.welcome?.ping_interval || this.#opts.pingInterval);
    this.#lastRx = Date.now();
    this.#pingOut = false;
    this.#heartbeat = setInterval(() => {
      if (conn !== this.#conn || this.#pingOut || Date.now() - this.#lastRx < 2 * interval) return;
      if (conn.kind === 'sse') { if (conn.sse) this.#drop(conn, 'event stream silent'); return; }
      this.#pingOut = true;
      this.#call({ type: 'ping' }, {
        timeout: this.#opts.pingTimeout ?? interval,
        onReply: () => { this.#pingOut = false; },
        onError: (e) => { this.#pingOut = false; if (e.code === 'timeout') this.#drop(conn, 'heartbeat timed out'); },
      });
    }, Math.max(100, interval / 2));
  }

  // Gives a connection up from our side (timeouts): close it, then handle as lost.
  #drop(conn, reason) {
    if (conn !== this.#conn) return;
    if (conn.kind === 'websocket' && !conn.opened) this.#wsFailures++;
    this.#teardown(conn);
    this.#lost({ code: 1006, reason, reconnect: true }, conn);
  }

  // Closes the transport of conn without any more callbacks from it.
  #teardown(conn, code) {
    if (!conn) return;
    clearTimeout(conn.timer);
    if (conn === this.#conn) this.#conn = null;
    conn.sse?.close();
    const ws = conn.ws;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = () => {}; // (ws throws on unhandled 'error')
    try {
      if (code === 1000) ws.close(1000);
      else if (typeof ws.terminate === 'function') ws.terminate();
      else ws.close();
    } catch { /* already closed */ }
  }

  // The connection is gone: fail what was waiting on it, then reconnect unless told not to.
  #lost(info, conn = null, failWith = 'disconnected') {
    this.#conn = null;
    clearInterval(this.#heartbeat);
    for (const id of [...this.#pending.keys()]) this.#settle(id, null, new HeraldError(failWith, `connection ${failWith}`));
    for (const sub of this.#subs.values()) { sub.sentOn = 0; sub.resyncing = false; }
    if (!info.reconnect) {
      this.#stopped = true;
      clearTimeout(this.#reconnectTimer);
      const err = new HeraldError(failWith === 'closed' ? 'closed' : info.code, info.reason || 'disconnected');
      for (const w of this.#waiters.splice(0)) w.reject(err);
    }
    this.#setState('disconnected', info);
    if (this.#stopped) return;
    if (this.#opts.transport === 'auto') {
      if (this.#transport === 'websocket' && this.#wsFailures >= this.#opts.fallbackAfter) this.#fallback();
      // SSE does not connect either: the server is down rather than WebSocket blocked
      else if (this.#transport === 'sse' && conn && !conn.opened) this.#fallback('websocket');
    }
    this.#reconnectTimer = setTimeout(() => this.#open(), this.#backoff.next());
  }

  #fallback(to = 'sse') {
    if (this.#transport === to || this.#opts.transport !== 'auto') return;
    this.#transport = to;
    this.#wsFailures = 0;
    this.emit('transport', to);
  }

  // ---- SSE ----------------------------------------------------------------------

  // Opens the event stream for every current subscription, each from its position.
  async #openSse(conn, quiet = false) {
    let token;
    try {
      token = await this.#token();
    } catch (e) {
      this.emit('error', e);
      if (conn === this.#conn) this.#lost({ code: 0, reason: `getToken failed: ${e.message}`, reconnect: true });
      return;
    }
    if (conn !== this.#conn) return;
    const subs = [...this.#subs.values()];
    conn.sent = new Map();
    if (subs.length === 0) { // nothing to receive: no stream needed
      if (!quiet) this.#connected(conn, { transport: 'sse' });
      return;
    }
    const url = new URL(this.#sseUrl);
    const since = [];
    for (const sub of subs) {
      url.searchParams.append('channel', sub.channel);
      if (sub.epoch !== null) since.push(`${sub.channel}:${sub.epoch}:${sub.offset}`);
      conn.sent.set(sub.channel, { sub, hadSince: sub.epoch !== null });
      sub.sentOn = conn.gen;
    }
    if (since.length) url.searchParams.set('since', since.join(','));
    if (token) url.searchParams.set('token', token);
    clearTimeout(conn.timer);
    conn.timer = setTimeout(() => this.#drop(conn, 'event stream did not open in time'), this.#opts.connectTimeout);
    conn.sse = new SseStream(url.href, {
      onOpen: () => {
        clearTimeout(conn.timer);
        conn.opened = true;
        if (!quiet) this.#connected(conn, { transport: 'sse' });
        // subscribed while the request was on its way: reopen with them
        for (const sub of this.#subs.values()) if (sub.sentOn !== conn.gen) this.#restartSse();
      },
      onActivity: () => { if (conn === this.#conn) this.#lastRx = Date.now(); },
      onEvent: (ev) => this.#sseEvent(conn, ev),
      onClose: (err) => this.#sseClosed(conn, err),
    }, this.#opts.fetch);
  }

  #sseEvent(conn, ev) {
    if (conn !== this.#conn) return;
    let data;
    try { data = JSON.parse(ev.data); } catch { return; }
    if (ev.event === 'subscribe') {
      const s = conn.sent.get(data.channel);
      if (s && this.#subs.get(data.channel) === s.sub) this.#subscribed(s.sub, data, s.hadSince);
    } else if (ev.event === 'error') {
      this.emit('error', new HeraldError(data.code, data.message));
    } else if (ev.event === 'disconnect') {
      conn.bye = data;
    } else if (data.type === 'invalidate' && data.offset === undefined) {
      this.#invalidated(data.tags);
    } else {
      this.#publication(data);
    }
  }

  #sseClosed(conn, err) {
    if (conn !== this.#conn) return;
    conn.sse = null;
    // A refused stream names no channel: fail the subscriptions not yet confirmed
    // (the ones that changed the request) and reopen with the others.
    if (err?.status >= 400 && err.status !== 401 && err.status < 500) {
      const fresh = [...conn.sent.values()].filter((s) => s.sub.ready && this.#subs.get(s.sub.channel) === s.sub);
      if (fresh.length > 0) {
        for (const { sub } of fresh) {
          this.#subs.delete(sub.channel);
          sub.ready.reject(new HeraldError(err.code, err.message, { channel: sub.channel }));
        }
        this.#openSse(conn, this.#state === 'connected');
        return;
      }
    }
    this.#teardown(conn);
    const bye = conn.bye;
    if (err?.status === 401) this.#lost({ code: 4001, reason: err.message, reconnect: false });
    else if (bye) this.#lost({ code: bye.code, reason: bye.reason, reconnect: bye.reconnect !== false && !NO_RECONNECT.has(bye.code) });
    else this.#lost({ code: err?.code ?? 1006, reason: err?.message ?? 'event stream ended', reconnect: true }, conn);
  }

  // The channel list changed or a channel needs recovery: reopen the stream (once per
  // tick however many changes), without a state change when it was connected.
  #restartSse() {
    if (this.#restartQueued) return;
    this.#restartQueued = true;
    queueMicrotask(() => {
      this.#restartQueued = false;
      const old = this.#conn;
      if (!old || old.kind !== 'sse' || this.#state !== 'connected') return;
      this.#teardown(old);
      const conn = { gen: ++this.#gen, kind: 'sse', bye: null };
      this.#conn = conn;
      this.#startHeartbeat(conn);
      this.#openSse(conn, true);
    });
  }
}
