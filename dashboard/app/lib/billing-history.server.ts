/**
 * The credit transactions (the ledger), newest first, a page at a time, as the Billing page lists
 * them: when, what (a top-up's package, a reply's model and chatbot), the amount and the balance
 * after it. The CSV export is the ledger's own (`entriesCsv`).
 */
import mongoose from 'mongoose';
import { ChatbotModel, findCreditPackage, listEntries, priceOf, type LedgerEntry, type LedgerKind, type Locale } from '@sapa/shared';
import { config, ensureDatabase } from './env.server';
import { formatNumber, formatSignedCredits } from './billing-labels';
import { timeFormatter } from './time.server';

export const HISTORY_PAGE_SIZE = 20;

export interface HistoryRow {
  seq: number;
  at: string;
  kind: LedgerKind;
  /** The package, the model and chatbot, or the note: what the entry was for. */
  detail: string;
  /** The payment behind a top-up or plan entry (its page). */
  paymentId: string;
  amount: number;
  amountText: string;
  balanceText: string;
}

export interface HistoryView {
  rows: HistoryRow[];
  /** `?before=` of the next (older) page; null on the last page. */
  olderBefore: number | null;
  /** Whether this is a later page (a link back to the newest is shown). */
  paged: boolean;
}

function detailOf(entry: LedgerEntry, chatbotNames: Map<string, string>): string {
  const ref = entry.ref ?? {};
  if (entry.kind === 'topup') return findCreditPackage(ref.note ?? '', config)?.name ?? ref.note ?? '';
  if (entry.kind === 'usage') {
    const model = ref.provider && ref.model ? priceOf(ref.provider, ref.model) : null;
    const modelName = model ? (model.known ? model.label : (ref.model ?? '')) : '';
    const chatbot = ref.chatbotId ? (chatbotNames.get(ref.chatbotId) ?? '') : '';
    return [modelName, chatbot].filter(Boolean).join(' · ');
  }
  return ref.note ?? '';
}

export async function loadHistory(ctx: { workspaceId: string; locale: Locale; timeZone: string | null | undefined }, before: number | undefined): Promise<HistoryView> {
  await ensureDatabase();
  const [page, chatbots] = await Promise.all([
    listEntries(ctx.workspaceId, { limit: HISTORY_PAGE_SIZE, ...(before ? { before } : {}) }),
    ChatbotModel.find({ workspaceId: ctx.workspaceId }, { name: 1 }).lean<Array<{ _id: mongoose.Types.ObjectId; name: string }>>(),
  ]);
  const names = new Map(chatbots.map((c) => [String(c._id), c.name]));
  const time = timeFormatter(ctx.locale, ctx.timeZone);
  return {
    rows: page.entries.map((e) => ({
      seq: e.seq,
      at: time.full(new Date(e.createdAt)),
      kind: e.kind,
      detail: detailOf(e, names),
      paymentId: e.ref?.paymentId ?? '',
      amount: e.amount,
      amountText: formatSignedCredits(e.amount, ctx.locale),
      balanceText: formatNumber(e.balanceAfter, ctx.locale),
    })),
    olderBefore: page.nextBefore,
    paged: before !== undefined,
  };
}
