/**
 * One typed module that reads the environment. Every process (gateway, worker, dashboard, launcher,
 * tests) calls `loadConfig()`; a bad value fails fast with a message naming the variable.
 * Defaults are the embedded ones `npm start` uses, so a fresh machine needs no settings at all.
 */
import { z } from 'zod';

const ms = (fallback: number) => z.coerce.number().int().min(0).default(fallback);
const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** One credit package a workspace can buy with QRIS (billing/prices.ts; 1 credit = Rp1 of AI cost). */
export const creditPackageSchema = z.object({
  id: z.string().regex(/^[a-z0-9_-]{1,40}$/, 'id: lowercase letters, digits, - or _'),
  name: z.string().trim().min(1).max(60),
  /** QRIS takes at most Rp10.000.000 per payment. */
  priceIdr: z.number().int().min(1000).max(10_000_000),
  credits: z.number().int().min(1),
});
export type CreditPackage = z.infer<typeof creditPackageSchema>;

/** CREDIT_PACKAGES_JSON: a JSON array of packages replacing the built-in ones. */
const creditPackagesJson = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of {id, name, priceIdr, credits}' });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .array(creditPackageSchema)
      .min(1)
      .refine((list) => new Set(list.map((p) => p.id)).size === list.length, 'package ids must be unique'),
  );

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  MONGODB_URI: z.string().min(1).default('mongodb://127.0.0.1:27117/sapa'),
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('sapa-conversations'),

  GATEWAY_HOST: z.string().default('127.0.0.1'),
  GATEWAY_PORT: port(3100),
  /** The URL browsers use to reach the gateway (widget script, widget API, demo page). */
  GATEWAY_PUBLIC_URL: z.string().url().optional(),
  DASHBOARD_PORT: port(3000),
  DASHBOARD_URL: z.string().url().optional(),

  /** Signs dashboard session cookies and widget visitor tokens. Required in production. */
  SESSION_SECRET: z.string().min(16).default('sapa-dev-session-secret-change-me'),
  /**
   * Master keys for secrets at rest (AES-256-GCM), as `version:base64key[,version:base64key…]`.
   * The first one encrypts; every listed one can decrypt, so keys can be rotated.
   */
  SAPA_MASTER_KEYS: z.string().default('1:c2FwYS1kZXYtbWFzdGVyLWtleS0zMi1ieXRlcyEhISE='),

  /** Messages arriving within this window of each other are answered together. */
  BATCH_WINDOW_MS: ms(1500),
  /** A steady stream of messages is answered at the latest this long after the first one. */
  BATCH_MAX_WAIT_MS: ms(6000),
  /** A conversation with no activity for this long is closed. */
  INACTIVITY_CLOSE_MS: ms(24 * 60 * 60 * 1000),
  /** History events after which a conversation workflow continues as new (server suggests at 4096). */
  CONVERSATION_HISTORY_LIMIT: z.coerce.number().int().min(50).default(2000),

  WIDGET_MAX_MESSAGE_CHARS: z.coerce.number().int().min(1).default(2000),
  /** Largest request body the gateway accepts, in bytes. */
  GATEWAY_BODY_LIMIT: z.coerce.number().int().min(1024).default(256 * 1024),
  /** Per-IP request budget for the public widget API, per minute. */
  RATE_LIMIT_IP_PER_MINUTE: z.coerce.number().int().min(1).default(300),
  /** Per-visitor message budget, per minute. */
  RATE_LIMIT_VISITOR_PER_MINUTE: z.coerce.number().int().min(1).default(30),

  /** Where attachments are kept (default: `<SAPA_DATA_DIR>/media`). */
  MEDIA_DIR: z.string().optional(),
  /** Largest attachment Sapa fetches or accepts, in bytes. */
  MEDIA_MAX_BYTES: z.coerce.number().int().min(1024).default(16 * 1024 * 1024),

  /** Meta's Graph API (WhatsApp Cloud). Tests point it at testkit's fake. */
  WHATSAPP_GRAPH_URL: z.string().url().default('https://graph.facebook.com'),
  WHATSAPP_GRAPH_VERSION: z.string().regex(/^v\d+\.\d+$/).default('v21.0'),
  /** WhatsApp's customer-service window: free-form messages only this long after the customer's last one. */
  WHATSAPP_WINDOW_MS: ms(24 * 60 * 60 * 1000),
  /** Telegram's Bot API root (telegraf `apiRoot`). */
  TELEGRAM_API_ROOT: z.string().url().default('https://api.telegram.org'),
  /** Run WhatsApp Web (Baileys) sessions in this gateway process. */
  BAILEYS_ENABLED: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  /** A session that looks connected but has received nothing for this long is recycled. */
  BAILEYS_WATCHDOG_MS: ms(30 * 60 * 1000),
  /** Sends that fail on rate limits are retried for up to this long inside one attempt. */
  CHANNEL_RATE_LIMIT_MAX_WAIT_MS: ms(20_000),

  /** Largest knowledge file an owner can upload, in bytes. */
  KNOWLEDGE_MAX_UPLOAD_BYTES: z.coerce.number().int().min(1024).default(10 * 1024 * 1024),
  /** Pages one website source may hold, and pages fetched at once while crawling it. */
  CRAWL_MAX_PAGES: z.coerce.number().int().min(1).default(200),
  CRAWL_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(4),
  /**
   * Let website sources reach loopback and private addresses. Off by default so a knowledge URL
   * cannot be used to probe the operator's own network; tests crawl a local site, so they turn it on.
   */
  CRAWL_ALLOW_PRIVATE_HOSTS: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),

  /** Platform keys and endpoints of the AI providers (base URLs: tests point them at testkit's fakes). */
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.string().url().default('https://api.openai.com/v1'),
  ANTHROPIC_API_KEY: z.string().optional(),
  ANTHROPIC_BASE_URL: z.string().url().default('https://api.anthropic.com'),
  GEMINI_API_KEY: z.string().optional(),
  GEMINI_BASE_URL: z.string().url().default('https://generativelanguage.googleapis.com'),
  REPLICATE_API_TOKEN: z.string().optional(),
  REPLICATE_BASE_URL: z.string().url().default('https://api.replicate.com/v1'),
  /** Key sent to chatbots' OpenAI-compatible endpoints that need one (Groq, vLLM with --api-key); Ollama needs none. */
  OPENAI_COMPATIBLE_API_KEY: z.string().optional(),
  /** One attempt at a provider may take this long before it counts as a timeout. */
  AI_REQUEST_TIMEOUT_MS: ms(30_000),
  /** Attempts at one provider (429, 5xx, timeouts) before the fallback provider or a handoff. */
  AI_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),

  /** Where vectors live: `embedded` (MongoDB, searched in process) or `pinecone`. */
  VECTOR_STORE: z.enum(['embedded', 'pinecone']).default('embedded'),
  PINECONE_API_KEY: z.string().optional(),
  /** The Pinecone index's data-plane host (https://<index>-<project>.svc.<env>.pinecone.io). */
  PINECONE_INDEX_HOST: z.string().url().optional(),
  PINECONE_INDEX: z.string().default('sapa'),
  PINECONE_CONTROLLER_HOST: z.string().url().optional(),

  /** How often a pending QRIS payment's status is asked while its QR is shown (notifications may be late or lost). */
  PAYMENT_POLL_INTERVAL_MS: ms(15_000),
  /** The owner is reminded this long before a paid plan ends. */
  PLAN_REMINDER_BEFORE_MS: ms(3 * 24 * 60 * 60 * 1000),
  /** Outgoing mail (smtp://user:pass@host:587). Without it, emails are kept in the dashboard's outbox. */
  SMTP_URL: z.string().url().optional(),
  EMAIL_FROM: z.string().default('Sapa <no-reply@sapa.local>'),

  /** Credits charged on top of an AI call's base cost (billing/prices.ts), in percent. */
  CREDITS_MARKUP_PERCENT: z.coerce.number().int().min(0).max(1000).default(20),
  /** Replaces the built-in credit packages (billing/prices.ts CREDIT_PACKAGES). */
  CREDIT_PACKAGES_JSON: creditPackagesJson.optional(),

  /**
   * QRIS top-ups: which provider creates the charges. `none`: the dashboard says payments are not
   * configured (credits can still be granted by hand).
   */
  PAYMENT_PROVIDER: z.enum(['none', 'midtrans', 'xendit']).default('none'),
  /** Midtrans Core API server key (`SB-Mid-server-…` in sandbox, `Mid-server-…` in production). */
  MIDTRANS_SERVER_KEY: z.string().optional(),
  /**
   * Midtrans Core API root (tests point it at testkit's fake). Unset: https://api.sandbox.midtrans.com,
   * or https://api.midtrans.com when MIDTRANS_IS_PRODUCTION, so switching modes is one variable.
   */
  MIDTRANS_BASE_URL: z.string().url().optional(),
  MIDTRANS_IS_PRODUCTION: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** Xendit secret API key (`xnd_development_…` or `xnd_production_…`). */
  XENDIT_SECRET_KEY: z.string().optional(),
  /** Xendit's webhook verification token: callbacks must carry it in `x-callback-token`. */
  XENDIT_CALLBACK_TOKEN: z.string().optional(),
  /** Xendit API root, the same for test and live mode (tests point it at testkit's fake). */
  XENDIT_BASE_URL: z.string().url().default('https://api.xendit.co'),
  /** How long a top-up's QR code can be paid. */
  QRIS_EXPIRY_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),

  /** Folder for local data (database files, Temporal's SQLite file) used by `npm start`. */
  SAPA_DATA_DIR: z.string().default('.sapa'),
});

export type Config = z.infer<typeof envSchema> & {
  gatewayPublicUrl: string;
  mediaDir: string;
  dashboardUrl: string;
  isProduction: boolean;
};

const DEV_SECRET = 'sapa-dev-session-secret-change-me';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means unset (docker compose passes `${KEY:-}` through as "").
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const isProduction = c.NODE_ENV === 'production';
  if (c.VECTOR_STORE === 'pinecone' && (!c.PINECONE_API_KEY || !c.PINECONE_INDEX_HOST)) {
    throw new ConfigError('VECTOR_STORE=pinecone needs PINECONE_API_KEY and PINECONE_INDEX_HOST');
  }
  if (c.PAYMENT_PROVIDER === 'midtrans') {
    if (!c.MIDTRANS_SERVER_KEY) throw new ConfigError('PAYMENT_PROVIDER=midtrans needs MIDTRANS_SERVER_KEY');
    if (c.MIDTRANS_IS_PRODUCTION && c.MIDTRANS_SERVER_KEY.startsWith('SB-')) {
      throw new ConfigError('MIDTRANS_IS_PRODUCTION=true needs a production server key (Mid-server-…), not a sandbox one');
    }
  }
  if (c.PAYMENT_PROVIDER === 'xendit') {
    if (!c.XENDIT_SECRET_KEY || !c.XENDIT_CALLBACK_TOKEN) {
      throw new ConfigError('PAYMENT_PROVIDER=xendit needs XENDIT_SECRET_KEY and XENDIT_CALLBACK_TOKEN');
    }
    if (!c.XENDIT_SECRET_KEY.startsWith('xnd_')) throw new ConfigError('XENDIT_SECRET_KEY must be a Xendit secret key (xnd_…)');
  }
  if (isProduction && c.SESSION_SECRET === DEV_SECRET) {
    throw new ConfigError('SESSION_SECRET must be set to a long random value in production');
  }
  return {
    ...c,
    isProduction,
    mediaDir: c.MEDIA_DIR ?? `${c.SAPA_DATA_DIR.replace(/\/$/, '')}/media`,
    gatewayPublicUrl: (c.GATEWAY_PUBLIC_URL ?? `http://${c.GATEWAY_HOST}:${c.GATEWAY_PORT}`).replace(/\/$/, ''),
    dashboardUrl: (c.DASHBOARD_URL ?? `http://127.0.0.1:${c.DASHBOARD_PORT}`).replace(/\/$/, ''),
  };
}
