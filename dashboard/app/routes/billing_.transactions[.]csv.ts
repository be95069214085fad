/**
 * GET /billing/transactions.csv: the workspace's whole credit ledger as a CSV download (oldest
 * first, Jakarta time; see `entriesCsv`). Owners and admins only, like the page that links it.
 */
import type { LoaderFunctionArgs } from '@remix-run/node';
import { entriesCsv } from '@sapa/shared';
import { requireBillingManager } from '../lib/billing.server';
import { ensureDatabase } from '../lib/env.server';
import { withHttpErrors } from '../lib/http-errors.server';

/** `2025-01-31` in Jakarta, for the file name. */
const jakartaDate = (now: Date) => new Date(now.getTime() + 7 * 3_600_000).toISOString().slice(0, 10);

export const loader = withHttpErrors(async ({ request }: LoaderFunctionArgs) => {
  const admin = await requireBillingManager(request);
  await ensureDatabase();
  const csv = await entriesCsv(String(admin.workspace._id));
  return new Response(csv, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="sapa-transaksi-${jakartaDate(new Date())}.csv"`,
      // Money: no shared cache may keep it.
      'Cache-Control': 'private, no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  });
});
