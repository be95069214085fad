import { Form, useNavigation } from '@remix-run/react';
import type { ConversationMode } from '@sapa/shared/conversation';
import { useT } from '../lib/root-data';
import { CsrfInput } from './csrf-input';
import { ReplyComposer } from './reply-composer';

interface Props {
  conversationId: string;
  mode: ConversationMode;
  /** The message of the last action that failed (closed conversation, Temporal down…). */
  error: string | null;
  /** The text of a reply that was not accepted, put back into the box. */
  rejectedReply: string | null;
  /** The id the next reply is delivered under (see the conversation route's loader). */
  replyId: string;
  /** Whether the channel takes files (every channel but the web widget). */
  allowAttachments?: boolean;
  /** Shown instead of the reply box when free text cannot be sent (WhatsApp's closed 24-hour window). */
  replyReplacement?: React.ReactNode;
}

/** One small form per command, so each works without JavaScript. */
function CommandForm({
  intent,
  label,
  variant,
  disabled,
}: {
  intent: string;
  label: string;
  variant: string;
  disabled: boolean;
}) {
  return (
    <Form method="post">
      <CsrfInput />
      <input type="hidden" name="intent" value={intent} />
      <button type="submit" className={`button ${variant}`} disabled={disabled}>
        {label}
      </button>
    </Form>
  );
}

/** What the agent can do in the conversation's current mode. */
export function ConversationActions({ conversationId, replyId, mode, error, rejectedReply, replyReplacement, allowAttachments = false }: Props) {
  const tr = useT();
  const navigation = useNavigation();
  const busy = navigation.state === 'submitting' && navigation.formAction === `/inbox/${conversationId}`;

  return (
    <section className="conversation__actions" aria-label={tr('dash.conversationActions')}>
      {error ? (
        <p className="alert alert--error" role="alert" data-testid="action-error">
          {error}
        </p>
      ) : null}
      {mode === 'closed' ? (
        <>
          <p className="conversation__note">{tr('error.conversationClosed')}</p>
          {replyReplacement ?? null}
        </>
      ) : (
        <>
          {replyReplacement ??
            (mode === 'agent' ? (
              <ReplyComposer
                conversationId={conversationId}
                replyId={replyId}
                rejectedReply={rejectedReply}
                busy={busy}
                allowAttachments={allowAttachments}
              />
            ) : (
              <p className="conversation__note">{tr('dash.takeOverFirst')}</p>
            ))}
          <div className="conversation__buttons">
            {mode === 'agent' ? (
              <CommandForm intent="handBack" label={tr('dash.handBack')} variant="button--secondary" disabled={busy} />
            ) : (
              <CommandForm intent="takeOver" label={tr('dash.takeOver')} variant="button--primary" disabled={busy} />
            )}
            <CommandForm intent="close" label={tr('dash.close')} variant="button--danger-outline" disabled={busy} />
          </div>
        </>
      )}
    </section>
  );
}
