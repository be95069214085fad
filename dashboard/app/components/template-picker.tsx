import { useState } from 'react';
import { Form } from '@remix-run/react';
import { fillTemplate } from '../lib/template-text';
import type { TemplateChoice, TemplatePicker as Picker } from '../lib/whatsapp-templates.server';
import { useT } from '../lib/root-data';
import { CsrfInput } from './csrf-input';

const PARAM_MAX_CHARS = 1000;

interface Props {
  picker: Picker;
  /** The id the template is delivered under (a double post sends it once), as for replies. */
  replyId: string;
  busy: boolean;
}

/**
 * What replaces the reply box once WhatsApp's 24-hour window has closed: the reason, and the
 * approved templates, each a small form of its own (so it works without JavaScript) with one input
 * per body parameter and a preview that fills in as the agent types.
 */
export function TemplatePicker({ picker, replyId, busy }: Props) {
  const tr = useT();
  return (
    <section className="window-closed" data-testid="window-closed" aria-labelledby="window-closed-title">
      <p className="window-closed__title" id="window-closed-title">
        {tr('dash.windowClosedTitle')}
      </p>
      <p className="window-closed__note">{tr('dash.windowClosedNote')}</p>
      {picker.unavailable ? (
        <p className="alert alert--error" data-testid="templates-unavailable">
          {tr('error.templatesUnavailable')}
        </p>
      ) : picker.templates.length === 0 ? (
        <p className="window-closed__empty" data-testid="templates-empty">
          {tr('dash.noTemplates')}
        </p>
      ) : (
        <div className="template-list" data-testid="template-picker">
          <p className="template-list__title">{tr('dash.templates')}</p>
          {picker.templates.map((template) => (
            <TemplateForm key={`${template.name}:${template.language}`} template={template} replyId={replyId} busy={busy} />
          ))}
        </div>
      )}
    </section>
  );
}

function TemplateForm({ template, replyId, busy }: { template: TemplateChoice; replyId: string; busy: boolean }) {
  const tr = useT();
  const [params, setParams] = useState<string[]>(() => Array.from({ length: template.paramCount }, () => ''));
  const setParam = (index: number, value: string) => setParams((current) => current.map((p, i) => (i === index ? value : p)));
  return (
    <details className="template" data-testid="template" data-template={template.name} data-language={template.language}>
      <summary className="template__summary">
        <span className="template__name">{template.name}</span>
        <span className="template__meta">
          {template.language}
          {template.category ? ` · ${template.category}` : ''}
        </span>
      </summary>
      <Form method="post" className="template__form">
        <CsrfInput />
        <input type="hidden" name="intent" value="sendTemplate" />
        <input type="hidden" name="templateName" value={template.name} />
        <input type="hidden" name="templateLanguage" value={template.language} />
        <input type="hidden" name="replyId" value={replyId} />
        {params.map((value, i) => (
          <label key={i} className="field">
            <span className="field__label">{tr('dash.templateParam', { n: i + 1 })}</span>
            <input
              name="bodyParam"
              className="field__input"
              required
              maxLength={PARAM_MAX_CHARS}
              value={value}
              onChange={(event) => setParam(i, event.target.value)}
            />
          </label>
        ))}
        <div className="template__preview" data-testid="template-preview">
          <span className="template__preview-label">{tr('dash.templatePreview')}</span>
          {template.header ? <p className="template__header">{template.header}</p> : null}
          <p className="template__body">{fillTemplate(template.body, params)}</p>
          {template.footer ? <p className="template__footer">{template.footer}</p> : null}
        </div>
        <button type="submit" className="button button--primary" disabled={busy}>
          {tr('dash.sendTemplate')}
        </button>
      </Form>
    </details>
  );
}
