/**
 * The mongoose models. Rules that keep them working on both MongoDB and FerretDB v1 (spec §5.3):
 * no transactions, no $lookup/$facet, only $sum/$count in $group, no TTL/text/partial/sparse
 * indexes, and no projection on findOneAndUpdate (so no `select: false` paths). Consistency comes
 * from single-document atomic updates, unique indexes and idempotency keys.
 *
 * Every tenant document carries `workspaceId`, and every query filters by it.
 */
export * from './workspace';
export * from './user';
export * from './chatbot';
export * from './channel';
export * from './contact';
export * from './conversation';
export * from './message';
export * from './event';
export * from './counter';
export * from './provider-message';
export * from './knowledge-source';
export * from './knowledge-chunk';
export * from './knowledge-page';
export * from './ai-usage';
export * from './payment';
export * from './notice';
export * from './email';
export * from './api-key';
export * from './credit-ledger';
export * from './credit-account';
