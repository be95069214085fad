/**
 * The caller's mistakes get a clear 4xx with a message, store nothing and crash nothing.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatbotModel, ChannelModel, ContactModel, ConversationModel, MessageModel, randomId } from '@sapa/shared';
import { TestStack, WidgetClient } from '@sapa/testkit';

describe('bad input to the gateway', () => {
  let stack: TestStack;
  let widget: WidgetClient;
  let counts: () => Promise<number[]>;

  beforeAll(async () => {
    stack = await TestStack.start({ env: { WIDGET_MAX_MESSAGE_CHARS: '500', GATEWAY_BODY_LIMIT: '16384' } });
    widget = new WidgetClient(stack.gatewayUrl, stack.seed.publicId);
    await widget.session();
    counts = async () => Promise.all([MessageModel.countDocuments(), ConversationModel.countDocuments(), ContactModel.countDocuments()]);
  });
  afterAll(async () => stack?.stop());

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${stack.gatewayUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-language': 'en', ...headers },
      body,
    });
  const auth = () => ({ 'x-visitor-id': widget.visitorId, 'x-visitor-token': widget.token });

  async function expectRejected(res: Response, status: number, error: string) {
    expect(res.status).toBe(status);
    const body = await res.json();
    expect(body.error).toBe(error);
    expect(typeof body.message).toBe('string');
    expect(body.message.length).toBeGreaterThan(5);
    return body;
  }

  it('rejects malformed JSON with 400', async () => {
    const before = await counts();
    await expectRejected(await post(`/v1/widget/${stack.seed.publicId}/messages`, '{"clientMessageId": "abc', auth()), 400, 'malformed_json');
    expect(await counts()).toEqual(before);
  });

  it('rejects a body over the limit with 413', async () => {
    const before = await counts();
    const huge = JSON.stringify({ clientMessageId: randomUUID(), text: 'a'.repeat(20_000) });
    await expectRejected(await post(`/v1/widget/${stack.seed.publicId}/messages`, huge, auth()), 413, 'body_too_large');
    expect(await counts()).toEqual(before);
  });

  it('rejects an over-long message with 400', async () => {
    const before = await counts();
    const body = await expectRejected(
      await post(`/v1/widget/${stack.seed.publicId}/messages`, JSON.stringify({ clientMessageId: randomUUID(), text: 'b'.repeat(501) }), auth()),
      400,
      'bad_request',
    );
    expect(body.message).toMatch(/too long/);
    expect(await counts()).toEqual(before);
  });

  it('rejects a message with missing or wrong fields with 400', async () => {
    const before = await counts();
    await expectRejected(await post(`/v1/widget/${stack.seed.publicId}/messages`, JSON.stringify({ text: 'hi' }), auth()), 400, 'validation_failed');
    await expectRejected(
      await post(`/v1/widget/${stack.seed.publicId}/messages`, JSON.stringify({ clientMessageId: 'x', text: 'hi' }), auth()),
      400,
      'validation_failed',
    );
    await expectRejected(
      await post(`/v1/widget/${stack.seed.publicId}/messages`, JSON.stringify({ clientMessageId: randomUUID(), text: '   ' }), auth()),
      400,
      'bad_request',
    );
    expect(await counts()).toEqual(before);
  });

  it('rejects an unknown chatbot id with 404', async () => {
    const before = await counts();
    const res = await fetch(`${stack.gatewayUrl}/v1/widget/doesnotexist123/config`);
    await expectRejected(res, 404, 'not_found');
    await expectRejected(await post('/v1/widget/doesnotexist123/session', '{}'), 404, 'not_found');
    await expectRejected(await post('/v1/widget/bad%20id!/session', '{}'), 400, 'validation_failed');
    expect(await counts()).toEqual(before);
  });

  it('rejects a forged visitor token with 401', async () => {
    const before = await counts();
    const res = await post(
      `/v1/widget/${stack.seed.publicId}/messages`,
      JSON.stringify({ clientMessageId: randomUUID(), text: 'halo' }),
      { 'x-visitor-id': widget.visitorId, 'x-visitor-token': 'forged-token-forged-token-forged-token-123' },
    );
    await expectRejected(res, 401, 'visitor_token_invalid');
    // Another chatbot's visitor token does not work here either.
    const stream = await fetch(`${stack.gatewayUrl}/v1/widget/${stack.seed.publicId}/stream?visitorId=${widget.visitorId}&token=nope`);
    await expectRejected(stream, 401, 'visitor_token_invalid');
    expect(await counts()).toEqual(before);
  });

  it('rejects a page whose origin the chatbot does not allow with 403', async () => {
    const seedBot = await ChatbotModel.findById(stack.seed.chatbotId).lean();
    const chatbot = await ChatbotModel.create({
      workspaceId: seedBot!.workspaceId,
      name: 'Restricted bot',
      publicId: randomId(9),
      allowedOrigins: ['https://toko.example'],
    });
    await ChannelModel.create({ workspaceId: chatbot.workspaceId, chatbotId: chatbot._id, type: 'web', name: 'Web' });
    const before = await counts();

    const evil = new WidgetClient(stack.gatewayUrl, chatbot.publicId, 'https://evil.example');
    const denied = await evil.session();
    expect(denied.status).toBe(403);
    expect(denied.body.error).toBe('forbidden');
    expect(await counts()).toEqual(before);

    const allowed = new WidgetClient(stack.gatewayUrl, chatbot.publicId, 'https://toko.example');
    expect((await allowed.session()).status).toBe(200);
    const preflight = await fetch(`${stack.gatewayUrl}/v1/widget/${chatbot.publicId}/messages`, {
      method: 'OPTIONS',
      headers: { origin: 'https://toko.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-visitor-id,x-visitor-token' },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://toko.example');
  });

  it('rate-limits one visitor who sends too fast with 429', async () => {
    const flood = new WidgetClient(stack.gatewayUrl, stack.seed.publicId);
    await flood.session();
    const statuses: number[] = [];
    for (let i = 0; i < stack.config.RATE_LIMIT_VISITOR_PER_MINUTE + 3; i++) statuses.push((await flood.send(`pesan ${i}`)).status);
    expect(statuses.slice(0, stack.config.RATE_LIMIT_VISITOR_PER_MINUTE).every((s) => s === 202)).toBe(true);
    expect(statuses.slice(-1)[0]).toBe(429);
    // Another visitor is not affected.
    expect((await widget.send('halo')).status).toBe(202);
  });

  it('is still healthy after all of that, with security headers on', async () => {
    const health = await fetch(`${stack.gatewayUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(health.headers.get('x-content-type-options')).toBe('nosniff'); // helmet
    // The widget script is loaded by other sites' pages.
    expect((await fetch(`${stack.gatewayUrl}/widget.js`)).headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect((await fetch(`${stack.gatewayUrl}/readyz`)).status).toBe(200);
  });
});
