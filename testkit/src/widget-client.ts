/** Talks to the gateway's widget API the way the widget does (docs/widget-api.md). */
import { randomUUID } from 'node:crypto';
import { SseClient } from './sse';

export class WidgetClient {
  visitorId = '';
  token = '';
  lastEventId = 0;

  constructor(
    readonly gatewayUrl: string,
    readonly publicId: string,
    readonly origin?: string,
  ) {}

  get base() {
    return `${this.gatewayUrl}/v1/widget/${this.publicId}`;
  }

  private headers(extra: Record<string, string> = {}) {
    return { 'content-type': 'application/json', ...(this.origin ? { origin: this.origin } : {}), ...extra };
  }

  async session(body: Record<string, unknown> = {}) {
    const res = await fetch(`${this.base}/session`, {
      method: 'POST',
      headers: this.headers(),
      body: JSON.stringify({ ...(this.visitorId ? { visitorId: this.visitorId, token: this.token } : {}), ...body }),
    });
    const json = await res.json();
    if (res.ok) {
      this.visitorId = json.visitorId;
      this.token = json.token;
      this.lastEventId = json.lastEventId;
    }
    return { status: res.status, body: json };
  }

  async send(text: string, clientMessageId: string = randomUUID()) {
    const res = await fetch(`${this.base}/messages`, {
      method: 'POST',
      headers: this.headers({ 'x-visitor-id': this.visitorId, 'x-visitor-token': this.token }),
      body: JSON.stringify({ clientMessageId, text }),
    });
    return { status: res.status, body: await res.json(), clientMessageId };
  }

  stream(lastEventId: number | null = this.lastEventId) {
    const q = new URLSearchParams({ visitorId: this.visitorId, token: this.token });
    if (lastEventId !== null) q.set('lastEventId', String(lastEventId));
    return SseClient.open(`${this.base}/stream?${q}`, this.origin ? { origin: this.origin } : {});
  }
}
