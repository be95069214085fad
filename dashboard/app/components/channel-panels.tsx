/**
 * The body of a channel's page, one panel per channel type: what identifies the channel, where
 * its webhooks go, its credentials (masked), and the forms that change them.
 */
import { Form } from '@remix-run/react';
import type { ChannelDetails, ChannelHeader } from '../lib/channels.server';
import type { FieldErrors } from '../lib/forms.server';
import { useT } from '../lib/root-data';
import { CopyButton } from './copy-button';
import { CsrfInput } from './csrf-input';
import { FormAlert } from './channel-form';
import { FormField } from './form-field';
import { ValueRow } from './value-row';

/** What the page's last rejected form said, for the form with that intent. */
export interface PanelResult {
  intent: string;
  fieldErrors: FieldErrors;
  /** What was typed into a rejected form, put back (never secrets). */
  values?: Record<string, string>;
}

interface PanelProps<T> {
  channel: ChannelHeader;
  details: T;
  result: PanelResult | undefined;
  busy: boolean;
}

type Details<K extends ChannelDetails['type']> = Extract<ChannelDetails, { type: K }>;

function errorsFor(result: PanelResult | undefined, intent: string): FieldErrors | undefined {
  return result?.intent === intent ? result.fieldErrors : undefined;
}

/** Secret inputs: never filled in by the page, never remembered by the browser. */
const secretInput = { type: 'password', autoComplete: 'off', spellCheck: false } as const;

export function WhatsappCloudPanel({ details, result, busy }: PanelProps<Details<'whatsapp_cloud'>>) {
  const tr = useT();
  const errors = errorsFor(result, 'updateCredentials');
  const hasCredentials = details.accessTokenMasked !== null;
  return (
    <>
      <section className="channel-section">
        <dl className="value-list">
          {details.displayPhoneNumber ? <ValueRow label={tr('dash.displayPhoneNumber')} value={details.displayPhoneNumber} /> : null}
          <ValueRow label={tr('dash.phoneNumberId')} value={details.phoneNumberId} testId="phone-number-id" />
          <ValueRow label={tr('dash.wabaId')} value={details.wabaId} />
        </dl>
      </section>
      <section className="channel-section" aria-labelledby="webhook-title">
        <h2 className="channel-section__title" id="webhook-title">
          Webhook
        </h2>
        <p className="channel-section__help">{tr('dash.webhookHelp')}</p>
        <dl className="value-list">
          <ValueRow label={tr('dash.webhookUrl')} value={details.webhookUrl} copy testId="webhook-url" />
          {details.verifyToken ? <ValueRow label={tr('dash.verifyToken')} value={details.verifyToken} copy testId="verify-token" /> : null}
        </dl>
      </section>
      <section className="channel-section" aria-labelledby="credentials-title">
        <h2 className="channel-section__title" id="credentials-title">
          {tr('dash.credentials')}
        </h2>
        {hasCredentials ? (
          <>
            <p className="channel-section__help">{tr('dash.credentialsMaskedNote')}</p>
            <dl className="value-list">
              <ValueRow label={tr('dash.accessToken')} value={details.accessTokenMasked ?? ''} testId="access-token-masked" />
              <ValueRow label={tr('dash.appSecret')} value={details.appSecretMasked ?? ''} />
            </dl>
          </>
        ) : (
          <p className="channel-section__help">{tr('dash.noCredentials')}</p>
        )}
        <details className="credentials-form" open={Boolean(errors) || !hasCredentials}>
          <summary className="button button--secondary">{tr('dash.updateCredentials')}</summary>
          <Form method="post" className="stack credentials-form__body" data-testid="update-credentials-form">
            <CsrfInput />
            <input type="hidden" name="intent" value="updateCredentials" />
            <FormAlert errors={errors} />
            <FormField
              label={tr('dash.accessToken')}
              name="accessToken"
              {...secretInput}
              required={!hasCredentials}
              hint={hasCredentials ? tr('dash.keepBlankHint') : undefined}
              error={errors?.accessToken}
            />
            <FormField
              label={tr('dash.appSecret')}
              name="appSecret"
              {...secretInput}
              required={!hasCredentials}
              hint={hasCredentials ? tr('dash.keepBlankHint') : undefined}
              error={errors?.appSecret}
            />
            <FormField
              label={tr('dash.verifyToken')}
              name="verifyToken"
              autoComplete="off"
              hint={hasCredentials ? tr('dash.keepBlankHint') : tr('dash.verifyTokenHint')}
              error={errors?.verifyToken}
            />
            <button type="submit" className="button button--primary" disabled={busy}>
              {tr('dash.saveCredentials')}
            </button>
          </Form>
        </details>
      </section>
    </>
  );
}

export function TelegramPanel({ details, result, busy }: PanelProps<Details<'telegram'>>) {
  const tr = useT();
  const errors = errorsFor(result, 'updateCredentials');
  const hasCredentials = details.botTokenMasked !== null;
  return (
    <>
      <section className="channel-section">
        <dl className="value-list">
          {details.username ? <ValueRow label={tr('dash.botUsername')} value={`@${details.username}`} testId="bot-username" /> : null}
          <ValueRow label="Bot ID" value={details.botId} />
          <ValueRow label={tr('dash.webhookUrl')} value={details.webhookUrl} testId="webhook-url" />
          <ValueRow label={tr('dash.botToken')} value={details.botTokenMasked ?? tr('dash.noCredentials')} testId="bot-token-masked" />
        </dl>
        {hasCredentials ? <p className="channel-section__help">{tr('dash.credentialsMaskedNote')}</p> : null}
      </section>
      <section className="channel-section">
        <details className="credentials-form" open={Boolean(errors) || !hasCredentials}>
          <summary className="button button--secondary">{tr('dash.updateCredentials')}</summary>
          <Form method="post" className="stack credentials-form__body" data-testid="update-credentials-form">
            <CsrfInput />
            <input type="hidden" name="intent" value="updateCredentials" />
            <FormAlert errors={errors} />
            <FormField label={tr('dash.botToken')} name="botToken" {...secretInput} required error={errors?.botToken} />
            <button type="submit" className="button button--primary" disabled={busy}>
              {tr('dash.saveCredentials')}
            </button>
          </Form>
        </details>
      </section>
    </>
  );
}

export function WhatsappWebPanel({ channel, details, result, busy, baileysEnabled }: PanelProps<Details<'whatsapp_baileys'>> & { baileysEnabled: boolean }) {
  const tr = useT();
  const errors = errorsFor(result, 'repair');
  const status = channel.health.status;
  const waiting = status === 'pairing' || status === 'connecting';
  return (
    <>
      {!baileysEnabled ? <p className="alert alert--error">{tr('dash.baileysDisabled')}</p> : null}
      {waiting ? (
        // Without JavaScript nothing pushes a fresh QR into the page, so the page reloads itself.
        <noscript>
          <meta httpEquiv="refresh" content="5" />
        </noscript>
      ) : null}
      {status === 'pairing' ? (
        <section className="channel-section pairing" data-testid="pairing">
          {details.qrImage ? (
            <>
              <img src={details.qrImage} alt={tr('dash.pairingQrAlt')} className="pairing__qr" width={264} height={264} data-testid="pairing-qr" />
              <p className="channel-section__help">{tr('dash.whatsappWebHelp')}</p>
            </>
          ) : details.pairingCode ? (
            <>
              <p className="pairing__code" data-testid="pairing-code">
                {details.pairingCode.length === 8 ? `${details.pairingCode.slice(0, 4)}-${details.pairingCode.slice(4)}` : details.pairingCode}
              </p>
              <p className="channel-section__help">{tr('dash.pairingCodeHelp')}</p>
            </>
          ) : (
            <p className="channel-section__help" data-testid="pairing-waiting">
              {tr('dash.pairingWaiting')}
            </p>
          )}
        </section>
      ) : null}
      {details.phoneNumber ? (
        <section className="channel-section">
          <dl className="value-list">
            <ValueRow label={tr('dash.pairedNumber')} value={`+${details.phoneNumber}`} testId="paired-number" />
          </dl>
        </section>
      ) : null}
      <section className="channel-section">
        <p className="channel-section__help">{tr('dash.whatsappWebRisk')}</p>
        <Form method="post" className="stack repair-form">
          <CsrfInput />
          <input type="hidden" name="intent" value="repair" />
          <FormAlert errors={errors} />
          <FormField
            label={tr('dash.pairingPhone')}
            name="phoneNumber"
            inputMode="tel"
            autoComplete="tel"
            hint={tr('dash.pairingPhoneHint')}
            defaultValue={details.pairingPhoneNumber}
            error={errors?.phoneNumber}
          />
          <button type="submit" className="button button--secondary" disabled={busy}>
            {tr('dash.repair')}
          </button>
        </Form>
      </section>
    </>
  );
}

export function WebWidgetPanel({ details, result, busy, saved }: PanelProps<Details<'web'>> & { saved: boolean }) {
  const tr = useT();
  const errors = errorsFor(result, 'saveOrigins');
  const rejected = result?.intent === 'saveOrigins' ? result.values?.allowedOrigins : undefined;
  return (
    <>
      <section className="channel-section" aria-labelledby="snippet-title">
        <h2 className="channel-section__title" id="snippet-title">
          {tr('dash.widgetSnippet')}
        </h2>
        <p className="channel-section__help">{tr('dash.snippetHelp')}</p>
        <div className="snippet">
          <pre className="snippet__code">
            <code data-testid="widget-snippet">{details.snippet}</code>
          </pre>
          <CopyButton text={details.snippet} />
        </div>
        <dl className="value-list">
          <ValueRow label={tr('dash.publicId')} value={details.publicId} />
        </dl>
      </section>
      <section className="channel-section" aria-labelledby="origins-title">
        <h2 className="channel-section__title" id="origins-title">
          {tr('dash.allowedOrigins')}
        </h2>
        <Form method="post" className="stack" data-testid="origins-form">
          <CsrfInput />
          <input type="hidden" name="intent" value="saveOrigins" />
          {saved && !errors ? (
            <p className="alert alert--success" role="status" data-testid="saved">
              {tr('dash.saved')}
            </p>
          ) : null}
          <label className="field">
            <span className="field__label">{tr('dash.allowedOrigins')}</span>
            <textarea
              name="allowedOrigins"
              className="field__input origins-input"
              rows={4}
              spellCheck={false}
              placeholder="https://toko-anda.com"
              defaultValue={rejected ?? details.allowedOrigins.join('\n')}
              aria-invalid={errors?.allowedOrigins ? true : undefined}
              key={details.allowedOrigins.join('\n')}
            />
            <span className="field__hint">{tr('dash.allowedOriginsHint')}</span>
            {errors?.allowedOrigins ? (
              <span className="field__error" data-testid="origins-error">
                {errors.allowedOrigins}
              </span>
            ) : null}
          </label>
          <button type="submit" className="button button--primary" disabled={busy}>
            {tr('dash.save')}
          </button>
        </Form>
      </section>
      <section className="channel-section" aria-labelledby="preview-title">
        <h2 className="channel-section__title" id="preview-title">
          {tr('dash.preview')}
        </h2>
        <p className="channel-section__help">
          {tr('dash.previewHint')}{' '}
          <a href={details.previewUrl} target="_blank" rel="noopener noreferrer">
            {tr('dash.openPreview')}
          </a>
        </p>
        {/* The demo page lives on the gateway's origin, so the widget in it talks to its own API. */}
        <iframe
          src={details.previewUrl}
          title={tr('dash.preview')}
          className="widget-preview"
          loading="lazy"
          sandbox="allow-scripts allow-same-origin allow-forms allow-popups"
          data-testid="widget-preview"
        />
      </section>
    </>
  );
}
