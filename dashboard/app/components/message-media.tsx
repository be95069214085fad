import type { ThreadMedia } from '../lib/message-content.server';
import { useT } from '../lib/root-data';

/**
 * An attachment in the thread, loaded from /media/:messageId (the signed-in workspace's files
 * only). Until the file is in Sapa's store it says why it is not there yet (or will not be).
 */
export function MessageMedia({ media }: { media: ThreadMedia }) {
  const tr = useT();
  if (!media.url) {
    const note = media.state === 'too_large' ? tr('dash.media.too_large') : media.state === 'failed' ? tr('dash.media.failed') : tr('dash.media.pending');
    return (
      <p className={`message__media-note message__media-note--${media.state}`} data-testid="media-note" data-state={media.state}>
        {note}
      </p>
    );
  }
  const name = media.fileName || tr(`dash.media.kind.${mediaKindKey(media.kind)}`);
  switch (media.kind) {
    case 'image':
    case 'sticker':
      return (
        <a href={media.url} target="_blank" rel="noopener noreferrer" className="message__media-link">
          <img
            src={media.url}
            alt={tr(`dash.media.kind.${mediaKindKey(media.kind)}`)}
            className={`message__image${media.kind === 'sticker' ? ' message__image--sticker' : ''}`}
            loading="lazy"
            data-testid="media-image"
          />
        </a>
      );
    case 'audio':
    case 'voice':
      return (
        <figure className="message__audio">
          {media.kind === 'voice' ? <figcaption className="message__media-caption">{tr('dash.media.kind.voice')}</figcaption> : null}
          <audio controls preload="none" src={media.url} data-testid="media-audio" />
        </figure>
      );
    case 'video':
      return <video controls preload="metadata" src={media.url} className="message__video" data-testid="media-video" />;
    default:
      return (
        <a href={media.url} className="message__document" download={media.fileName || undefined} data-testid="media-document">
          <svg aria-hidden="true" viewBox="0 0 24 24" width="18" height="18">
            <path d="M6 3h8l4 4v14H6z M14 3v4h4" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinejoin="round" />
          </svg>
          {tr('dash.media.download', { name })}
        </a>
      );
  }
}

/** Kinds with their own label; anything else reads as a file. */
function mediaKindKey(kind: string): 'image' | 'sticker' | 'audio' | 'voice' | 'video' | 'document' {
  return kind === 'image' || kind === 'sticker' || kind === 'audio' || kind === 'voice' || kind === 'video' ? kind : 'document';
}
