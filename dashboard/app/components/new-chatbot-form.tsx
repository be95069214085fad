/**
 * The "New chatbot" form of the Chatbots page: a name and the bot's language. It says how many
 * chatbots the plan allows; past that the server refuses and the form shows why, with a link to
 * the plans. A plain form post: it works without JavaScript.
 */
import { Form } from '@remix-run/react';
import { LOCALES, type Locale } from '@sapa/shared/i18n';
import type { ChatbotAllowance } from '../lib/chatbots.server';
import type { FieldErrors } from '../lib/forms.server';
import { useT } from '../lib/root-data';
import { CsrfInput } from './csrf-input';
import { FormAlert } from './channel-form';
import { SelectField } from './field-controls';
import { FormField } from './form-field';
import { PlanLimitAlert } from './plan-limit-alert';

/** What the action said about a refused "New chatbot" post. */
export interface NewChatbotResult {
  fieldErrors: FieldErrors;
  values: { name?: string; language?: string };
  /** Refused by the plan's limit (the message goes with a link to the plans). */
  planLimit: boolean;
}

interface Props {
  allowance: ChatbotAllowance;
  defaultLanguage: Locale;
  result: NewChatbotResult | undefined;
  busy: boolean;
}

export function NewChatbotForm({ allowance, defaultLanguage, result, busy }: Props) {
  const tr = useT();
  const errors = result?.fieldErrors;
  return (
    <section className="card new-chatbot" aria-labelledby="new-chatbot-title" data-testid="new-chatbot">
      <h2 className="new-chatbot__title" id="new-chatbot-title">
        {tr('chatbots.new.title')}
      </h2>
      <p className="channel-section__help">{tr('chatbots.new.hint')}</p>
      <p className="new-chatbot__usage" data-testid="chatbot-allowance" data-used={allowance.used} data-limit={allowance.limit}>
        {tr('chatbots.new.usage', { plan: allowance.plan, used: allowance.used, limit: allowance.limit })}
      </p>
      <Form method="post" className="stack" data-testid="new-chatbot-form">
        <CsrfInput />
        <input type="hidden" name="intent" value="create" />
        {result?.planLimit && errors?.form ? <PlanLimitAlert message={errors.form} /> : <FormAlert errors={errors} />}
        <div className="settings-row">
          <FormField label={tr('chatbots.new.name')} name="name" required maxLength={120} defaultValue={result?.values.name} error={errors?.name} />
          <SelectField
            label={tr('chatbots.new.language')}
            name="language"
            defaultValue={result?.values.language ?? defaultLanguage}
            error={errors?.language}
            options={LOCALES.map((l) => ({ value: l, label: tr(`chatbots.new.language.${l}`) }))}
          />
        </div>
        <button type="submit" className="button button--primary" disabled={busy} data-testid="create-chatbot">
          {tr('chatbots.new.create')}
        </button>
      </Form>
    </section>
  );
}
