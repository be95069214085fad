/**
 * /chatbots/:chatbotId/playground: ask the chatbot a question and see the answer with everything
 * behind it. A plain form post; this session's transcript travels in a hidden field (bounded), so
 * it works without JavaScript and leaves nothing behind but the usage record.
 */
import { useActionData, useNavigation } from '@remix-run/react';
import { data, type ActionFunctionArgs } from '@remix-run/node';
import { parsePlaygroundForm, type PlaygroundTurn } from '../lib/chatbot-forms.server';
import { requireChatbotEditor } from '../lib/chatbots.server';
import { verifyCsrf } from '../lib/csrf.server';
import type { FieldErrors } from '../lib/forms.server';
import { withHttpErrors } from '../lib/http-errors.server';
import { resolveLocale } from '../lib/i18n.server';
import { askPlayground, type PlaygroundExchange } from '../lib/playground.server';
import { useT } from '../lib/root-data';
import { getSession } from '../lib/session.server';
import { PlaygroundAnswer, PlaygroundForm, PlaygroundTranscript } from '../components/playground';

type Outcome = ({ ok: true } & PlaygroundExchange) | { ok: false; fieldErrors: FieldErrors; transcript: PlaygroundTurn[]; question: string };

export const action = withHttpErrors(async ({ request, params }: ActionFunctionArgs) => {
  const admin = await requireChatbotEditor(request);
  const form = await request.formData();
  verifyCsrf(await getSession(request), form);
  const locale = resolveLocale(request, admin.user);
  const parsed = parsePlaygroundForm(form, locale);
  if (!parsed.ok) {
    const question = typeof form.get('question') === 'string' ? String(form.get('question')) : '';
    return data<Outcome>({ ok: false, fieldErrors: parsed.fieldErrors, transcript: parsed.transcript, question }, { status: 400 });
  }
  const exchange = await askPlayground(admin, params.chatbotId, { question: parsed.question, transcript: parsed.transcript, locale });
  return data<Outcome>({ ok: true, ...exchange });
});

export default function PlaygroundPage() {
  const outcome = useActionData<typeof action>() ?? undefined;
  const navigation = useNavigation();
  const tr = useT();
  const busy = navigation.state !== 'idle' && navigation.formMethod === 'POST';
  const transcript = outcome?.transcript ?? [];
  // The last exchange is laid open below; the transcript above shows the turns before it.
  const lastExchange = outcome?.ok ? (outcome.result.kind === 'answer' ? 2 : 1) : 0;
  const earlier = transcript.slice(0, Math.max(0, transcript.length - lastExchange));
  return (
    <div className="stack playground" data-testid="playground">
      <p className="channel-section__help">{tr('playground.intro')}</p>
      <PlaygroundTranscript turns={earlier} />
      <PlaygroundForm
        // A fresh, empty question box after each answer; a rejected question stays to be fixed.
        key={transcript.length}
        transcript={transcript}
        errors={outcome && !outcome.ok ? outcome.fieldErrors : undefined}
        question={outcome && !outcome.ok ? outcome.question : ''}
        busy={busy}
      />
      {outcome?.ok ? <PlaygroundAnswer question={outcome.question} result={outcome.result} /> : null}
    </div>
  );
}
