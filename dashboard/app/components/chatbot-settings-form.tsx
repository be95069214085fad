/**
 * A chatbot's AI and retrieval settings as one form: the provider and model (the provider's
 * default as the placeholder, the listed models suggested with their price, and what the chosen
 * provider's models cost), temperature and length, the prompt template with its text, the
 * owner's own instructions, a fallback provider, and how knowledge is retrieved and chunked.
 * Works without JavaScript; with it, the hints follow the chosen provider and template as they
 * change, and fields that do not apply are hidden.
 */
import { useState } from 'react';
import { Form } from '@remix-run/react';
import type { AiSettings, RetrievalSettings } from '@sapa/shared/ai/settings';
import type { SettingsField, SettingsValues } from '../lib/chatbot-forms.server';
import type { ChatbotSettingsView } from '../lib/chatbots.server';
import type { FieldErrors } from '../lib/forms.server';
import { useT } from '../lib/root-data';
import { useHydrated } from '../hooks/use-hydrated';
import { CsrfInput } from './csrf-input';
import { FormAlert } from './channel-form';
import { SelectField, TextAreaField } from './field-controls';
import { FormField } from './form-field';
import { ModelDatalists, ModelPrices, modelListId } from './model-prices';

/** The stored settings as the form's text values. */
export function settingsValues(ai: AiSettings, retrieval: RetrievalSettings): SettingsValues {
  return {
    provider: ai.provider,
    model: ai.model,
    baseUrl: ai.baseUrl ?? '',
    temperature: String(ai.temperature),
    maxTokens: String(ai.maxTokens),
    promptTemplate: ai.promptTemplate,
    systemPrompt: ai.systemPrompt,
    fallbackProvider: ai.fallback?.provider ?? 'none',
    fallbackModel: ai.fallback?.model ?? '',
    fallbackBaseUrl: ai.fallback?.baseUrl ?? '',
    topK: String(retrieval.topK),
    minScore: String(retrieval.minScore),
    chunkTokens: String(retrieval.chunkTokens),
    chunkOverlap: String(retrieval.chunkOverlap),
    embeddingProvider: retrieval.embeddingProvider,
    embeddingModel: retrieval.embeddingModel,
    embeddingBaseUrl: retrieval.embeddingBaseUrl ?? '',
  };
}

interface Props {
  view: ChatbotSettingsView;
  values: SettingsValues;
  errors: FieldErrors | undefined;
  busy: boolean;
}

export function ChatbotSettingsForm({ view, values, errors, busy }: Props) {
  const tr = useT();
  const hydrated = useHydrated();
  const [provider, setProvider] = useState(values.provider ?? 'offline');
  const [fallback, setFallback] = useState(values.fallbackProvider ?? 'none');
  const [embedding, setEmbedding] = useState(values.embeddingProvider ?? 'local');
  const [templateId, setTemplateId] = useState(values.promptTemplate ?? view.templates[0]?.id ?? 'custom');
  const template = view.templates.find((tpl) => tpl.id === templateId);
  // Looked up by the select's current value, which the browser could hold as any string.
  const chatModel = (id: string) => (view.defaultChatModels as Record<string, string>)[id] ?? '';
  const embeddingModel = (id: string) => (view.defaultEmbeddingModels as Record<string, string>)[id] ?? '';
  // Without JavaScript the hidden-unless-relevant fields are always there (the select cannot show them).
  const shows = (relevant: boolean) => !hydrated || relevant;
  const field = (name: SettingsField) => ({ name, defaultValue: values[name] ?? '', error: errors?.[name] });
  const chatOptions = view.chatProviders.map((p) => ({ value: p, label: tr(`chatbot.provider.${p}`) }));

  return (
    <Form method="post" className="stack chatbot-settings" data-testid="settings-form">
      <CsrfInput />
      <input type="hidden" name="intent" value="save" />
      <FormAlert errors={errors} />

      <fieldset className="settings-group">
        <legend className="settings-group__title">{tr('chatbot.section.model')}</legend>
        <SelectField label={tr('chatbot.provider')} {...field('provider')} options={chatOptions} onChange={(e) => setProvider(e.currentTarget.value)} />
        {provider === 'offline' ? (
          <p className="settings-note" data-testid="offline-note">
            {tr('chatbot.offlineNote')}
          </p>
        ) : null}
        <ModelDatalists source={view} />
        {shows(provider !== 'offline') ? (
          <FormField
            label={tr('chatbot.model')}
            {...field('model')}
            maxLength={200}
            list={modelListId(provider)}
            placeholder={chatModel(provider)}
            hint={tr('chatbot.modelHint', { model: chatModel(provider) })}
          />
        ) : null}
        <ModelPrices source={view} provider={provider} />
        {shows(provider === 'openai_compatible') ? (
          <FormField label={tr('chatbot.baseUrl')} {...field('baseUrl')} type="url" placeholder="http://localhost:11434/v1" hint={tr('chatbot.baseUrlHint')} />
        ) : null}
        <div className="settings-row">
          <FormField label={tr('chatbot.temperature')} {...field('temperature')} type="number" min={0} max={2} step={0.1} hint={tr('chatbot.temperatureHint')} />
          <FormField label={tr('chatbot.maxTokens')} {...field('maxTokens')} type="number" min={16} max={8192} step={1} hint={tr('chatbot.maxTokensHint')} />
        </div>
      </fieldset>

      <fieldset className="settings-group">
        <legend className="settings-group__title">{tr('chatbot.section.prompt')}</legend>
        <SelectField
          label={tr('chatbot.promptTemplate')}
          {...field('promptTemplate')}
          options={view.templates.map((tpl) => ({ value: tpl.id, label: tpl.label }))}
          onChange={(e) => setTemplateId(e.currentTarget.value)}
        />
        {template ? (
          <blockquote className="template-text" data-testid="template-text">
            {template.instructions}
          </blockquote>
        ) : null}
        <TextAreaField label={tr('chatbot.systemPrompt')} {...field('systemPrompt')} rows={5} maxLength={4000} hint={tr('chatbot.systemPromptHint')} />
      </fieldset>

      <fieldset className="settings-group">
        <legend className="settings-group__title">{tr('chatbot.section.fallback')}</legend>
        <SelectField
          label={tr('chatbot.fallbackProvider')}
          {...field('fallbackProvider')}
          hint={tr('chatbot.fallbackHint')}
          options={[{ value: 'none', label: tr('chatbot.fallbackNone') }, ...chatOptions]}
          onChange={(e) => setFallback(e.currentTarget.value)}
        />
        {shows(fallback !== 'none' && fallback !== 'offline') ? (
          <FormField label={tr('chatbot.model')} {...field('fallbackModel')} maxLength={200} list={modelListId(fallback)} placeholder={chatModel(fallback)} />
        ) : null}
        {shows(fallback === 'openai_compatible') ? (
          <FormField label={tr('chatbot.baseUrl')} {...field('fallbackBaseUrl')} type="url" placeholder="http://localhost:11434/v1" hint={tr('chatbot.baseUrlHint')} />
        ) : null}
      </fieldset>

      <fieldset className="settings-group">
        <legend className="settings-group__title">{tr('chatbot.section.retrieval')}</legend>
        <div className="settings-row">
          <FormField label={tr('chatbot.topK')} {...field('topK')} type="number" min={1} max={20} step={1} hint={tr('chatbot.topKHint')} />
          <FormField label={tr('chatbot.minScore')} {...field('minScore')} type="number" min={0} max={1} step={0.05} hint={tr('chatbot.minScoreHint')} />
        </div>
        <p className="settings-note settings-note--warning" data-testid="reprocess-note">
          {tr('chatbot.reprocessNote')}
        </p>
        <div className="settings-row">
          <FormField label={tr('chatbot.chunkTokens')} {...field('chunkTokens')} type="number" min={64} max={2000} step={1} />
          <FormField label={tr('chatbot.chunkOverlap')} {...field('chunkOverlap')} type="number" min={0} max={500} step={1} />
        </div>
        <SelectField
          label={tr('chatbot.embeddingProvider')}
          {...field('embeddingProvider')}
          options={view.embeddingProviders.map((p) => ({ value: p, label: tr(`chatbot.embedding.${p}`) }))}
          onChange={(e) => setEmbedding(e.currentTarget.value)}
        />
        {shows(embedding !== 'local') ? (
          <FormField label={tr('chatbot.embeddingModel')} {...field('embeddingModel')} maxLength={200} placeholder={embeddingModel(embedding)} />
        ) : null}
        {shows(embedding === 'openai_compatible') ? (
          <FormField label={tr('chatbot.baseUrl')} {...field('embeddingBaseUrl')} type="url" placeholder="http://localhost:11434/v1" hint={tr('chatbot.baseUrlHint')} />
        ) : null}
      </fieldset>

      <button type="submit" className="button button--primary" disabled={busy} data-testid="save-settings">
        {tr('dash.save')}
      </button>
    </Form>
  );
}

/** Reprocessing every source the chatbot uses, so new chunking or embedding settings apply. */
export function ReprocessAllForm({ sourceCount, busy, highlight }: { sourceCount: number; busy: boolean; highlight: boolean }) {
  const tr = useT();
  return (
    <section className={`settings-group settings-group--reprocess${highlight ? ' settings-group--highlight' : ''}`} data-testid="reprocess-all">
      <h2 className="settings-group__title">{tr('chatbot.reprocessAll')}</h2>
      <p className="channel-section__help">{highlight ? tr('chatbot.reprocessNeeded') : tr('chatbot.reprocessAllHint')}</p>
      <Form method="post">
        <CsrfInput />
        <input type="hidden" name="intent" value="reprocessAll" />
        <button type="submit" className="button button--secondary" disabled={busy || sourceCount === 0}>
          {tr('chatbot.reprocessAllButton', { count: sourceCount })}
        </button>
      </Form>
    </section>
  );
}
