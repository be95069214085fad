/**
 * Client message ids: the server's dedupe key for a send, so a retry after a lost response stores
 * nothing twice. crypto.randomUUID exists only in secure contexts of recent browsers, and shops do
 * still run plain-http sites; getRandomValues is available everywhere the widget runs.
 */
export function newClientMessageId(): string {
  const c = window.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  const bytes = new Uint8Array(16);
  c.getRandomValues(bytes);
  // RFC 4122 version 4 layout, so ids look the same whichever path made them.
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
