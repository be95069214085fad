import { useEffect, useRef } from 'react';
import type { ThreadMessage } from '../lib/inbox.server';
import { useT } from '../lib/root-data';
import { MessageDetails } from './message-details';
import { MessageMedia } from './message-media';
import { MessageStatusLine } from './message-status';

/** The messages of a conversation, oldest first, kept scrolled to the newest. */
export function Thread({ messages, contactName }: { messages: ThreadMessage[]; contactName: string }) {
  const tr = useT();
  const scroller = useRef<HTMLDivElement>(null);
  const newestId = messages.at(-1)?.id;

  useEffect(() => {
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [newestId]);

  const authorLabel = (author: ThreadMessage['author'], authorName: string) => {
    if (author === 'customer') return contactName;
    if (author === 'agent' && authorName) return `${tr('dash.author.agent')} · ${authorName}`;
    return tr(`dash.author.${author}`);
  };

  return (
    <div className="thread-scroller" ref={scroller}>
      {messages.length === 0 ? <p className="thread__empty">{tr('dash.noMessages')}</p> : null}
      <ol className="thread" data-testid="thread">
        {messages.map((m) => (
          <li
            key={m.id}
            className={`message message--${m.author}`}
            data-testid="message"
            data-author={m.author}
            data-kind={m.kind}
            data-message-id={m.id}
          >
            <div className="message__bubble">
              <p className="message__meta">
                <span className="message__author">{authorLabel(m.author, m.authorName)}</span>
                {m.details.forwarded ? (
                  <span className="message__flag" data-testid="message-forwarded">
                    {tr(m.details.forwarded === 'frequently_forwarded' ? 'dash.frequentlyForwarded' : 'dash.forwarded')}
                  </span>
                ) : null}
                <time className="message__time" dateTime={m.createdAt}>
                  {m.timeLabel}
                </time>
                {m.details.edited ? (
                  <span className="message__flag" data-testid="message-edited">
                    {tr('dash.edited')}
                  </span>
                ) : null}
                {m.direction === 'outbound' && m.status !== 'failed' ? (
                  <MessageStatusLine status={m.status} errorCode={m.errorCode} error={m.error} />
                ) : null}
              </p>
              {m.media ? <MessageMedia media={m.media} /> : null}
              <MessageDetails details={m.details} />
              {m.text ? <p className="message__text">{m.text}</p> : null}
              {m.citations.length > 0 ? (
                <div className="message__sources">
                  <span className="message__sources-label">{tr('dash.sources')}</span>
                  <ul>
                    {m.citations.map((c, i) => (
                      <li key={i}>
                        {c.url ? (
                          <a href={c.url} target="_blank" rel="noopener noreferrer">
                            {c.title || c.url}
                          </a>
                        ) : (
                          c.title
                        )}
                      </li>
                    ))}
                  </ul>
                </div>
              ) : null}
              {m.status === 'failed' ? <MessageStatusLine status={m.status} errorCode={m.errorCode} error={m.error} /> : null}
            </div>
          </li>
        ))}
      </ol>
    </div>
  );
}
