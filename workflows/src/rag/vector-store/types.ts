/**
 * The vector-store port. Two adapters: `embedded` (vectors in MongoDB, searched in process; the
 * default that needs no account) and `pinecone` (one namespace per workspace). Records carry the
 * chatbots their source serves, and every query filters on one chatbot, so a chatbot can never
 * retrieve another chatbot's knowledge.
 */
export interface VectorRecord {
  /** The chunk id (`<sourceId>:<pageKey>:<n>`). */
  id: string;
  values: number[];
  sourceId: string;
  chatbotIds: string[];
}

export interface VectorQuery {
  vector: number[];
  topK: number;
  chatbotId: string;
}

export interface VectorMatch {
  id: string;
  /** Cosine similarity, -1..1 (1 = same direction). */
  score: number;
}

export interface VectorStore {
  readonly kind: 'embedded' | 'pinecone';
  upsert(workspaceId: string, records: VectorRecord[]): Promise<void>;
  query(workspaceId: string, query: VectorQuery): Promise<VectorMatch[]>;
  deleteIds(workspaceId: string, ids: string[]): Promise<void>;
  /** Every vector of the source, whatever its ids (no orphans). */
  deleteSource(workspaceId: string, sourceId: string): Promise<void>;
  /** The source now serves these chatbots: every one of its vectors is re-labelled. */
  relabelSource(workspaceId: string, sourceId: string, chatbotIds: string[]): Promise<void>;
  /** How many vectors the source has (tests and the chunk viewer check there are no orphans). */
  countSource(workspaceId: string, sourceId: string): Promise<number>;
}
