/**
 * Raising an owner alert: a notice on the dashboard (realtime) and an email to the owners, once
 * per dedupe key (a low balance is announced once a day, not on every reply).
 */
import type { Config } from './config';
import { isDuplicateKeyError } from './errors';
import { ownerEmails, sendEmail } from './email';
import { t, type Locale, type MessageKey } from './i18n';
import { NoticeModel, WorkspaceModel, type NoticeKind } from './models';
import { publishEvent } from './realtime/events';

export interface NoticeInput {
  workspaceId: string;
  kind: NoticeKind;
  /** Unique per occurrence worth telling (`low_balance:<ws>:<yyyy-mm-dd>`). */
  dedupeKey: string;
  vars?: Record<string, string>;
  email?: boolean;
}

/** Returns false when this notice was raised already. */
export async function raiseNotice(config: Pick<Config, 'SMTP_URL' | 'EMAIL_FROM'>, input: NoticeInput): Promise<boolean> {
  try {
    await NoticeModel.create({ _id: input.dedupeKey, workspaceId: input.workspaceId, kind: input.kind, vars: input.vars ?? {} });
  } catch (err) {
    if (isDuplicateKeyError(err)) return false;
    throw err;
  }
  await publishEvent({ workspaceId: input.workspaceId, type: 'noticeRaised', data: { noticeId: input.dedupeKey, kind: input.kind }, dedupeKey: `notice:${input.dedupeKey}` });
  if (input.email) {
    const workspace = await WorkspaceModel.findById(input.workspaceId, { locale: 1, name: 1 }).lean();
    const locale: Locale = workspace?.locale === 'en' ? 'en' : 'id';
    const vars = { workspace: workspace?.name ?? '', ...(input.vars ?? {}) };
    const to = await ownerEmails(input.workspaceId);
    if (to.length > 0) {
      await sendEmail(config, {
        id: `notice:${input.dedupeKey}`,
        workspaceId: input.workspaceId,
        to,
        subject: t(locale, `notice.${input.kind}.subject` as MessageKey, vars),
        text: t(locale, `notice.${input.kind}` as MessageKey, vars),
      });
    }
  }
  return true;
}
