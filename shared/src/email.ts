/**
 * Sending email: every message is written to the `emails` collection first (keyed, so an alert
 * retried by an activity is mailed once), then sent over SMTP when `SMTP_URL` is set. Without SMTP
 * the collection is the development outbox the dashboard shows.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from './config';
import { isDuplicateKeyError } from './errors';
import { EmailModel, MembershipModel, UserModel } from './models';

export interface OutgoingEmail {
  /** Dedupe key: the same id is mailed once. */
  id: string;
  workspaceId?: string;
  to: string[];
  subject: string;
  text: string;
}

let transport: Transporter | undefined;

export async function sendEmail(config: Pick<Config, 'SMTP_URL' | 'EMAIL_FROM'>, email: OutgoingEmail): Promise<'sent' | 'outbox' | 'duplicate' | 'failed'> {
  try {
    await EmailModel.create({ _id: email.id, ...(email.workspaceId ? { workspaceId: email.workspaceId } : {}), to: email.to, subject: email.subject, text: email.text });
  } catch (err) {
    if (isDuplicateKeyError(err)) return 'duplicate';
    throw err;
  }
  if (!config.SMTP_URL) return 'outbox';
  try {
    transport ??= nodemailer.createTransport(config.SMTP_URL);
    await transport.sendMail({ from: config.EMAIL_FROM, to: email.to, subject: email.subject, text: email.text });
    await EmailModel.updateOne({ _id: email.id }, { $set: { status: 'sent' } });
    return 'sent';
  } catch (err) {
    // The alert is still on the dashboard; a mail server hiccup must not fail the caller.
    await EmailModel.updateOne({ _id: email.id }, { $set: { status: 'failed', error: err instanceof Error ? err.message : String(err) } });
    return 'failed';
  }
}

/** The addresses of a workspace's owners (who get billing alerts). */
export async function ownerEmails(workspaceId: string): Promise<string[]> {
  const owners = await MembershipModel.find({ workspaceId, role: 'owner' }, { userId: 1 }).lean();
  const users = await UserModel.find({ _id: { $in: owners.map((o) => o.userId) } }, { email: 1 }).lean();
  return users.map((u) => u.email);
}
