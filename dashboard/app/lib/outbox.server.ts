/**
 * The workspace's emails as Sapa wrote them (billing alerts, payment receipts): without SMTP they
 * are only kept, and this list is where the owner (or a developer) reads them; with SMTP it shows
 * what was sent and what the mail server refused.
 */
import { EmailModel, type Locale } from '@sapa/shared';
import { config, ensureDatabase } from './env.server';
import { timeFormatter } from './time.server';

const EMAILS_SHOWN = 50;

export type EmailStatus = 'outbox' | 'sent' | 'failed';

export interface EmailRow {
  id: string;
  to: string;
  subject: string;
  text: string;
  status: EmailStatus;
  error: string;
  at: string;
}

export interface OutboxView {
  emails: EmailRow[];
  /** No SMTP configured: nothing is sent, everything is kept here. */
  outboxOnly: boolean;
}

export async function loadOutbox(ctx: { workspaceId: string; locale: Locale; timeZone: string | null | undefined }): Promise<OutboxView> {
  await ensureDatabase();
  const time = timeFormatter(ctx.locale, ctx.timeZone);
  const emails = await EmailModel.find({ workspaceId: ctx.workspaceId })
    .sort({ createdAt: -1 })
    .limit(EMAILS_SHOWN)
    .lean<Array<{ _id: string; to: string[]; subject: string; text: string; status?: EmailStatus; error?: string; createdAt?: Date }>>();
  return {
    emails: emails.map((e) => ({
      id: e._id,
      to: e.to.join(', '),
      subject: e.subject,
      text: e.text,
      status: e.status ?? 'outbox',
      error: e.error ?? '',
      at: e.createdAt ? time.full(e.createdAt) : '',
    })),
    outboxOnly: !config.SMTP_URL,
  };
}
