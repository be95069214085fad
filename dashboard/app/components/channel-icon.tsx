import type { ChannelType } from '@sapa/shared/models/channel';

/** A small glyph per channel: a speech bubble with a handset (WhatsApp), a paper plane (Telegram), a browser window (web). */
export function ChannelIcon({ type, size = 16 }: { type: ChannelType; size?: number }) {
  const common = { 'aria-hidden': true, viewBox: '0 0 24 24', width: size, height: size, className: `channel-icon channel-icon--${type}` } as const;
  switch (type) {
    case 'whatsapp_cloud':
    case 'whatsapp_baileys':
      return (
        <svg {...common}>
          <path d="M12 3a9 9 0 0 0-7.8 13.5L3 21l4.6-1.2A9 9 0 1 0 12 3z" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinejoin="round" />
          <path d="M9 8.5c0 3.6 2.9 6.5 6.5 6.5l1-1.6-2-1-1 .8a4.2 4.2 0 0 1-2.2-2.2l.8-1-1-2z" fill="currentColor" />
        </svg>
      );
    case 'telegram':
      return (
        <svg {...common}>
          <path d="M21 4 3 11l6 2 2 6 3-4 5 4z" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinejoin="round" />
          <path d="m9 13 8-6" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
        </svg>
      );
    case 'web':
      return (
        <svg {...common}>
          <rect x="3" y="4" width="18" height="16" rx="2" fill="none" stroke="currentColor" strokeWidth="1.8" />
          <path d="M3 8h18" stroke="currentColor" strokeWidth="1.8" />
          <circle cx="6" cy="6" r="0.9" fill="currentColor" />
          <circle cx="8.8" cy="6" r="0.9" fill="currentColor" />
        </svg>
      );
  }
}
