/**
 * WhatsApp's 24-hour customer-service window and the templates that may be sent outside it.
 * Once the customer has been quiet for a day (`WHATSAPP_WINDOW_MS`), Meta only accepts approved
 * templates, so the inbox swaps the reply box for a template picker. Templates come from Meta
 * (Graph `message_templates`); only approved ones whose variables are all in the body can be sent
 * from here, because the agent command carries body parameters only.
 */
import { z } from 'zod';
import {
  ChannelModel,
  TtlCache,
  badRequest,
  conflict,
  whatsappCloudSecretsSchema,
  whatsappCloudSettingsSchema,
  whatsappWindowOpen,
  type Channel,
  type Conversation,
} from '@sapa/shared';
import { graphClientFor } from '@sapa/channels/whatsapp-cloud/graph-client';
import { channelSecrets } from './channels.server';
import { config, logger } from './env.server';
import { TEMPLATE_PLACEHOLDER, fillTemplate } from './template-text';

/** Whether only a template can reach this customer now. Other channels have no window. */
export function isWindowClosed(conversation: Pick<Conversation, 'channelType' | 'lastCustomerMessageAt'>, now = Date.now()): boolean {
  if (conversation.channelType !== 'whatsapp_cloud') return false;
  return !whatsappWindowOpen(conversation.lastCustomerMessageAt, config.WHATSAPP_WINDOW_MS, now);
}

export interface TemplateChoice {
  name: string;
  language: string;
  category: string;
  header: string;
  /** With `{{1}}`…`{{n}}` placeholders, one per body parameter. */
  body: string;
  footer: string;
  paramCount: number;
}

export const TEMPLATE_PARAM_MAX_CHARS = 1000;

const componentSchema = z.looseObject({
  type: z.string(),
  format: z.string().optional(),
  text: z.string().optional(),
  buttons: z.array(z.looseObject({ type: z.string(), url: z.string().optional() })).optional(),
});

const ANY_VARIABLE = /\{\{[^}]*\}\}/;

/** Highest positional placeholder, or null for named ones (`{{customer}}`), which we cannot fill. */
function positionalCount(text: string): number | null {
  const numbers = [...text.matchAll(TEMPLATE_PLACEHOLDER)].map((m) => Number(m[1]));
  const withoutPositional = text.replace(TEMPLATE_PLACEHOLDER, '');
  if (ANY_VARIABLE.test(withoutPositional)) return null;
  return numbers.length ? Math.max(...numbers) : 0;
}

/** A template we can send with body parameters only, or null (media header, URL/code buttons…). */
function toChoice(template: { name: string; language: string; status: string; category?: string; components: unknown[] }): TemplateChoice | null {
  if (template.status.toUpperCase() !== 'APPROVED') return null;
  const parsed = z.array(componentSchema).safeParse(template.components);
  if (!parsed.success) return null;
  const byType = (type: string) => parsed.data.find((c) => c.type.toUpperCase() === type);
  const header = byType('HEADER');
  const body = byType('BODY');
  const buttons = byType('BUTTONS');
  if (!body?.text) return null;
  if (header && ((header.format && header.format.toUpperCase() !== 'TEXT') || ANY_VARIABLE.test(header.text ?? ''))) return null;
  if (buttons?.buttons?.some((b) => ANY_VARIABLE.test(b.url ?? '') || b.type.toUpperCase() === 'COPY_CODE')) return null;
  const paramCount = positionalCount(body.text);
  if (paramCount === null) return null;
  return {
    name: template.name,
    language: template.language,
    category: template.category ?? '',
    header: header?.text ?? '',
    body: body.text,
    footer: byType('FOOTER')?.text ?? '',
    paramCount,
  };
}

function cloudChannelAccess(channel: Channel | null) {
  if (!channel || channel.type !== 'whatsapp_cloud') return null;
  const secrets = channelSecrets(channel, whatsappCloudSecretsSchema);
  const settings = whatsappCloudSettingsSchema.safeParse(channel.settings);
  return secrets && settings.success ? { accessToken: secrets.accessToken, wabaId: settings.data.wabaId } : null;
}

// Every live refresh of an open conversation would otherwise ask Meta again. Keyed by the channel's
// last change, so new credentials are used at once; a new template shows within a minute.
const templateCache = new TtlCache<TemplateChoice[]>(60_000, 1000);

/** The sendable templates of the conversation's number; throws when Meta cannot be asked. */
async function templatesFor(ref: { channelId: string; workspaceId: string }): Promise<TemplateChoice[]> {
  const channel = await ChannelModel.findOne({ _id: ref.channelId, workspaceId: ref.workspaceId }).lean<Channel>();
  const access = cloudChannelAccess(channel);
  if (!channel || !access) throw new Error('the conversation has no connected WhatsApp Cloud channel');
  const version = (channel as { updatedAt?: Date }).updatedAt?.getTime() ?? 0;
  return templateCache.get(`${String(channel._id)}:${version}`, async () => {
    const all = await graphClientFor(config, access.accessToken).listTemplates(access.wabaId);
    return all.map(toChoice).filter((c): c is TemplateChoice => c !== null);
  });
}

export type TemplatePicker = { templates: TemplateChoice[]; unavailable: false } | { templates: []; unavailable: true };

/** What the window-closed picker offers; `unavailable` when the templates could not be loaded. */
export async function loadTemplatePicker(conversation: { id: string; channelId: string; workspaceId: string }): Promise<TemplatePicker> {
  try {
    return { templates: await templatesFor(conversation), unavailable: false };
  } catch (err) {
    logger.warn({ conversationId: conversation.id, error: err instanceof Error ? err.message : String(err) }, 'WhatsApp templates unavailable');
    return { templates: [], unavailable: true };
  }
}

export interface PreparedTemplate {
  template: { name: string; language: string; bodyParams: string[] };
  previewText: string;
}

/**
 * Checks a template send against Meta's current list (a form can be older than a template's
 * approval being withdrawn) and fills in the preview the inbox shows.
 */
export async function prepareTemplate(
  conversation: Conversation,
  choice: { templateName: string; templateLanguage: string },
  rawParams: string[],
): Promise<PreparedTemplate> {
  if (conversation.channelType !== 'whatsapp_cloud') throw badRequest('error.validation');
  let templates: TemplateChoice[];
  try {
    templates = await templatesFor({ channelId: String(conversation.channelId), workspaceId: String(conversation.workspaceId) });
  } catch {
    throw conflict('error.templatesUnavailable');
  }
  const template = templates.find((t) => t.name === choice.templateName && t.language === choice.templateLanguage);
  if (!template) throw conflict('error.templateNotApproved');
  // WhatsApp refuses parameters with line breaks or tabs; the inputs are single-line anyway.
  const params = rawParams.map((p) => p.replace(/\s+/g, ' ').trim());
  if (params.length !== template.paramCount || params.some((p) => !p)) throw badRequest('error.templateParamsMissing');
  if (params.some((p) => p.length > TEMPLATE_PARAM_MAX_CHARS)) throw badRequest('error.fieldTooLong');
  return {
    template: { name: template.name, language: template.language, bodyParams: params },
    previewText: fillTemplate(template.body, params),
  };
}
