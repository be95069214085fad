/**
 * A small Server-Sent Events client for tests: reads a stream with fetch, parses events, and lets a
 * test wait for the event it expects. (Browsers use EventSource; the browser tests cover that.)
 */
export interface SseEvent {
  id: number | null;
  type: string;
  data: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test helper: payloads are asserted by the tests
}

export class SseClient {
  readonly events: SseEvent[] = [];
  private waiters: Array<{ match: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }> = [];
  private readonly controller = new AbortController();
  readonly done: Promise<void>;
  status = 0;

  private constructor(response: Response) {
    this.status = response.status;
    this.done = this.read(response).catch(() => undefined);
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const controller = new AbortController();
    const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
    const client = new SseClient(response);
    client.controller.signal.addEventListener('abort', () => controller.abort());
    return client;
  }

  get lastId(): number | null {
    for (let i = this.events.length - 1; i >= 0; i--) if (this.events[i]!.id !== null) return this.events[i]!.id;
    return null;
  }

  close() {
    this.controller.abort();
  }

  /** Resolve with the first event (already received or future) that matches. */
  waitFor(match: (e: SseEvent) => boolean, timeoutMs = 20_000, what = 'event'): Promise<SseEvent> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`timed out waiting for ${what}; got: ${this.events.map((e) => e.type).join(', ')}`));
      }, timeoutMs);
      const done = (e: SseEvent) => {
        clearTimeout(timer);
        resolve(e);
      };
      this.waiters.push({ match, resolve: done });
    });
  }

  private async read(response: Response) {
    if (!response.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        this.parse(block);
      }
    }
  }

  private parse(block: string) {
    let id: number | null = null;
    let type = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const [field, ...rest] = line.split(':');
      const value = rest.join(':').replace(/^ /, '');
      if (field === 'id') id = Number(value);
      else if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length === 0) return;
    const event: SseEvent = { id, type, data: JSON.parse(data.join('\n')) };
    this.events.push(event);
    for (const w of [...this.waiters]) {
      if (w.match(event)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(event);
      }
    }
  }
}
