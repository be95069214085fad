/**
 * The widget's whole stylesheet, inside its shadow root. Host-page selectors cannot reach shadow
 * content, but inherited properties (font, colour, line-height…) still flow in through the host
 * element, so `:host` resets everything with `!important`: in the cascade an important shadow
 * declaration beats even an important declaration from the page. Every inherited property the
 * widget relies on is then set again explicitly. Sizes are px, never rem, because a page's
 * `html { font-size }` would scale rem.
 */
const ACCENT = '#0f766e';
const ACCENT_DARK = '#115e59';
const TEXT = '#1f2937';
const MUTED = '#6b7280';
const LINE = '#e5e7eb';
/** Just under the maximum, leaving room for a site's own critical overlays (cookie walls, etc.). */
const Z_INDEX = 2147483000;

export const WIDGET_CSS = `
:host {
  all: initial !important;
  display: block !important;
  position: static !important;
  width: 0 !important;
  height: 0 !important;
}
[hidden] { display: none !important; }
/* Type selectors only: (0,0,1) specificity, so every component rule below wins over them. */
*, *::before, *::after {
  box-sizing: border-box;
  margin: 0;
  padding: 0;
  border: 0 solid ${LINE};
}
.sapa-root {
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif;
  font-size: 14px;
  font-weight: 400;
  font-style: normal;
  line-height: 1.45;
  letter-spacing: normal;
  text-align: left;
  text-transform: none;
  color: ${TEXT};
  -webkit-font-smoothing: antialiased;
}
button, textarea, a {
  font: inherit;
  color: inherit;
}
button { cursor: pointer; background: transparent; display: inline-flex; align-items: center; justify-content: center; }
:focus-visible { outline: 2px solid ${ACCENT}; outline-offset: 2px; }

.sapa-launcher {
  position: fixed;
  bottom: 20px;
  right: 20px;
  z-index: ${Z_INDEX};
  width: 56px;
  height: 56px;
  border-radius: 50%;
  background: ${ACCENT};
  color: #ffffff;
  box-shadow: 0 6px 20px rgba(0, 0, 0, 0.25);
  transition: transform 0.15s ease;
}
.sapa-launcher:hover { background: ${ACCENT_DARK}; transform: scale(1.05); }
.sapa-launcher svg { width: 28px; height: 28px; display: block; fill: currentColor; }
.sapa-root[data-position="left"] .sapa-launcher { right: auto; left: 20px; }
.sapa-badge {
  position: absolute;
  top: -2px;
  right: -2px;
  min-width: 20px;
  height: 20px;
  padding: 0 6px;
  border-radius: 10px;
  background: #dc2626;
  color: #ffffff;
  font-size: 12px;
  font-weight: 700;
  line-height: 20px;
  text-align: center;
}

.sapa-panel {
  position: fixed;
  bottom: 88px;
  right: 20px;
  z-index: ${Z_INDEX};
  width: 380px;
  height: 560px;
  max-width: calc(100vw - 40px);
  max-height: calc(100vh - 108px);
  display: flex;
  flex-direction: column;
  overflow: hidden;
  border-radius: 16px;
  background: #ffffff;
  box-shadow: 0 12px 40px rgba(0, 0, 0, 0.25);
}
.sapa-root[data-position="left"] .sapa-panel { right: auto; left: 20px; }

.sapa-header {
  display: flex;
  align-items: center;
  gap: 8px;
  padding: 12px 12px 12px 16px;
  background: ${ACCENT};
  color: #ffffff;
}
.sapa-heading { flex: 1; min-width: 0; }
.sapa-title { font-size: 16px; font-weight: 700; }
.sapa-subtitle { font-size: 12px; opacity: 0.85; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.sapa-lang {
  height: 28px;
  padding: 0 10px;
  border: 1px solid rgba(255, 255, 255, 0.6);
  border-radius: 14px;
  font-size: 12px;
}
.sapa-close { width: 32px; height: 32px; border-radius: 16px; font-size: 22px; line-height: 1; }
.sapa-lang:hover, .sapa-close:hover { background: rgba(255, 255, 255, 0.15); }

.sapa-banner, .sapa-notice {
  padding: 6px 12px;
  font-size: 12px;
  text-align: center;
}
.sapa-banner { background: #fef3c7; color: #92400e; }
.sapa-notice { background: #fee2e2; color: #991b1b; }

.sapa-messages {
  flex: 1;
  overflow-y: auto;
  overscroll-behavior: contain;
  display: flex;
  flex-direction: column;
  gap: 8px;
  padding: 12px;
  background: #f6f7f9;
}
.sapa-msg, .sapa-greeting {
  max-width: 82%;
  padding: 8px 12px;
  border-radius: 14px;
  align-self: flex-start;
  background: #ffffff;
  border-width: 1px;
  border-style: solid;
}
.sapa-msg[data-author="customer"] {
  align-self: flex-end;
  background: ${ACCENT};
  border-color: ${ACCENT};
  color: #ffffff;
}
.sapa-msg[data-author="system"] {
  align-self: center;
  max-width: 92%;
  background: transparent;
  border-width: 0;
  color: ${MUTED};
  font-size: 12px;
  text-align: center;
}
.sapa-msg[data-delivery="sending"] { opacity: 0.7; }
.sapa-msg[data-delivery="failed"], .sapa-msg[data-delivery="rejected"] { background: #fff1f2; border-color: #fecdd3; color: ${TEXT}; }
.sapa-author { font-size: 12px; font-weight: 600; color: ${ACCENT_DARK}; margin-bottom: 2px; }
.sapa-text { white-space: pre-wrap; overflow-wrap: anywhere; word-break: break-word; }
.sapa-citations { margin-top: 6px; padding-top: 6px; border-top-width: 1px; font-size: 12px; color: ${MUTED}; }
.sapa-citations ol { padding-left: 18px; }
.sapa-citations a { color: ${ACCENT_DARK}; text-decoration: underline; overflow-wrap: anywhere; }
.sapa-status { margin-top: 4px; font-size: 12px; color: #b91c1c; text-align: left; }
.sapa-retry { text-decoration: underline; color: #b91c1c; }

.sapa-typing { padding: 4px 16px; font-size: 12px; color: ${MUTED}; font-style: italic; background: #f6f7f9; }

.sapa-composer {
  display: flex;
  align-items: flex-end;
  gap: 8px;
  padding: 10px;
  border-top-width: 1px;
  background: #ffffff;
}
.sapa-input {
  flex: 1;
  min-height: 40px;
  max-height: 120px;
  padding: 9px 12px;
  border-width: 1px;
  border-color: #d1d5db;
  border-radius: 10px;
  background: #ffffff;
  resize: none;
  overflow-y: auto;
  outline: none;
}
.sapa-input:focus { border-color: ${ACCENT}; }
.sapa-input:disabled { background: #f3f4f6; }
.sapa-send {
  height: 40px;
  padding: 0 16px;
  border-radius: 10px;
  background: ${ACCENT};
  color: #ffffff;
  font-weight: 600;
}
.sapa-send:hover { background: ${ACCENT_DARK}; }
.sapa-send:disabled { opacity: 0.5; cursor: default; }
.sapa-counter { align-self: center; font-size: 11px; color: ${MUTED}; }

@media (max-width: 479px) {
  .sapa-panel, .sapa-root[data-position="left"] .sapa-panel {
    top: 0;
    left: 0;
    right: 0;
    bottom: 0;
    width: 100%;
    height: 100%;
    max-width: none;
    max-height: none;
    border-radius: 0;
  }
  /* iOS zooms the page into any input whose text is smaller than 16px. */
  .sapa-input { font-size: 16px; }
}
@media (prefers-reduced-motion: reduce) {
  .sapa-launcher { transition: none; }
}
`;
