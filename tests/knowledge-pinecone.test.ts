/**
 * The Pinecone vector store end to end: the worker ingests into a Pinecone index (testkit's fake,
 * through the official client), the bot answers from it, and deleting a source removes every one
 * of its vectors from the workspace's namespace while other sources stay.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KnowledgeSourceModel } from '@sapa/shared';
import { TestStack, WidgetClient, addKnowledgeSource, runKnowledge, sampleMarkdown, sourceContents } from '@sapa/testkit';
import { startFakePinecone, type FakePinecone } from '@sapa/testkit/fakes';
import { LOCAL_EMBEDDING_DIMENSIONS } from '../workflows/src/rag/embed/local';

const API_KEY = 'pcsk_fake_test_key_0000';

describe('knowledge on Pinecone', () => {
  let stack: TestStack;
  let pinecone: FakePinecone;
  const namespace = () => `ws-${stack.seed.workspaceId}`;
  const vectorsOf = (sourceId: string) => pinecone.vectors(namespace()).filter((v) => v.id.startsWith(`${sourceId}:`));

  beforeAll(async () => {
    pinecone = await startFakePinecone({ apiKey: API_KEY, dimension: LOCAL_EMBEDDING_DIMENSIONS });
    stack = await TestStack.start({
      env: { VECTOR_STORE: 'pinecone', PINECONE_API_KEY: API_KEY, PINECONE_INDEX_HOST: pinecone.indexHost, BATCH_WINDOW_MS: '0' },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await pinecone?.close();
  });

  it('stores the vectors in the workspace namespace, not in MongoDB, and answers from them', async () => {
    const [seedSource] = stack.seed.knowledgeSourceIds;
    const contents = await sourceContents(seedSource!);
    expect(contents.chunks.length).toBeGreaterThan(0);
    expect(contents.withVectors).toBe(0);
    expect(vectorsOf(seedSource!)).toHaveLength(contents.chunks.length);
    expect(vectorsOf(seedSource!)[0]!.metadata).toMatchObject({ sourceId: seedSource, chatbotIds: [stack.seed.chatbotId] });

    const widget = new WidgetClient(stack.gatewayUrl, stack.seed.publicId);
    await widget.session();
    const stream = await widget.stream();
    await widget.send('berapa harga americano?');
    const reply = await stream.waitFor((e) => e.type === 'botResponse' && e.data.message.author === 'bot', 20_000, 'reply');
    expect(reply.data.message.text).toContain('15.000');
    // Dense matches came from Pinecone: the worker queried the namespace with the chatbot filter.
    expect(pinecone.requests.some((r) => r.path === '/query' && r.status === 200)).toBe(true);
    stream.close();
  });

  it('deletes every vector of a deleted source, and only those', async () => {
    const source = await addKnowledgeSource(stack, { kind: 'file', name: 'faq.md', bytes: sampleMarkdown() });
    expect(source.status, source.error).toBe('ready');
    const sourceId = String(source._id);
    expect(vectorsOf(sourceId).length).toBe(source.chunkCount);
    const others = pinecone.count(namespace()) - source.chunkCount;

    await KnowledgeSourceModel.updateOne({ _id: source._id }, { $set: { status: 'deleting' } });
    await runKnowledge(stack, sourceId, 'delete');
    expect(vectorsOf(sourceId)).toHaveLength(0);
    expect(pinecone.count(namespace())).toBe(others);
    expect((await sourceContents(sourceId)).chunks).toHaveLength(0);
  });
});
