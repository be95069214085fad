/**
 * Uploading a document. Without JavaScript it is a plain multipart form post to the Knowledge
 * page. With it, the same form data goes through XMLHttpRequest to `/knowledge/upload`, whose
 * upload progress events drive a progress bar (fetch cannot report upload progress), and the
 * list is reloaded once the server has the file. A file over the limit is refused before any
 * byte is sent; the server checks again either way.
 */
import { useState } from 'react';
import { useRevalidator } from '@remix-run/react';
import type { FieldErrors } from '../lib/forms.server';
import { formatBytes } from '../lib/knowledge-labels';
import { useT } from '../lib/root-data';
import { CsrfInput } from './csrf-input';
import { FormAlert } from './channel-form';
import { ChatbotCheckboxes } from './field-controls';
import type { AddFormProps } from './knowledge-add';

/** The formats the worker reads; the browser's picker suggests them, the worker sniffs the bytes. */
const ACCEPT = '.pdf,.docx,.txt,.md,.markdown,.csv,.html,.htm,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,text/plain,text/markdown,text/csv,text/html';

type UploadState = { phase: 'idle' } | { phase: 'uploading'; loaded: number; total: number } | { phase: 'done' };

interface UploadAnswer {
  ok?: boolean;
  message?: string;
  fieldErrors?: FieldErrors;
}

export function KnowledgeUploadForm({ chatbots, errors, values, busy, maxUploadBytes }: AddFormProps & { maxUploadBytes: number }) {
  const tr = useT();
  const { revalidate } = useRevalidator();
  const [state, setState] = useState<UploadState>({ phase: 'idle' });
  // Errors from the script path replace the ones the server rendered for a plain post.
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const shownErrors = clientErrors ?? errors;
  const checked = Array.isArray(values?.chatbotIds) ? values.chatbotIds : undefined;

  const upload = (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const element = event.currentTarget;
    const file = (element.elements.namedItem('file') as HTMLInputElement | null)?.files?.[0];
    if (file && file.size > maxUploadBytes) {
      setClientErrors({ file: tr('knowledge.fileTooLarge', { max: formatBytes(maxUploadBytes) }) });
      setState({ phase: 'idle' });
      return;
    }
    const body = new FormData(element);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/knowledge/upload');
    xhr.responseType = 'json';
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (e) => setState({ phase: 'uploading', loaded: e.loaded, total: e.lengthComputable ? e.total : 0 });
    xhr.onload = () => {
      const answer = (xhr.response ?? {}) as UploadAnswer;
      if (xhr.status >= 200 && xhr.status < 300 && answer.ok) {
        element.reset();
        setClientErrors(null);
        setState({ phase: 'done' });
        revalidate();
        return;
      }
      setState({ phase: 'idle' });
      setClientErrors(answer.fieldErrors ?? { form: answer.message ?? tr('error.internal') });
    };
    xhr.onerror = () => {
      setState({ phase: 'idle' });
      setClientErrors({ form: tr('knowledge.uploadNetworkError') });
    };
    setClientErrors(null);
    setState({ phase: 'uploading', loaded: 0, total: file?.size ?? 0 });
    xhr.send(body);
  };

  const uploading = state.phase === 'uploading';
  const percent = uploading && state.total > 0 ? Math.min(100, Math.round((state.loaded / state.total) * 100)) : 0;
  return (
    <form
      method="post"
      action="/knowledge?index"
      encType="multipart/form-data"
      className="stack kadd__form"
      data-testid="upload-form"
      onSubmit={upload}
    >
      <CsrfInput />
      <input type="hidden" name="intent" value="upload" />
      <FormAlert errors={shownErrors} />
      <div className="field">
        <label className="field__label" htmlFor="knowledge-file">
          {tr('knowledge.file')}
        </label>
        <input
          id="knowledge-file"
          type="file"
          name="file"
          accept={ACCEPT}
          required
          className="field__input"
          aria-invalid={shownErrors?.file ? true : undefined}
          aria-describedby="knowledge-file-hint"
          onChange={() => setState({ phase: 'idle' })}
        />
        <p className="field__hint" id="knowledge-file-hint">
          {tr('knowledge.fileHint', { max: formatBytes(maxUploadBytes) })}
        </p>
        {shownErrors?.file ? (
          <p className="field__error" role="alert" data-testid="upload-error">
            {shownErrors.file}
          </p>
        ) : null}
      </div>
      <ChatbotCheckboxes chatbots={chatbots} checked={checked} error={shownErrors?.chatbotIds} />
      {uploading ? (
        <div className="upload-progress" data-testid="upload-progress" data-percent={percent}>
          <progress className="upload-progress__bar" value={percent} max={100} />
          <span className="upload-progress__text">{tr('knowledge.uploading', { percent })}</span>
        </div>
      ) : null}
      {state.phase === 'done' ? (
        <p className="alert alert--success" role="status" data-testid="upload-done">
          {tr('knowledge.uploaded')}
        </p>
      ) : null}
      <button type="submit" className="button button--primary" disabled={busy || uploading}>
        {tr('knowledge.upload')}
      </button>
    </form>
  );
}
