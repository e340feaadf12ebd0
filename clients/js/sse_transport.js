// Server-Sent Events over fetch streaming, for the Herald client's receive-only
// fallback. One code path for browsers and Node 20 (which has fetch but no
// EventSource); unlike EventSource it reports the HTTP status and error body of a
// refused stream, and leaves reconnection to the caller, who knows the positions.

/**
 * One event stream: GET `url`, parse `text/event-stream`, call back per event.
 * It does not reconnect: when it ends, onClose is called once and it is done.
 */
export class SseStream {
  #controller = new AbortController();
  #closed = false;

  /**
   * @param {string} url the full /sse URL (channels, since, token in the query)
   * @param {object} handlers
   * @param {(status: number) => void} handlers.onOpen the server accepted the stream (HTTP 2xx)
   * @param {(event: {event: string, data: string, id: string|null}) => void} handlers.onEvent
   * @param {() => void} [handlers.onActivity] any bytes arrived (comments/pings included)
   * @param {(error: Error|null) => void} handlers.onClose the stream ended (null: ended cleanly);
   *   an HTTP refusal gives an Error with `status`, `code` and `message` from the JSON body
   * @param {typeof fetch} [fetchImpl]
   */
  constructor(url, { onOpen, onEvent, onActivity = () => {}, onClose }, fetchImpl = globalThis.fetch) {
    this.url = url;
    this.#run(fetchImpl, { onOpen, onEvent, onActivity, onClose });
  }

  /** Ends the stream; no callback is called after this. */
  close() {
    this.#closed = true;
    this.#controller.abort();
  }

  async #run(fetchImpl, { onOpen, onEvent, onActivity, onClose }) {
    let error = null;
    try {
      const res = await fetchImpl(this.url, {
        headers: { accept: 'text/event-stream' },
        cache: 'no-store',
        signal: this.#controller.signal,
      });
      if (!res.ok) {
        const text = await res.text().catch(() => '');
        let body = null;
        try { body = JSON.parse(text); } catch { /* not JSON */ }
        error = new Error(body?.error?.message ?? `HTTP ${res.status}`);
        error.status = res.status;
        error.code = body?.error?.code ?? res.status;
      } else if (!this.#closed) {
        onOpen(res.status);
        await this.#read(res.body.getReader(), onEvent, onActivity);
      }
    } catch (e) {
      error = e;
    }
    if (!this.#closed) {
      this.#closed = true;
      onClose(error);
    }
  }

  // The event-stream format: lines "field: value", an empty line ends an event,
  // lines starting with ':' are comments (the server's keep-alive pings).
  async #read(reader, onEvent, onActivity) {
    const decoder = new TextDecoder();
    let buffer = '';
    let event = { event: '', data: [], id: null };
    for (;;) {
      const { value, done } = await reader.read();
      if (done || this.#closed) return;
      onActivity();
      buffer += decoder.decode(value, { stream: true });
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        let line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.endsWith('\r')) line = line.slice(0, -1);
        if (line === '') {
          if (event.data.length > 0) {
            onEvent({ event: event.event || 'message', data: event.data.join('\n'), id: event.id });
            if (this.#closed) return;
          }
          event = { event: '', data: [], id: null };
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'data') event.data.push(value);
        else if (field === 'event') event.event = value;
        else if (field === 'id') event.id = value;
      }
    }
  }
}
