import { useEffect, useId, useRef } from 'react';
import { Form, useFetcher, useNavigation } from '@remix-run/react';
import { REPLY_MAX_CHARS } from '../lib/limits';
import { useCsrfToken, useT } from '../lib/root-data';
import { CsrfInput } from './csrf-input';

/** The customer sees "typing…" for a few seconds after each notice; one every 2 s keeps it on. */
const TYPING_NOTICE_EVERY_MS = 2_000;

interface Props {
  conversationId: string;
  replyId: string;
  rejectedReply: string | null;
  busy: boolean;
  /** Offer a file input (the channel can carry attachments). */
  allowAttachments?: boolean;
}

export function ReplyComposer({ conversationId, replyId, rejectedReply, busy, allowAttachments = false }: Props) {
  const tr = useT();
  const id = useId();
  const csrf = useCsrfToken();
  const form = useRef<HTMLFormElement>(null);
  const typing = useFetcher({ key: `typing-${conversationId}` });
  const lastNotice = useRef(0);
  const navigation = useNavigation();

  // Empty the box once a reply went through; a rejected one stays for the agent to fix.
  const sendingReply = navigation.state === 'submitting' && navigation.formData?.get('intent') === 'reply';
  const wasSending = useRef(false);
  useEffect(() => {
    if (wasSending.current && !sendingReply && rejectedReply === null) form.current?.reset();
    wasSending.current = sendingReply;
  }, [sendingReply, rejectedReply]);

  const announceTyping = () => {
    const now = Date.now();
    if (now - lastNotice.current < TYPING_NOTICE_EVERY_MS) return;
    lastNotice.current = now;
    typing.submit({ intent: 'typing', csrf }, { method: 'post', action: `/inbox/${conversationId}` });
  };

  const sendOnCtrlEnter = (event: React.KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.current?.requestSubmit();
    }
  };

  return (
    <Form method="post" className="composer" ref={form} {...(allowAttachments ? { encType: 'multipart/form-data' as const } : {})}>
      <CsrfInput />
      <input type="hidden" name="intent" value="reply" />
      <input type="hidden" name="replyId" value={replyId} />
      <label htmlFor={id} className="composer__label">
        {tr('dash.replyLabel')}
      </label>
      <textarea
        id={id}
        name="text"
        className="composer__input"
        rows={3}
        // With a file the text is optional (it becomes the caption); the server checks one is there.
        required={!allowAttachments}
        maxLength={REPLY_MAX_CHARS}
        placeholder={tr('dash.replyPlaceholder')}
        defaultValue={rejectedReply ?? ''}
        onInput={announceTyping}
        onKeyDown={sendOnCtrlEnter}
      />
      {allowAttachments ? (
        <label className="composer__attach">
          <span>{tr('dash.attach')}</span>
          <input type="file" name="attachment" data-testid="reply-attachment" />
        </label>
      ) : null}
      <button type="submit" className="button button--primary composer__send" disabled={busy}>
        {tr('dash.reply')}
      </button>
    </Form>
  );
}
