/**
 * WhatsApp Web's pairing QR, drawn on the server as an SVG image. Rendering it server-side means
 * the QR shows (and refreshes, with the page) without JavaScript, and no QR library ships to the
 * browser. A data URI in an <img> keeps the markup inert: nothing from the payload becomes HTML.
 */
import QRCode from 'qrcode';

export async function qrDataUri(payload: string): Promise<string> {
  // 'M' error correction survives a phone camera pointed at a laptop screen; margin 2 is the quiet zone.
  const svg = await QRCode.toString(payload, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}
