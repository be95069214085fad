/**
 * Labelled textareas and selects, wired like FormField (hint and error announced with the
 * control), and the chatbot checkboxes the knowledge forms share.
 */
import { useId } from 'react';
import { useT } from '../lib/root-data';

interface Described {
  label: string;
  name: string;
  error?: string | undefined;
  hint?: string | undefined;
}

function useDescribedBy(hint: string | undefined, error: string | undefined) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  const notes = (
    <>
      {hint ? (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field__error" id={errorId}>
          {error}
        </p>
      ) : null}
    </>
  );
  return { id, describedBy, notes };
}

export function TextAreaField({ label, name, error, hint, ...textarea }: Described & React.TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const { id, describedBy, notes } = useDescribedBy(hint, error);
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      <textarea id={id} name={name} className="field__input" aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...textarea} />
      {notes}
    </div>
  );
}

export interface SelectOption {
  value: string;
  label: string;
}

export function SelectField({
  label,
  name,
  error,
  hint,
  options,
  ...select
}: Described & { options: SelectOption[] } & React.SelectHTMLAttributes<HTMLSelectElement>) {
  const { id, describedBy, notes } = useDescribedBy(hint, error);
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      <select id={id} name={name} className="field__input" aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...select}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {notes}
    </div>
  );
}

/** Which chatbots a source serves: one checkbox each, all ticked unless told otherwise. */
export function ChatbotCheckboxes({
  chatbots,
  checked,
  error,
  legendHidden = false,
}: {
  chatbots: Array<{ id: string; name: string }>;
  /** Ticked ids; undefined ticks every chatbot (a new source serves them all by default). */
  checked?: string[] | undefined;
  error?: string | undefined;
  /** Under a heading that already says what the boxes are: the legend is for screen readers only. */
  legendHidden?: boolean;
}) {
  const tr = useT();
  return (
    <fieldset className="field checkbox-group" data-testid="chatbot-checkboxes">
      <legend className={legendHidden ? 'visually-hidden' : 'field__label'}>{tr('knowledge.usedBy')}</legend>
      {chatbots.length === 0 ? <p className="field__hint">{tr('knowledge.noChatbots')}</p> : null}
      {chatbots.map((c) => (
        <label key={c.id} className="checkbox-group__item">
          <input type="checkbox" name="chatbotIds" value={c.id} defaultChecked={checked ? checked.includes(c.id) : true} />
          <span>{c.name}</span>
        </label>
      ))}
      {error ? <p className="field__error">{error}</p> : null}
    </fieldset>
  );
}
