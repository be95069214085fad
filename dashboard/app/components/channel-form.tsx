import { Link } from '@remix-run/react';
import type { FieldErrors } from '../lib/forms.server';
import { useT } from '../lib/root-data';
import { CsrfInput } from './csrf-input';
import { FormField } from './form-field';

/** The frame of a "connect a channel" page: a way back, the title, what to do, then the form. */
export function ChannelFormPage({ title, help, children }: { title: string; help: React.ReactNode; children: React.ReactNode }) {
  const tr = useT();
  return (
    <div className="channel-page">
      <Link to="/channels" className="channel-page__back">
        ← {tr('dash.backToChannels')}
      </Link>
      <section className="card channel-card">
        <h1 className="channel-card__title">{title}</h1>
        <div className="channel-card__help">{help}</div>
        {children}
      </section>
    </div>
  );
}

/** A form-wide error (the provider refused, a conflict) above the fields. */
export function FormAlert({ errors }: { errors: FieldErrors | undefined }) {
  if (!errors?.form) return null;
  return (
    <p className="alert alert--error" role="alert" data-testid="form-error">
      {errors.form}
    </p>
  );
}

/** Which chatbot answers on the new channel; only asked when the workspace has more than one. */
export function ChatbotSelect({ chatbots, defaultValue }: { chatbots: Array<{ id: string; name: string }>; defaultValue?: string }) {
  const tr = useT();
  if (chatbots.length <= 1) return chatbots[0] ? <input type="hidden" name="chatbotId" value={chatbots[0].id} /> : null;
  return (
    <label className="field">
      <span className="field__label">{tr('dash.chatbot')}</span>
      <select name="chatbotId" className="field__input" defaultValue={defaultValue ?? chatbots[0]!.id}>
        {chatbots.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * What every new-channel form starts with: the CSRF token, the channel id made when the page was
 * rendered (a form posted twice creates one channel), the errors, the chatbot and the name.
 */
export function NewChannelFields({
  channelId,
  chatbots,
  errors,
  values,
}: {
  channelId: string;
  chatbots: Array<{ id: string; name: string }>;
  errors: FieldErrors | undefined;
  values: { chatbotId?: string; name?: string } | undefined;
}) {
  const tr = useT();
  return (
    <>
      <CsrfInput />
      <input type="hidden" name="channelId" value={channelId} />
      <FormAlert errors={errors} />
      <ChatbotSelect chatbots={chatbots} defaultValue={values?.chatbotId} />
      <FormField
        label={tr('dash.channelName')}
        name="name"
        maxLength={120}
        hint={tr('dash.channelNameHint')}
        defaultValue={values?.name}
        error={errors?.name}
      />
    </>
  );
}
