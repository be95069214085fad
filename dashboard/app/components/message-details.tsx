import type { ThreadDetails } from '../lib/message-content.server';
import { useT } from '../lib/root-data';

/** The structured part of a message: location, contact cards, a picked button, a reaction, an unsupported message. */
export function MessageDetails({ details }: { details: ThreadDetails }) {
  const tr = useT();
  return (
    <>
      {details.referral ? (
        <p className="message__referral">
          {details.referral.url ? (
            <a href={details.referral.url} target="_blank" rel="noopener noreferrer">
              {tr('dash.fromAd', { headline: details.referral.headline || details.referral.url })}
            </a>
          ) : (
            tr('dash.fromAd', { headline: details.referral.headline })
          )}
        </p>
      ) : null}
      {details.location ? (
        <div className="message__location" data-testid="message-location">
          <span className="message__location-name">📍 {details.location.name || tr('dash.location')}</span>
          {details.location.address ? <span className="message__location-address">{details.location.address}</span> : null}
          <a href={details.location.mapUrl} target="_blank" rel="noopener noreferrer">
            {tr('dash.openMap')} ({details.location.latitude.toFixed(5)}, {details.location.longitude.toFixed(5)})
          </a>
        </div>
      ) : null}
      {details.contacts.length > 0 ? (
        <ul className="message__contacts" data-testid="message-contacts">
          {details.contacts.map((contact, i) => (
            <li key={i} className="contact-card">
              <span className="contact-card__label">{tr('dash.contactCard')}</span>
              <span className="contact-card__name">{contact.name}</span>
              {contact.phones.map((phone) => (
                <a key={phone} href={`tel:${phone.replace(/[^\d+]/g, '')}`} className="contact-card__phone">
                  {phone}
                </a>
              ))}
            </li>
          ))}
        </ul>
      ) : null}
      {details.choice ? (
        <p className="message__choice" data-testid="message-choice">
          {tr('dash.choice', { title: details.choice.title })}
          {details.choice.description ? <span className="message__choice-description"> — {details.choice.description}</span> : null}
        </p>
      ) : null}
      {details.reaction ? (
        <p className="message__reaction" data-testid="message-reaction">
          {!details.reaction.emoji
            ? tr('dash.reactionRemoved')
            : details.reaction.target
              ? tr('dash.reactedTo', { emoji: details.reaction.emoji, target: shorten(details.reaction.target) })
              : tr('dash.reacted', { emoji: details.reaction.emoji })}
        </p>
      ) : null}
      {details.unsupported ? (
        <p className="message__unsupported" data-testid="message-unsupported">
          {tr('dash.unsupported', { reason: details.unsupported.reason })}
        </p>
      ) : null}
    </>
  );
}

function shorten(text: string, max = 60): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
