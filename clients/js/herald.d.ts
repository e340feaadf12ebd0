// Types of @herald/client (herald.js): the Herald real-time client for browsers and
// Node 20. Hand-written; keep in step with herald.js.

export type ConnectionState = 'connecting' | 'connected' | 'disconnected';
export type Transport = 'websocket' | 'sse';

/** A stream position: the last offset seen on a channel, in an epoch. */
export interface StreamPosition {
  offset: number;
  epoch: string;
}

export interface HeraldOptions {
  /** JWT for the first connection (sent in an `auth` frame; `?token=` over SSE). */
  token?: string;
  /** Called before every later (re)connect (and the first one when `token` is unset). */
  getToken?: () => Promise<string | undefined> | string | undefined;
  /** WebSocket constructor; default globalThis.WebSocket (in Node 20: pass the `ws` package's). */
  WebSocket?: new (url: string) => WebSocketLike;
  /** fetch used by the SSE transport; default globalThis.fetch. */
  fetch?: typeof fetch;
  /** 'auto' (default: WebSocket, SSE after `fallbackAfter` failed attempts), 'websocket' or 'sse'. */
  transport?: 'auto' | Transport;
  /** Consecutive WebSocket attempts that never opened before falling back to SSE; default 3. */
  fallbackAfter?: number;
  /** On the SSE fallback of 'auto': how often to check whether WebSocket works again, ms; default 60000. */
  probeInterval?: number;
  /** The SSE endpoint; default: the WebSocket URL with http(s) and /sse instead of /ws. */
  sseUrl?: string;
  /** Reply timeout of requests, ms; default 5000. */
  timeout?: number;
  /** From opening a connection to the welcome (or the SSE response), ms; default 10000. */
  connectTimeout?: number;
  /** Seconds; used until a welcome says otherwise, and by SSE (match the server's); default 25. */
  pingInterval?: number;
  /** How long an app-level heartbeat ping may take, ms; default: one ping interval. */
  pingTimeout?: number;
  /** Reconnect delays (ms): capped exponential backoff with jitter; defaults 500, 30000, 2, 0.5. */
  backoff?: { min?: number; max?: number; factor?: number; jitter?: number };
}

/** The subset of the WHATWG WebSocket the client uses (the `ws` package fits). */
export interface WebSocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: any) => void) | null;
  onmessage: ((ev: { data: any }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: any) => void) | null;
}

export interface SubscribeResult extends StreamPosition {
  channel: string;
  /** True when a `since` position was honoured: the missed messages follow. */
  recovered: boolean;
}

/** After every resubscription with `since`; recovered:false means: refetch your state. */
export interface RecoveryEvent extends SubscribeResult {}

/**
 * A channel message. `offset` and `epoch` are absent only on plain Redis Pub/Sub
 * messages (`PUBLISH ws:<channel>` with the Redis engine): at most once, no history.
 */
export interface MessageFrame<T = unknown> {
  type: 'message';
  channel: string;
  offset?: number;
  epoch?: string;
  data: T;
}

export interface DisconnectInfo {
  code: number;
  reason: string;
  reconnect: boolean;
}

export interface SubscribeOptions {
  /** Start from this position (e.g. a persisted one): messages after it are replayed. */
  since?: StreamPosition;
  /** Called on each resubscription with `since` (after reconnects and gaps). */
  onRecovery?: (event: RecoveryEvent) => void;
}

export interface HeraldEvents {
  state: ConnectionState;
  connecting: { transport: Transport; attempt: number };
  connected: { transport: Transport; client?: string; user?: string };
  disconnected: DisconnectInfo;
  message: MessageFrame;
  recovery: RecoveryEvent;
  invalidate: { tags: string[] };
  transport: Transport;
  error: Error;
}

/**
 * `code` is the server's (400, 401, 403, 404, 429, 500, 503, 4001, 4003, ...) or the
 * client's: 'timeout', 'disconnected', 'closed', 'unsupported' (sends over SSE),
 * 'unsubscribed' (unsubscribe() before the subscription was confirmed).
 */
export class HeraldError extends Error {
  constructor(code: number | string, message: string, extra?: object);
  code: number | string;
  /** Set on subscription failures. */
  channel?: string;
}

export class Backoff {
  constructor(options?: { min?: number; max?: number; factor?: number; jitter?: number });
  readonly attempt: number;
  next(): number;
  reset(): void;
}

export class HeraldClient {
  constructor(url: string, options?: HeraldOptions);
  readonly state: ConnectionState;
  readonly transport: Transport;

  on<K extends keyof HeraldEvents>(event: K, fn: (value: HeraldEvents[K]) => void): () => void;
  off<K extends keyof HeraldEvents>(event: K, fn: (value: HeraldEvents[K]) => void): void;

  connect(): Promise<void>;
  close(): void;

  subscribe<T = any>(channel: string, onMessage?: ((data: T, frame: MessageFrame<T>) => void) | null,
    options?: SubscribeOptions): Promise<SubscribeResult>;
  unsubscribe(channel: string, onMessage?: Function): Promise<void>;
  joinRoom<T = any>(room: string, onMessage?: ((data: T, frame: MessageFrame<T>) => void) | null,
    options?: SubscribeOptions): Promise<SubscribeResult>;
  leaveRoom(room: string, onMessage?: Function): Promise<void>;

  publish(channel: string, data: unknown, options?: { timeout?: number }): Promise<StreamPosition>;
  presence(channel: string, options?: { timeout?: number }): Promise<{ count: number }>;
  history<T = any>(channel: string, options?: { since?: StreamPosition; limit?: number; timeout?: number }):
    Promise<{ messages: { offset: number; data: T }[] } & StreamPosition>;
  ping(options?: { timeout?: number }): Promise<{}>;

  /** The last position seen on a subscribed channel (persist it; pass it back as `since`). */
  position(channel: string): StreamPosition | null;

  /** Watches cache tags (channels `tag:<tag>`); the returned function stops watching. */
  onInvalidate(tags: string[], fn: (tags: string[]) => void): (() => void) & { ready: Promise<void> };
}
