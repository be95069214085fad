/**
 * The Pinecone vector store, through the official SDK, against testkit's fake Pinecone index.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakePinecone, type FakePinecone } from '@sapa/testkit/fakes';
import { createPineconeStore, namespaceOf } from '../src/rag/vector-store/pinecone';
import type { VectorRecord, VectorStore } from '../src/rag/vector-store/types';

const DIM = 8;
const API_KEY = 'pcsk_test_key_123';

/** A unit vector along axis `axis`, nudged by `jitter` on the next axis, so scores are predictable. */
function vec(axis: number, jitter = 0): number[] {
  const v = new Array<number>(DIM).fill(0);
  v[axis % DIM] = 1;
  v[(axis + 1) % DIM] = jitter;
  return v;
}

function records(sourceId: string, chatbotIds: string[], n: number, axis: number): VectorRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${sourceId}:page-${Math.floor(i / 10)}:${i % 10}`,
    values: vec(axis, i / 1000),
    sourceId,
    chatbotIds,
  }));
}

let fake: FakePinecone;
let store: VectorStore;

beforeAll(async () => {
  fake = await startFakePinecone({ apiKey: API_KEY, dimension: DIM, indexName: 'sapa-test' });
  store = createPineconeStore({ apiKey: API_KEY, indexName: 'sapa-test', indexHost: fake.indexHost, controllerHostUrl: fake.controllerUrl });
});

afterAll(async () => {
  await fake?.close();
});

describe('Pinecone vector store', () => {
  it('is the pinecone kind and talks to the index host directly (no describe_index call)', async () => {
    expect(store.kind).toBe('pinecone');
    await store.upsert('w0', records('s0', ['b0'], 1, 0));
    expect(fake.requests.some((r) => r.path.startsWith('/indexes'))).toBe(false);
    const upsert = fake.requests.find((r) => r.path === '/vectors/upsert');
    expect(upsert?.status).toBe(200);
    expect(upsert?.apiVersion).toMatch(/^\d{4}-\d{2}$/);
  });

  it("answers a chatbot's query only with vectors labelled for that chatbot, best first", async () => {
    await store.upsert('w1', [
      ...records('srcA', ['bot1'], 3, 0),
      ...records('srcB', ['bot2'], 3, 0), // the same direction: the closest vectors, but another chatbot's
      ...records('srcC', ['bot1', 'bot2'], 2, 3),
    ]);
    const v = fake.vectors(namespaceOf('w1')).find((x) => x.id === 'srcC:page-0:1');
    expect(v?.metadata).toEqual({ sourceId: 'srcC', chatbotIds: ['bot1', 'bot2'] });

    const matches = await store.query('w1', { vector: vec(0), topK: 10, chatbotId: 'bot1' });
    expect(matches.map((m) => m.id).sort()).toEqual(['srcA:page-0:0', 'srcA:page-0:1', 'srcA:page-0:2', 'srcC:page-0:0', 'srcC:page-0:1']);
    expect(matches[0]).toEqual({ id: 'srcA:page-0:0', score: 1 });
    for (let i = 1; i < matches.length; i++) expect(matches[i - 1]!.score).toBeGreaterThanOrEqual(matches[i]!.score);
    expect(matches.at(-1)!.score).toBeCloseTo(0, 5); // orthogonal: cosine 0

    const bot2 = await store.query('w1', { vector: vec(0), topK: 2, chatbotId: 'bot2' });
    expect(bot2.map((m) => m.id)).toEqual(['srcB:page-0:0', 'srcB:page-0:1']);
    expect(await store.query('w1', { vector: vec(0), topK: 5, chatbotId: 'bot-unknown' })).toEqual([]);
  });

  it('keeps each workspace in its own namespace', async () => {
    await store.upsert('wa', records('same', ['bot'], 2, 1));
    await store.upsert('wb', records('same', ['bot'], 5, 1));
    expect(fake.count('ws-wa')).toBe(2);
    expect(fake.count('ws-wb')).toBe(5);
    expect((await store.query('wa', { vector: vec(1), topK: 100, chatbotId: 'bot' })).length).toBe(2);
    await store.deleteSource('wa', 'same');
    expect(fake.count('ws-wa')).toBe(0);
    expect(await store.countSource('wb', 'same')).toBe(5);
  });

  it('deletes every vector of a source across list pages and delete batches, keeping the others', async () => {
    const before = fake.requests.length;
    await store.upsert('w2', [...records('big', ['bot1'], 250, 2), ...records('bigger', ['bot1'], 30, 2), ...records('other', ['bot1'], 40, 4)]);
    const upserts = fake.requests.slice(before).filter((r) => r.path === '/vectors/upsert');
    expect(upserts.length).toBe(4); // 320 records in batches of 100
    expect(await store.countSource('w2', 'big')).toBe(250);

    const mark = fake.requests.length;
    await store.deleteSource('w2', 'big');
    const calls = fake.requests.slice(mark);
    expect(calls.filter((r) => r.path === '/vectors/list').length).toBe(3); // 100 + 100 + 50
    expect(calls.filter((r) => r.path === '/vectors/delete').length).toBe(1);
    expect(await store.countSource('w2', 'big')).toBe(0);
    // `big:` is not a prefix of `bigger:` ids, and other sources are untouched.
    expect(await store.countSource('w2', 'bigger')).toBe(30);
    expect(await store.countSource('w2', 'other')).toBe(40);
    expect(fake.vectors('ws-w2').every((v) => v.metadata?.sourceId !== 'big')).toBe(true);
  });

  it('deletes by id, and a delete in a workspace that never stored anything is a no-op', async () => {
    await store.upsert('w3', records('s', ['bot'], 3, 5));
    await store.deleteIds('w3', ['s:page-0:1', 'missing']);
    expect(fake.vectors('ws-w3').map((v) => v.id)).toEqual(['s:page-0:0', 's:page-0:2']);
    await expect(store.deleteSource('never-written', 's')).resolves.toBeUndefined();
    await expect(store.deleteIds('never-written', ['x'])).resolves.toBeUndefined();
    expect(fake.requests.some((r) => r.path === '/vectors/delete' && r.status === 404)).toBe(true);
  });

  it('relabels every vector of a source with its new chatbots', async () => {
    await store.upsert('w4', [...records('src', ['bot1'], 120, 6), ...records('keep', ['bot1'], 3, 6)]);
    await store.relabelSource('w4', 'src', ['bot2', 'bot3']);
    const vectors = fake.vectors('ws-w4');
    expect(vectors.filter((v) => v.metadata?.sourceId === 'src').every((v) => JSON.stringify(v.metadata?.chatbotIds) === '["bot2","bot3"]')).toBe(true);
    expect(vectors.filter((v) => v.metadata?.sourceId === 'keep').every((v) => JSON.stringify(v.metadata?.chatbotIds) === '["bot1"]')).toBe(true);

    const bot1 = await store.query('w4', { vector: vec(6), topK: 200, chatbotId: 'bot1' });
    expect(bot1.map((m) => m.id).sort()).toEqual(['keep:page-0:0', 'keep:page-0:1', 'keep:page-0:2']);
    expect((await store.query('w4', { vector: vec(6), topK: 200, chatbotId: 'bot3' })).length).toBe(120);

    await store.relabelSource('w4', 'src', []);
    expect(await store.query('w4', { vector: vec(6), topK: 200, chatbotId: 'bot2' })).toEqual([]);
    expect(await store.countSource('w4', 'src')).toBe(120);
  });

  it('fails with an authorization error when the API key is wrong, changing nothing', async () => {
    const wrong = createPineconeStore({ apiKey: 'pcsk_wrong', indexName: 'sapa-test', indexHost: fake.indexHost });
    await expect(wrong.upsert('w5', records('s', ['bot'], 1, 0))).rejects.toMatchObject({ name: 'PineconeAuthorizationError' });
    await expect(wrong.query('w1', { vector: vec(0), topK: 1, chatbotId: 'bot1' })).rejects.toMatchObject({ name: 'PineconeAuthorizationError' });
    expect(fake.count('ws-w5')).toBe(0);
  });

  it("fails with Pinecone's message when the vectors do not fit the index dimension", async () => {
    const bad: VectorRecord = { id: 's:p:0', values: [1, 0, 0, 0], sourceId: 's', chatbotIds: ['bot'] };
    await expect(store.upsert('w6', [bad])).rejects.toMatchObject({
      name: 'PineconeBadRequestError',
      message: 'Vector dimension 4 does not match the dimension of the index 8',
    });
    await expect(store.query('w1', { vector: [1, 0], topK: 1, chatbotId: 'bot1' })).rejects.toMatchObject({ name: 'PineconeBadRequestError' });
    expect(fake.count('ws-w6')).toBe(0);
  });
});

describe('fake Pinecone wire checks', () => {
  const call = (path: string, init: { method?: string; body?: unknown; key?: string } = {}) =>
    fetch(`${fake.indexHost}${path}`, {
      method: init.method ?? 'POST',
      headers: { 'Api-Key': init.key ?? API_KEY, 'Content-Type': 'application/json', 'X-Pinecone-Api-Version': '2026-04' },
      ...(init.body === undefined ? {} : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
    });

  it("answers a wrong key with 401 and Pinecone's error envelope", async () => {
    const res = await call('/describe_index_stats', { body: {}, key: 'nope' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'Invalid API Key' }, status: 401 });
  });

  it('enforces topK, batch-size and request-size limits with 400s', async () => {
    const topK = await call('/query', { body: { vector: vec(0), topK: 10_001, namespace: 'x' } });
    expect(topK.status).toBe(400);
    expect(await topK.json()).toMatchObject({ code: 3, details: [] });

    const many = Array.from({ length: 1001 }, (_, i) => ({ id: `v${i}`, values: vec(0) }));
    expect((await call('/vectors/upsert', { body: { vectors: many, namespace: 'limits' } })).status).toBe(400);

    const heavy = Array.from({ length: 400 }, (_, i) => ({ id: `h${i}`, values: vec(0), metadata: { text: 'x'.repeat(6000) } }));
    const big = await call('/vectors/upsert', { body: { vectors: heavy, namespace: 'limits' } });
    expect(big.status).toBe(400);
    expect(((await big.json()) as { message: string }).message).toMatch(/exceeds the maximum supported size of 2MB/);

    const ids = Array.from({ length: 1001 }, (_, i) => `i${i}`);
    expect((await call('/vectors/delete', { body: { ids, namespace: 'ws-w1' } })).status).toBe(400);
    expect(fake.count('limits')).toBe(0);
  });

  it('filters with $eq, $ne, $nin, $and and $or, fetches and reports stats', async () => {
    const upsert = await call('/vectors/upsert', {
      body: {
        namespace: 'filters',
        vectors: [
          { id: 'a', values: vec(0), metadata: { kind: 'menu', price: 25000, tags: ['kopi', 'panas'] } },
          { id: 'b', values: vec(0, 0.5), metadata: { kind: 'menu', price: 30000, tags: ['kopi', 'dingin'] } },
          { id: 'c', values: vec(1), metadata: { kind: 'faq' } },
        ],
      },
    });
    expect(await upsert.json()).toEqual({ upsertedCount: 3 });
    const ids = async (filter: unknown) => {
      const res = await call('/query', { body: { namespace: 'filters', vector: vec(0), topK: 10, filter, includeMetadata: true } });
      expect(res.status).toBe(200);
      return ((await res.json()) as { matches: Array<{ id: string }> }).matches.map((m) => m.id);
    };
    expect(await ids({ kind: 'menu' })).toEqual(['a', 'b']);
    expect(await ids({ kind: { $ne: 'menu' } })).toEqual(['c']);
    expect(await ids({ tags: { $nin: ['dingin'] } })).toEqual(['a', 'c']);
    expect(await ids({ $and: [{ tags: { $eq: 'kopi' } }, { price: { $gte: 30000 } }] })).toEqual(['b']);
    expect(await ids({ $or: [{ kind: 'faq' }, { tags: { $in: ['panas'] } }] })).toEqual(['a', 'c']);
    expect((await call('/query', { body: { namespace: 'filters', vector: vec(0), topK: 1, filter: { kind: { $regex: 'x' } } } })).status).toBe(400);

    const fetched = await fetch(`${fake.indexHost}/vectors/fetch?ids=a&ids=zzz&namespace=filters`, { headers: { 'Api-Key': API_KEY } });
    const body = (await fetched.json()) as { vectors: Record<string, { id: string }> };
    expect(Object.keys(body.vectors)).toEqual(['a']);

    const stats = (await (await call('/describe_index_stats', { body: {} })).json()) as { namespaces: Record<string, { vectorCount: number }>; dimension: number };
    expect(stats.dimension).toBe(DIM);
    expect(stats.namespaces.filters).toEqual({ vectorCount: 3 });
  });
});
