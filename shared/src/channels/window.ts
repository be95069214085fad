/**
 * WhatsApp's customer-service window: free-form messages may reach a customer only this long
 * (`WHATSAPP_WINDOW_MS`, 24 h) after their last message; after it, only an approved template.
 * One rule for the sender (which refuses before calling Meta) and the inbox (which offers templates).
 */
export function whatsappWindowOpen(lastCustomerMessageAt: Date | string | null | undefined, windowMs: number, now = Date.now()): boolean {
  if (!lastCustomerMessageAt) return false;
  return now - new Date(lastCustomerMessageAt).getTime() < windowMs;
}
