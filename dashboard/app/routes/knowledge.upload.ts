/**
 * POST /knowledge/upload: the Knowledge page's upload with a progress bar. The page sends the
 * same form as its plain multipart post, through XMLHttpRequest (whose upload events report
 * progress), and gets JSON back: `{ ok: true, sourceId }` (201) or `{ ok: false, message,
 * fieldErrors? }` with the status (400, 403, 413, 503…). Without JavaScript the form posts to the
 * page itself and this route is never used.
 */
import type { ActionFunctionArgs } from '@remix-run/node';
import { t } from '@sapa/shared';
import { verifyCsrf } from '../lib/csrf.server';
import { toHttpError } from '../lib/http-errors.server';
import { resolveLocale } from '../lib/i18n.server';
import { CLOSE_CONNECTION, refuseOversizedUpload, requireKnowledgeEditor, uploadFromForm } from '../lib/knowledge.server';
import { getSession, getSessionUser } from '../lib/session.server';

export async function action({ request }: ActionFunctionArgs): Promise<Response> {
  let locale = resolveLocale(request);
  try {
    // Answers are in the signed-in user's language, refusals included.
    locale = resolveLocale(request, (await getSessionUser(request))?.user);
    const admin = await requireKnowledgeEditor(request);
    const oversized = await refuseOversizedUpload(request, locale);
    if (oversized && !oversized.ok) {
      return Response.json(
        { ok: false, message: oversized.fieldErrors.file, fieldErrors: oversized.fieldErrors },
        { status: oversized.status, headers: CLOSE_CONNECTION },
      );
    }
    const form = await request.formData();
    verifyCsrf(await getSession(request), form);
    const outcome = await uploadFromForm(form, admin, locale);
    if (!outcome.ok) {
      return Response.json({ ok: false, message: Object.values(outcome.fieldErrors)[0], fieldErrors: outcome.fieldErrors }, { status: outcome.status });
    }
    return Response.json({ ok: true, sourceId: outcome.value.sourceId }, { status: 201 });
  } catch (err) {
    // Signed out: requireUser throws a redirect to the login page, which a script cannot follow.
    if (err instanceof Response) return Response.json({ ok: false, message: t(locale, 'error.sessionExpired') }, { status: 401 });
    const { status, message } = toHttpError(err, locale);
    return Response.json({ ok: false, message }, { status });
  }
}
