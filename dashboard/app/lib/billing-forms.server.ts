/**
 * The billing forms as they arrive: which button was pressed (buy a credit package or a plan
 * month, the low-balance threshold, marking alerts read, cancelling a QR) and its fields, checked
 * with zod. Prices are never taken from a form: only the package or plan id is, and the server's
 * price table decides the amount.
 */
import { z } from 'zod';
import type { Locale } from '@sapa/shared';
import { parseForm, type FormResult } from './forms.server';

export const BILLING_INTENTS = ['buy-credits', 'buy-plan', 'threshold', 'notice-read', 'notices-read-all'] as const;
export type BillingIntent = (typeof BILLING_INTENTS)[number];

/** The plans that can be bought (Free is what a workspace falls back to, not a purchase). */
export const BUYABLE_PLANS = ['pro', 'premium', 'enterprise'] as const;
export type BuyablePlan = (typeof BUYABLE_PLANS)[number];

/** A balance alert above a billion credits (Rp1.000.000.000 of AI) is a typo, not a wish. */
export const THRESHOLD_MAX = 1_000_000_000;

export function billingIntentOf(form: FormData): BillingIntent | null {
  const intent = String(form.get('intent') ?? '');
  return (BILLING_INTENTS as readonly string[]).includes(intent) ? (intent as BillingIntent) : null;
}

const packageIdSchema = z.object({ packageId: z.string().regex(/^[a-z0-9_-]{1,40}$/) });
const planIdSchema = z.object({ planId: z.enum(BUYABLE_PLANS) });

export function parsePackageId(form: FormData, locale: Locale): FormResult<string> {
  const parsed = parseForm(packageIdSchema, form, locale);
  return parsed.ok ? { ok: true, value: parsed.value.packageId } : parsed;
}

export function parsePlanId(form: FormData, locale: Locale): FormResult<BuyablePlan> {
  const parsed = parseForm(planIdSchema, form, locale);
  return parsed.ok ? { ok: true, value: parsed.value.planId } : parsed;
}

const thresholdSchema = z.object({
  threshold: z
    .string()
    // People type `1.000` or `1,000` or `1 000`; the separators carry no meaning here.
    .transform((text) => text.trim().replace(/[.,\s]/g, ''))
    .pipe(
      z
        .string()
        .regex(/^\d{1,10}$/, 'billing.error.threshold')
        .transform(Number)
        .pipe(z.number().int().min(0).max(THRESHOLD_MAX, 'billing.error.threshold')),
    ),
});

export function parseThreshold(form: FormData, locale: Locale): FormResult<number> {
  const parsed = parseForm(thresholdSchema, form, locale);
  return parsed.ok ? { ok: true, value: parsed.value.threshold } : parsed;
}

const noticeIdSchema = z.object({ noticeId: z.string().min(1).max(300) });

export function parseNoticeId(form: FormData, locale: Locale): FormResult<string> {
  const parsed = parseForm(noticeIdSchema, form, locale);
  return parsed.ok ? { ok: true, value: parsed.value.noticeId } : parsed;
}

/** `?before=<seq>`: the older page of the history; anything else is the newest page. */
export function historyCursorOf(url: URL): number | undefined {
  const parsed = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).safeParse(url.searchParams.get('before') ?? undefined);
  return parsed.success ? parsed.data : undefined;
}
