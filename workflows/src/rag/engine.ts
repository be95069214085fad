/**
 * The knowledge engine's long-lived parts, made once per worker from config: the vector store
 * (embedded or Pinecone), the in-process indexes, and a way to get the embedder a chatbot's
 * retrieval settings name.
 */
import { DEFAULT_EMBEDDING_MODELS, type Config, type RetrievalSettings } from '@sapa/shared';
import { platformCredentials } from '../ai/credentials';
import { createEmbeddingProvider } from '../ai/providers';
import type { EmbeddingProvider } from '../ai/types';
import { createLocalEmbeddings } from './embed/local';
import { KnowledgeIndexCache } from './knowledge-index';
import { createEmbeddedStore } from './vector-store/embedded';
import { createPineconeStore } from './vector-store/pinecone';
import type { VectorStore } from './vector-store/types';

export interface RagEngine {
  store: VectorStore;
  indexes: Pick<KnowledgeIndexCache, 'get' | 'recent'>;
  embedderFor(retrieval: Pick<RetrievalSettings, 'embeddingProvider' | 'embeddingModel' | 'embeddingBaseUrl'>): EmbeddingProvider;
}

export function createRagEngine(config: Config): RagEngine {
  const pinecone = config.VECTOR_STORE === 'pinecone';
  const indexes = new KnowledgeIndexCache({ withVectors: !pinecone });
  const store = pinecone
    ? createPineconeStore({
        apiKey: config.PINECONE_API_KEY!,
        indexName: config.PINECONE_INDEX,
        indexHost: config.PINECONE_INDEX_HOST!,
        ...(config.PINECONE_CONTROLLER_HOST ? { controllerHostUrl: config.PINECONE_CONTROLLER_HOST } : {}),
      })
    : createEmbeddedStore(indexes);
  const local = createLocalEmbeddings();
  return {
    store,
    indexes,
    embedderFor(retrieval) {
      if (retrieval.embeddingProvider === 'local') return local;
      const model = retrieval.embeddingModel || DEFAULT_EMBEDDING_MODELS[retrieval.embeddingProvider];
      return createEmbeddingProvider(retrieval.embeddingProvider, model, platformCredentials(config, retrieval.embeddingProvider, retrieval.embeddingBaseUrl));
    },
  };
}
