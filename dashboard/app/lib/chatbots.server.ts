/**
 * The workspace's chatbots as the dashboard shows and configures them: the list, a new chatbot
 * (within the plan's limit), and one chatbot's AI settings (provider, model, prompt, fallback,
 * with what each listed model costs) and retrieval settings (top-k, minimum score, chunking,
 * embedding), stored in `chatbot.ai` / `chatbot.retrieval` exactly as the shared schemas parse
 * them, which is how the worker reads them back.
 *
 * Only owners and admins change a chatbot or use its playground (it spends AI credits); agents see
 * the list.
 */
import {
  ApiKeyModel,
  CHAT_PROVIDERS,
  ChatbotModel,
  DEFAULT_AI_SETTINGS,
  DEFAULT_CHAT_MODELS,
  DEFAULT_EMBEDDING_MODELS,
  DEFAULT_RETRIEVAL_SETTINGS,
  EMBEDDING_PROVIDERS,
  KnowledgeSourceModel,
  PROMPT_TEMPLATE_LIST,
  aiSettingsSchema,
  currentPlan,
  forbidden,
  isValidObjectId,
  notFound,
  priceList,
  readAiSettings,
  retrievalSettingsSchema,
  type AiSettings,
  type ChatProviderId,
  type Chatbot,
  type EmbeddingProviderId,
  type Locale,
  type PriceListItem,
  type PromptTemplateId,
  type RetrievalSettings,
} from '@sapa/shared';
import { createChatbot } from '@sapa/shared/chatbots';
import { needsReprocess, type NewChatbotFields } from './chatbot-forms.server';
import { config, ensureDatabase } from './env.server';
import { canManageKnowledge } from './knowledge.server';
import { requireUser, type SessionUser } from './session.server';

/** The signed-in owner or admin; a 403 for an agent (and the login redirect when signed out). */
export async function requireChatbotEditor(request: Request): Promise<SessionUser> {
  const signedIn = await requireUser(request);
  if (!canManageKnowledge(signedIn.membership)) throw forbidden('error.chatbotAdminOnly');
  return signedIn;
}

export interface ChatbotSummary {
  id: string;
  name: string;
  publicId: string;
  provider: ChatProviderId;
  /** The model that answers (the provider's default when none was picked). */
  model: string;
  sourceCount: number;
}

export async function listChatbots(workspaceId: string): Promise<ChatbotSummary[]> {
  await ensureDatabase();
  const chatbots = await ChatbotModel.find({ workspaceId }).sort({ createdAt: 1 }).lean<Chatbot[]>();
  return Promise.all(
    chatbots.map(async (chatbot) => {
      const { ai } = readAiSettings(chatbot);
      const sourceCount = await KnowledgeSourceModel.countDocuments({ workspaceId, chatbotIds: chatbot._id, status: { $ne: 'deleting' } });
      return { id: String(chatbot._id), name: chatbot.name, publicId: chatbot.publicId, provider: ai.provider, model: ai.model, sourceCount };
    }),
  );
}

/** How many chatbots the workspace's plan allows and how many it has. */
export interface ChatbotAllowance {
  plan: string;
  used: number;
  limit: number;
}

export async function chatbotAllowance(workspaceId: string): Promise<ChatbotAllowance> {
  await ensureDatabase();
  const plan = await currentPlan(workspaceId);
  return { plan: plan.name, used: await ChatbotModel.countDocuments({ workspaceId }), limit: plan.limits.chatbots };
}

/**
 * A new chatbot with its web channel; returns its id. Beyond the plan's limit this throws the
 * 409 `plan_limit` refusal and creates nothing.
 */
export async function addChatbot(admin: SessionUser, fields: NewChatbotFields): Promise<string> {
  await ensureDatabase();
  const { chatbot } = await createChatbot(String(admin.workspace._id), fields);
  return String(chatbot._id);
}

/** The chatbot with this id in this workspace; a 404 for a malformed id or another workspace's. */
export async function findChatbot(workspaceId: string, chatbotId: string | undefined): Promise<Chatbot> {
  if (!isValidObjectId(chatbotId)) throw notFound('error.chatbotNotFound');
  await ensureDatabase();
  const chatbot = await ChatbotModel.findOne({ _id: chatbotId, workspaceId }).lean<Chatbot>();
  if (!chatbot) throw notFound('error.chatbotNotFound');
  return chatbot;
}

export interface PromptTemplateView {
  id: PromptTemplateId;
  label: string;
  instructions: string;
}

export interface ChatbotSettingsView {
  chatbot: { id: string; name: string };
  /** As stored: an empty model means "the provider's default", shown as the placeholder. */
  ai: AiSettings;
  retrieval: RetrievalSettings;
  templates: PromptTemplateView[];
  chatProviders: readonly ChatProviderId[];
  embeddingProviders: readonly EmbeddingProviderId[];
  defaultChatModels: Record<ChatProviderId, string>;
  defaultEmbeddingModels: Record<EmbeddingProviderId, string>;
  /** Sources the chatbot uses (a "reprocess all" touches these). */
  sourceCount: number;
  /** What each listed chat model costs (offline first), from the one price table. */
  prices: PriceListItem[];
  /** Providers the workspace has an active key of its own for: their replies cost no credits. */
  ownKeyProviders: ChatProviderId[];
}

/** The stored settings without filling in default models, so the form shows what the owner chose. */
function storedSettings(chatbot: Chatbot): { ai: AiSettings; retrieval: RetrievalSettings } {
  const ai = aiSettingsSchema.safeParse(chatbot.ai ?? { provider: 'offline' });
  const retrieval = retrievalSettingsSchema.safeParse(chatbot.retrieval ?? {});
  return { ai: ai.success ? ai.data : DEFAULT_AI_SETTINGS, retrieval: retrieval.success ? retrieval.data : DEFAULT_RETRIEVAL_SETTINGS };
}

export async function loadChatbotSettings(workspaceId: string, chatbotId: string | undefined, locale: Locale): Promise<ChatbotSettingsView> {
  const chatbot = await findChatbot(workspaceId, chatbotId);
  const sourceCount = await KnowledgeSourceModel.countDocuments({ workspaceId, chatbotIds: chatbot._id, status: { $ne: 'deleting' } });
  return {
    chatbot: { id: String(chatbot._id), name: chatbot.name },
    ...storedSettings(chatbot),
    templates: PROMPT_TEMPLATE_LIST.map((tpl) => ({ id: tpl.id, label: tpl.label[locale], instructions: tpl.instructions })),
    chatProviders: CHAT_PROVIDERS,
    embeddingProviders: EMBEDDING_PROVIDERS,
    defaultChatModels: DEFAULT_CHAT_MODELS,
    defaultEmbeddingModels: DEFAULT_EMBEDDING_MODELS,
    sourceCount,
    prices: priceList({ markupPercent: config.CREDITS_MARKUP_PERCENT }).filter((p) => p.kind === 'chat'),
    ownKeyProviders: await ownKeyProviders(workspaceId),
  };
}

/**
 * The paid providers the workspace brings its own key for. An OpenAI-compatible endpoint never
 * costs credits, key or not, so it is not listed here.
 */
async function ownKeyProviders(workspaceId: string): Promise<ChatProviderId[]> {
  const keys = await ApiKeyModel.find({ workspaceId, status: 'active' }, { provider: 1 }).lean();
  const providers = new Set<string>(keys.map((k) => k.provider));
  return CHAT_PROVIDERS.filter((p) => p !== 'openai_compatible' && providers.has(p));
}

/**
 * The settings without their unset optional fields. The driver would store an `undefined` as
 * null, which the schemas refuse (a base URL is a string or absent), and the worker would then
 * fall back to the defaults for the whole object.
 */
function withoutUndefined<T extends object>(settings: T): T {
  return Object.fromEntries(
    Object.entries(settings)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, value && typeof value === 'object' && !Array.isArray(value) ? withoutUndefined(value as object) : value]),
  ) as T;
}

/**
 * Stores validated settings. Returns whether the chunking or embedding changed: the chatbot's
 * sources were built with the old ones and need a reprocess to follow.
 */
export async function saveChatbotSettings(
  admin: SessionUser,
  chatbotId: string | undefined,
  settings: { ai: AiSettings; retrieval: RetrievalSettings },
): Promise<{ reprocessSuggested: boolean }> {
  const workspaceId = String(admin.workspace._id);
  const chatbot = await findChatbot(workspaceId, chatbotId);
  const before = storedSettings(chatbot).retrieval;
  await ChatbotModel.updateOne({ _id: chatbot._id, workspaceId }, { $set: { ai: withoutUndefined(settings.ai), retrieval: withoutUndefined(settings.retrieval) } });
  return { reprocessSuggested: needsReprocess(before, settings.retrieval) };
}
