/**
 * The playground's parts: the session's transcript, the question form (a plain post carrying the
 * transcript in a hidden field), and the last answer laid open: the outcome, the answer and its
 * citations, the provider, model, tokens and latency, and every passage retrieval found with its
 * combined score and the dense (embedding) and BM25 (keyword) parts of it.
 */
import { Form, Link } from '@remix-run/react';
import type { PlaygroundResult } from '@sapa/shared/ai/playground';
import type { PlaygroundTurn } from '../lib/chatbot-forms.server';
import type { FieldErrors } from '../lib/forms.server';
import { PLAYGROUND_LIMITS } from '../lib/knowledge-limits';
import { useT } from '../lib/root-data';
import { CsrfInput } from './csrf-input';
import { FormAlert } from './channel-form';
import { TextAreaField } from './field-controls';

export function PlaygroundTranscript({ turns }: { turns: PlaygroundTurn[] }) {
  const tr = useT();
  if (turns.length === 0) return <p className="channel-section__help">{tr('playground.empty')}</p>;
  return (
    <ol className="pg-transcript" data-testid="playground-transcript">
      {turns.map((turn, i) => (
        <li key={i} className={`pg-turn pg-turn--${turn.author}`} data-author={turn.author}>
          <span className="pg-turn__who">{turn.author === 'customer' ? tr('playground.you') : tr('dash.author.bot')}</span>
          <p className="pg-turn__text">{turn.text}</p>
        </li>
      ))}
    </ol>
  );
}

export function PlaygroundForm({ transcript, errors, busy, question }: { transcript: PlaygroundTurn[]; errors: FieldErrors | undefined; busy: boolean; question: string }) {
  const tr = useT();
  return (
    <Form method="post" className="stack pg-form" data-testid="playground-form">
      <CsrfInput />
      <input type="hidden" name="transcript" value={JSON.stringify(transcript)} />
      <FormAlert errors={errors} />
      <TextAreaField
        label={tr('playground.question')}
        name="question"
        rows={3}
        required
        maxLength={PLAYGROUND_LIMITS.questionChars}
        placeholder={tr('playground.placeholder')}
        defaultValue={question}
        error={errors?.question}
      />
      <div className="pg-form__actions">
        <button type="submit" className="button button--primary" disabled={busy} data-testid="playground-ask">
          {busy ? tr('playground.asking') : tr('playground.ask')}
        </button>
        {transcript.length > 0 ? (
          <Link to="." className="button button--ghost" data-testid="playground-reset">
            {tr('playground.reset')}
          </Link>
        ) : null}
      </div>
    </Form>
  );
}

const score = (n: number) => n.toFixed(3);

export function PlaygroundAnswer({ question, result }: { question: string; result: PlaygroundResult }) {
  const tr = useT();
  const { usage } = result;
  return (
    <section className="pg-result" data-testid="playground-result" data-kind={result.kind} aria-labelledby="pg-result-title">
      <header className="pg-result__header">
        <h2 className="channel-section__title" id="pg-result-title">
          {tr('playground.resultFor', { question })}
        </h2>
        <span className={`pg-outcome pg-outcome--${result.kind}`} data-testid="playground-outcome" data-kind={result.kind}>
          {tr(`playground.outcome.${result.kind}`)}
        </span>
      </header>
      {result.kind === 'answer' ? (
        <p className="pg-answer" data-testid="playground-answer">
          {result.text}
        </p>
      ) : (
        <p className="pg-answer pg-answer--none" data-testid="playground-answer">
          {tr(result.kind === 'no_answer' ? 'playground.noAnswerNote' : 'playground.failedNote')}
        </p>
      )}
      {result.error ? <p className="kfailure__raw" data-testid="playground-error">{result.error}</p> : null}
      {result.citations.length > 0 ? (
        <div className="pg-citations">
          <h3 className="pg-subtitle">{tr('dash.sources')}</h3>
          <ul>
            {result.citations.map((c, i) => (
              <li key={i} data-testid="playground-citation">
                {c.url ? (
                  <a href={c.url} target="_blank" rel="noreferrer noopener">
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
      <dl className="pg-usage" data-testid="playground-usage">
        <div>
          <dt>{tr('playground.provider')}</dt>
          <dd data-testid="playground-provider">{usage.provider}</dd>
        </div>
        <div>
          <dt>{tr('chatbot.model')}</dt>
          <dd data-testid="playground-model">{usage.model}</dd>
        </div>
        <div>
          <dt>{tr('playground.tokens')}</dt>
          <dd>{tr('playground.tokensInOut', { input: usage.inputTokens, output: usage.outputTokens })}</dd>
        </div>
        <div>
          <dt>{tr('playground.latency')}</dt>
          <dd data-testid="playground-latency">{tr('playground.ms', { ms: Math.round(usage.latencyMs) })}</dd>
        </div>
        {usage.attempts > 1 || usage.fallback ? (
          <div>
            <dt>{tr('playground.attempts')}</dt>
            <dd>
              {usage.attempts}
              {usage.fallback ? ` · ${tr('playground.viaFallback')}` : ''}
            </dd>
          </div>
        ) : null}
      </dl>
      <h3 className="pg-subtitle">{tr('playground.passages', { count: result.passages.length })}</h3>
      {result.passages.length === 0 ? <p className="channel-section__help">{tr('playground.noPassages')}</p> : null}
      <ol className="pg-passages">
        {result.passages.map((p) => (
          <li key={p.chunkId} className="pg-passage" data-testid="playground-passage" data-score={p.score}>
            <header className="pg-passage__meta">
              <span className="pg-passage__title">
                {p.url ? (
                  <a href={p.url} target="_blank" rel="noreferrer noopener">
                    {p.title || p.url}
                  </a>
                ) : (
                  p.title
                )}
              </span>
              {p.heading ? <span className="chunk__heading">{p.heading}</span> : null}
              {p.page !== undefined ? <span>{tr('knowledge.page', { page: p.page })}</span> : null}
            </header>
            <p className="pg-scores" data-testid="playground-scores">
              <span className="pg-score pg-score--combined">
                {tr('playground.score')} <strong>{score(p.score)}</strong>
              </span>
              <span className="pg-score">
                {tr('playground.dense')} {score(p.dense)}
              </span>
              <span className="pg-score">BM25 {score(p.lexical)}</span>
            </p>
            <p className="chunk__text">{p.text}</p>
          </li>
        ))}
      </ol>
    </section>
  );
}
