/**
 * Form validation with zod. Schemas give catalog keys as their messages, so a failed field maps
 * straight to text in the user's language; any other failure (a missing field, a file where text
 * was expected) reads as the generic "request is not valid".
 */
import { z } from 'zod';
import { t, type Locale, type MessageKey } from '@sapa/shared';

export type FieldErrors = Partial<Record<string, string>>;

export type FormResult<T> = { ok: true; value: T } | { ok: false; fieldErrors: FieldErrors };

const fallbackKey: MessageKey = 'error.validation';

export function parseForm<Schema extends z.ZodType>(
  schema: Schema,
  form: FormData,
  locale: Locale,
): FormResult<z.output<Schema>> {
  const parsed = schema.safeParse(Object.fromEntries(form), { error: () => fallbackKey });
  if (parsed.success) return { ok: true, value: parsed.data };
  const fieldErrors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? 'form');
    // Every message is a catalog key: the schemas' own, or the fallback above.
    fieldErrors[field] ??= t(locale, issue.message as MessageKey);
  }
  return { ok: false, fieldErrors };
}
