/**
 * Filling a WhatsApp template's `{{1}}`…`{{n}}` body placeholders. Shared by the server (the text
 * the inbox stores for a sent template) and the picker's live preview in the browser.
 */
export const TEMPLATE_PLACEHOLDER = /\{\{\s*(\d+)\s*\}\}/g;

/** The body with each placeholder replaced by its parameter; empty or missing ones stay as `{{n}}`. */
export function fillTemplate(body: string, params: readonly string[]): string {
  return body.replace(TEMPLATE_PLACEHOLDER, (whole, n: string) => params[Number(n) - 1] || whole);
}
