/**
 * A workspace's plan limits where the owner meets them, against the real dashboard server, the
 * database and Temporal: Free allows one chatbot (a second is refused on the "New chatbot" form
 * with the plan's message and a link to the plans, and nothing is created), a current paid plan
 * allows more, a lapsed one counts as Free; Free allows five knowledge sources (the sixth is
 * refused on its form in the owner's language, nothing stored, no uploaded file left behind); and
 * a website source on a workspace whose page allowance is used up fails with `plan_limit`
 * without fetching a page. Plain HTTP with a logged-in session, as a browser without JavaScript
 * would post.
 */
import { existsSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import {
  ChannelModel,
  ChatbotModel,
  KnowledgePageModel,
  KnowledgeSourceModel,
  UserModel,
  WorkspaceModel,
  assertPlanAllows,
  createWorkspace,
  currentPlan,
  t,
} from '@sapa/shared';
import { TestStack, addKnowledgeSource, runKnowledge, sourceContents, uniqueName } from '@sapa/testkit';
import { startFakeSite, type FakeSite } from '@sapa/testkit/fakes';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A signed-in dashboard session over plain HTTP: the session cookie and the CSRF token of its forms. */
class DashboardSession {
  private readonly cookies = new Map<string, string>();

  constructor(
    private readonly baseUrl: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const res = await fetch(`${this.baseUrl}${path}`, {
      ...init,
      redirect: 'manual',
      headers: { ...this.headers, ...(cookie ? { Cookie: cookie } : {}), ...(init.headers as Record<string, string> | undefined) },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      this.cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1));
    }
    return res;
  }

  /** The CSRF token the page at `path` puts in its forms. */
  async csrfOf(path: string): Promise<string> {
    const res = await this.request(path);
    const html = await res.text();
    expect(res.status, `GET ${path}`).toBe(200);
    const token = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
    if (!token) throw new Error(`no CSRF token on ${path}`);
    return token;
  }

  async logIn(email: string, password: string): Promise<void> {
    const csrf = await this.csrfOf('/login');
    const res = await this.post('/login', { csrf, email, password, redirectTo: '/inbox' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/inbox');
  }

  /** Posts a form as a browser does (urlencoded, or multipart for FormData); repeated fields as arrays. */
  post(path: string, fields: Record<string, string | string[]> | FormData): Promise<Response> {
    let body: URLSearchParams | FormData;
    if (fields instanceof FormData) {
      body = fields;
    } else {
      body = new URLSearchParams();
      for (const [name, value] of Object.entries(fields)) for (const one of [value].flat()) body.append(name, one);
    }
    return this.request(path, { method: 'POST', body });
  }
}

/** Every file under `dir` (none when it does not exist yet). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => `${entry.parentPath}/${entry.name}`);
}

/** Text as the dashboard's HTML carries it (React escapes these in text). */
const inHtml = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll("'", '&#x27;').replaceAll('"', '&quot;');

describe('plan limits', () => {
  let stack: TestStack;
  let site: FakeSite;
  let owner: DashboardSession;
  let workspaceId: string;

  const setPlan = (plan: string, endsInMs: number | null) =>
    WorkspaceModel.updateOne({ _id: workspaceId }, plan === 'free' ? { $set: { plan }, $unset: { planEndsAt: 1 } } : { $set: { plan, planEndsAt: new Date(Date.now() + (endsInMs ?? 0)) } });

  beforeAll(async () => {
    site = await startFakeSite();
    stack = await TestStack.start({ dashboard: true });
    workspaceId = stack.seed.workspaceId;
    owner = new DashboardSession(stack.dashboardUrl, { 'Accept-Language': 'id-ID,id;q=0.9' });
    await owner.logIn(stack.seed.ownerEmail, stack.seed.ownerPassword);
  });

  afterAll(async () => {
    await stack?.stop();
    await site?.close();
  });

  describe('chatbots', () => {
    const createChatbot = async (name: string, language = 'en') =>
      owner.post('/chatbots?index', { csrf: await owner.csrfOf('/chatbots'), intent: 'create', name, language });

    it('Free allows one chatbot: a second is refused on the form with the plan message and a link to the plans, and nothing is created', async () => {
      expect((await currentPlan(workspaceId)).id).toBe('free');
      const page = await (await owner.request('/chatbots')).text();
      expect(page).toContain('data-testid="new-chatbot-form"');
      expect(page).toMatch(/data-testid="chatbot-allowance" data-used="1" data-limit="1"/);
      const [chatbotsBefore, channelsBefore] = await Promise.all([ChatbotModel.countDocuments({ workspaceId }), ChannelModel.countDocuments({ workspaceId })]);
      expect(chatbotsBefore).toBe(1);

      const res = await createChatbot('Bot Cabang Bandung', 'id');
      expect(res.status).toBe(409);
      const html = await res.text();
      expect(html).toContain('data-testid="plan-limit"');
      expect(html).toContain(inHtml(t('id', 'error.planLimitChatbots')));
      const link = /<a\b[^>]*data-testid="plan-limit-billing"[^>]*>/.exec(html)?.[0] ?? '';
      expect(link).toContain('href="/billing"');
      // What was typed is still in the form.
      expect(html).toContain('value="Bot Cabang Bandung"');

      expect(await ChatbotModel.countDocuments({ workspaceId })).toBe(chatbotsBefore);
      expect(await ChannelModel.countDocuments({ workspaceId })).toBe(channelsBefore);
      expect(await ChatbotModel.exists({ name: 'Bot Cabang Bandung' })).toBeNull();
    });

    it('refuses a form without a name, or without the CSRF token, creating nothing', async () => {
      const empty = await createChatbot('   ');
      expect(empty.status).toBe(400);
      expect(await empty.text()).toContain(inHtml(t('id', 'chatbots.new.nameRequired')));
      const forged = await owner.post('/chatbots?index', { intent: 'create', name: 'Bot Palsu', language: 'id' });
      expect(forged.status).toBe(403);
      expect(await ChatbotModel.countDocuments({ workspaceId })).toBe(1);
    });

    it('a current paid plan allows a second chatbot: it is created with its web channel and the page goes to its settings', async () => {
      await setPlan('pro', 30 * DAY_MS);
      expect((await currentPlan(workspaceId)).id).toBe('pro');

      const res = await createChatbot('  Bot Cabang Bandung  ', 'en');
      expect(res.status).toBe(302);
      const location = res.headers.get('location') ?? '';
      const chatbotId = /^\/chatbots\/([0-9a-f]{24})\/settings\?created$/.exec(location)?.[1];
      expect(chatbotId, location).toBeDefined();

      const chatbot = await ChatbotModel.findOne({ _id: chatbotId, workspaceId }).lean();
      expect(chatbot).toMatchObject({ name: 'Bot Cabang Bandung', language: 'en', greeting: t('en', 'bot.greeting') });
      expect(chatbot!.publicId).toMatch(/^[A-Za-z0-9_-]{8,}$/);
      expect(chatbot!.publicId).not.toBe(stack.seed.publicId);
      const channels = await ChannelModel.find({ chatbotId: new mongoose.Types.ObjectId(chatbotId) }).lean();
      expect(channels).toHaveLength(1);
      expect(channels[0]).toMatchObject({ type: 'web', status: 'active' });
      expect(String(channels[0]!.workspaceId)).toBe(workspaceId);

      const settings = await owner.request(location);
      expect(settings.status).toBe(200);
      // The page speaks the owner's language (Indonesian), whatever the new bot speaks.
      expect(await settings.text()).toContain(inHtml(t('id', 'chatbots.new.created', { name: 'Bot Cabang Bandung' })));
      expect(await ChatbotModel.countDocuments({ workspaceId })).toBe(2);
    });

    it('a lapsed plan counts as Free: no third chatbot', async () => {
      await setPlan('pro', -DAY_MS);
      expect((await currentPlan(workspaceId)).id).toBe('free');
      const res = await createChatbot('Bot Ketiga');
      expect(res.status).toBe(409);
      expect(await res.text()).toContain(inHtml(t('id', 'error.planLimitChatbots')));
      await expect(assertPlanAllows(workspaceId, 'chatbots')).rejects.toMatchObject({ status: 409, code: 'plan_limit', messageKey: 'error.planLimitChatbots' });
      expect(await ChatbotModel.countDocuments({ workspaceId })).toBe(2);
    });
  });

  describe('knowledge sources', () => {
    // The owner works in English, in a browser that asks for Indonesian: the owner's language wins.
    let english: DashboardSession;
    beforeAll(async () => {
      await UserModel.updateOne({ email: stack.seed.ownerEmail }, { $set: { locale: 'en' } });
      english = new DashboardSession(stack.dashboardUrl, { 'Accept-Language': 'id-ID,id;q=0.9' });
      await english.logIn(stack.seed.ownerEmail, stack.seed.ownerPassword);
    });

    // Forms post to the page's own address, the tab included.
    const addText = async (name: string) =>
      english.post('/knowledge?tab=text&index', {
        csrf: await english.csrfOf('/knowledge?tab=text'),
        intent: 'addText',
        name,
        text: `${name}: buka setiap hari 08.00–21.00 WIB.`,
        chatbotIds: [stack.seed.chatbotId],
      });

    const uploadForm = async () => {
      const form = new FormData();
      form.append('csrf', await english.csrfOf('/knowledge'));
      form.append('intent', 'upload');
      form.append('chatbotIds', stack.seed.chatbotId);
      form.append('file', new Blob(['Daftar harga grosir kopi Gayo: Rp180.000/kg.'], { type: 'text/plain' }), 'harga-grosir.txt');
      return form;
    };

    it('Free allows five sources: the sixth is refused on its form in the owner’s language, nothing stored and no file left', async () => {
      await setPlan('free', null);
      expect(await KnowledgeSourceModel.countDocuments({ workspaceId })).toBe(1); // the seed's text
      for (const n of [2, 3, 4, 5]) {
        const res = await addText(`Info ${n}`);
        expect(res.status, `source ${n}`).toBe(302);
        expect(res.headers.get('location')).toMatch(/^\/knowledge\?tab=text&added=[0-9a-f]{24}$/);
      }
      expect(await KnowledgeSourceModel.countDocuments({ workspaceId })).toBe(5);
      const message = t('en', 'error.planLimitSources');
      const files = filesUnder(stack.config.mediaDir);

      // Typed text: the form says why (in English, the owner's language, not the browser's) and keeps the text.
      const text = await addText('Info 6');
      expect(text.status).toBe(409);
      const textPage = await text.text();
      expect(textPage).toMatch(/data-testid="add-text-form"[\s\S]*data-testid="form-error"/);
      expect(textPage).toContain(inHtml(message));
      expect(textPage).not.toContain(inHtml(t('id', 'error.planLimitSources')));
      expect(textPage).toContain('Info 6: buka setiap hari');

      // A file posted without JavaScript (the page itself) and through the progress-bar upload.
      const plain = await english.post('/knowledge?index', await uploadForm());
      expect(plain.status).toBe(409);
      expect(await plain.text()).toMatch(new RegExp(`data-testid="upload-form"[\\s\\S]*${inHtml(message).replaceAll('.', '\\.')}`));
      const scripted = await english.request('/knowledge/upload', { method: 'POST', body: await uploadForm(), headers: { Accept: 'application/json' } });
      expect(scripted.status).toBe(409);
      expect(await scripted.json()).toEqual({ ok: false, message });

      expect(await KnowledgeSourceModel.countDocuments({ workspaceId })).toBe(5);
      expect(await KnowledgeSourceModel.exists({ workspaceId, name: { $in: ['Info 6', 'harga-grosir.txt'] } })).toBeNull();
      expect(filesUnder(stack.config.mediaDir)).toEqual(files);
    });

    it('a current paid plan takes the sixth source', async () => {
      await setPlan('pro', 30 * DAY_MS);
      const res = await english.post('/knowledge?index', await uploadForm());
      expect(res.status).toBe(302);
      const sourceId = /added=([0-9a-f]{24})$/.exec(res.headers.get('location') ?? '')?.[1];
      const source = await KnowledgeSourceModel.findOne({ _id: sourceId, workspaceId }).lean();
      expect(source).toMatchObject({ kind: 'file', name: 'harga-grosir.txt' });
      expect(filesUnder(stack.config.mediaDir)).toHaveLength(1);
      expect(await KnowledgeSourceModel.countDocuments({ workspaceId })).toBe(6);
    });
  });

  describe('website pages', () => {
    it('a site on a workspace whose page allowance is used up fails with plan_limit without fetching a page; a lapsed plan counts as Free', async () => {
      // A workspace of its own (Free: 50 website pages), whose other website already holds 50 pages.
      const other = await createWorkspace({
        workspaceName: 'Toko Penuh',
        owner: { email: `${uniqueName('penuh')}@example.test`, name: 'Pemilik Penuh', password: 'rahasia-penuh-123' },
      });
      const otherId = String(other.workspace._id);
      const setOtherPlan = (plan: string, endsInMs: number) =>
        WorkspaceModel.updateOne({ _id: otherId }, { $set: { plan, planEndsAt: new Date(Date.now() + endsInMs) } });
      const heldBy = new mongoose.Types.ObjectId();
      const limit = (await currentPlan(otherId)).limits.knowledgePages;
      expect(limit).toBe(50);
      await KnowledgePageModel.insertMany(
        Array.from({ length: limit }, (_, i) => ({
          _id: `${String(heldBy)}:p${i}`,
          workspaceId: other.workspace._id,
          sourceId: heldBy,
          pageKey: `p${i}`,
          url: `https://toko-penuh.example/halaman-${i}`,
          contentHash: `h${i}`,
        })),
      );

      const requestsBefore = site.requests.length;
      const source = await addKnowledgeSource(
        stack,
        { kind: 'sitemap', name: 'Situs Kopi Nusantara', url: `${site.url}/`, maxPages: 10 },
        { workspaceId: otherId, chatbotIds: [String(other.chatbot._id)] },
      );
      expect(source).toMatchObject({ status: 'failed', errorCode: 'plan_limit' });
      expect(site.requests.length).toBe(requestsBefore);
      const contents = await sourceContents(String(source._id));
      expect(contents.pages).toHaveLength(0);
      expect(contents.chunks).toHaveLength(0);

      // A Pro plan that has ended is Free again: still no room.
      await setOtherPlan('pro', -DAY_MS);
      const lapsed = await runKnowledge(stack, String(source._id), 'reprocess', otherId);
      expect(lapsed).toMatchObject({ status: 'failed', errorCode: 'plan_limit' });
      expect(site.requests.length).toBe(requestsBefore);

      // A current Pro plan has room: the site is read.
      await setOtherPlan('pro', 30 * DAY_MS);
      const current = await runKnowledge(stack, String(source._id), 'reprocess', otherId);
      expect(current).toMatchObject({ status: 'ready' });
      expect((await sourceContents(String(source._id))).pages.length).toBeGreaterThan(0);
    });
  });
});
