/**
 * A wire-faithful fake of one Pinecone serverless index (dense, cosine) for tests: a node:http
 * server on loopback that speaks the data-plane REST API the official SDK calls (`/vectors/upsert`,
 * `/query`, `/vectors/delete`, `/vectors/fetch`, `/vectors/list`, `/vectors/update`,
 * `/describe_index_stats`) and the control plane's `GET /indexes[/{name}]`. It checks the
 * `Api-Key` header, request shapes and Pinecone's limits, and answers with Pinecone's envelopes:
 * data-plane errors as gRPC statuses `{ code, message, details }`, authentication and control-plane
 * errors as `{ error: { code, message }, status }`.
 *
 * Simplifications, on purpose: one index per fake; control and data plane share one server; the
 * index's `host` is reported with its `http://` scheme (the real one is a bare https host) so the
 * SDK can reach the fake when it resolves the host by name; writes are visible at once (the real
 * service is eventually consistent); sparse vectors and integrated inference are not served.
 */
import http from 'node:http';
import { closeServer, listenOnLoopback } from './http-kit';

export interface FakePineconeOptions {
  apiKey: string;
  dimension: number;
  indexName?: string;
}

export interface FakePineconeVector {
  id: string;
  values: number[];
  metadata?: Record<string, MetadataValue>;
}

export interface FakePineconeRequest {
  method: string;
  path: string;
  status: number;
  apiVersion?: string;
}

type MetadataValue = string | number | boolean | string[];
type Json = Record<string, unknown>;

/** Pinecone's limits that the fake enforces. */
const MAX_UPSERT_VECTORS = 1000;
const MAX_UPSERT_BYTES = 2 * 1024 * 1024;
const MAX_TOP_K = 10_000;
const MAX_IDS = 1000;
const MAX_ID_LENGTH = 512;
const MAX_METADATA_BYTES = 40 * 1024;
const MAX_BODY_BYTES = 8 * 1024 * 1024;
const DEFAULT_LIST_LIMIT = 100;
const DEFAULT_NAMESPACE = '__default__';

/** gRPC status codes Pinecone's data plane reports in `code`. */
const GRPC = { INVALID_ARGUMENT: 3, NOT_FOUND: 5, UNIMPLEMENTED: 12 } as const;

class PineconeHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Json,
  ) {
    super(typeof body.message === 'string' ? body.message : `HTTP ${status}`);
  }
}

/** A data-plane error: HTTP status plus a gRPC status body, as Pinecone's gateway sends it. */
function dataError(status: number, code: number, message: string): PineconeHttpError {
  return new PineconeHttpError(status, { code, message, details: [] });
}

const badRequest = (message: string) => dataError(400, GRPC.INVALID_ARGUMENT, message);

/** A control-plane style error (also what an unknown API key gets everywhere). */
function apiError(status: number, code: string, message: string): PineconeHttpError {
  return new PineconeHttpError(status, { error: { code, message }, status });
}

export class FakePinecone {
  readonly apiKey: string;
  readonly dimension: number;
  readonly indexName: string;
  /** Every request, accepted or refused (for "did it call X?" assertions). */
  readonly requests: FakePineconeRequest[] = [];
  private readonly store = new Map<string, Map<string, FakePineconeVector>>();
  private readonly server: http.Server;
  private port = 0;

  constructor(opts: FakePineconeOptions) {
    if (!opts.apiKey) throw new Error('startFakePinecone needs an apiKey');
    if (!Number.isInteger(opts.dimension) || opts.dimension < 1 || opts.dimension > 20_000) {
      throw new Error('startFakePinecone needs a dimension between 1 and 20000');
    }
    this.apiKey = opts.apiKey;
    this.dimension = opts.dimension;
    this.indexName = opts.indexName ?? 'sapa';
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  /** The data-plane host (`http://127.0.0.1:<port>`), for `PINECONE_INDEX_HOST`. */
  get indexHost(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The control plane (`controllerHostUrl`), for `PINECONE_CONTROLLER_HOST`. */
  get controllerUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<this> {
    this.port = await listenOnLoopback(this.server, 'Pinecone');
    return this;
  }

  async close(): Promise<void> {
    await closeServer(this.server);
  }

  /** How many vectors a namespace holds. */
  count(namespace: string): number {
    return this.store.get(normalizeNamespace(namespace))?.size ?? 0;
  }

  /** The namespace's vectors, sorted by id (copies: editing them changes nothing). */
  vectors(namespace: string): FakePineconeVector[] {
    const ns = this.store.get(normalizeNamespace(namespace));
    if (!ns) return [];
    return [...ns.values()].sort((a, b) => compareIds(a.id, b.id)).map(cloneVector);
  }

  namespaces(): string[] {
    return [...this.store.keys()].sort();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake-pinecone');
    const method = req.method ?? 'GET';
    const apiVersion = headerValue(req.headers['x-pinecone-api-version']);
    let status = 200;
    let body: unknown;
    try {
      if (headerValue(req.headers['api-key']) !== this.apiKey) {
        throw apiError(401, 'UNAUTHENTICATED', 'Invalid API Key');
      }
      if (apiVersion !== undefined && !/^\d{4}-\d{2}$/.test(apiVersion)) {
        throw apiError(400, 'INVALID_ARGUMENT', `Unsupported API version: ${apiVersion}`);
      }
      body = await this.route(method, url, req);
    } catch (err) {
      if (err instanceof PineconeHttpError) {
        status = err.status;
        body = err.body;
      } else {
        status = 500;
        body = { code: 2, message: err instanceof Error ? err.message : 'internal error', details: [] };
      }
    }
    this.requests.push({ method, path: url.pathname, status, ...(apiVersion ? { apiVersion } : {}) });
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? {}));
  }

  private async route(method: string, url: URL, req: http.IncomingMessage): Promise<unknown> {
    const path = url.pathname;
    const post = async (handler: (body: Json, raw: number) => unknown) => {
      if (method !== 'POST') throw methodNotAllowed();
      const { json, bytes } = await readJson(req);
      return handler(json, bytes);
    };
    switch (path) {
      case '/vectors/upsert':
        return post((b, bytes) => this.upsert(b, bytes));
      case '/query':
        return post((b) => this.query(b));
      case '/vectors/delete':
        return post((b) => this.delete(b));
      case '/vectors/update':
        return post((b) => this.update(b));
      case '/describe_index_stats':
        return post((b) => this.describeIndexStats(b));
      case '/vectors/fetch':
        if (method !== 'GET') throw methodNotAllowed();
        return this.fetch(url.searchParams);
      case '/vectors/list':
        if (method !== 'GET') throw methodNotAllowed();
        return this.list(url.searchParams);
      case '/indexes':
        if (method !== 'GET') throw methodNotAllowed();
        return { indexes: [this.indexModel()] };
    }
    const describe = /^\/indexes\/([^/]+)$/.exec(path);
    if (describe) {
      if (method !== 'GET') throw methodNotAllowed();
      const name = decodeURIComponent(describe[1] ?? '');
      if (name !== this.indexName) throw apiError(404, 'NOT_FOUND', `Resource ${name} not found`);
      return this.indexModel();
    }
    throw apiError(404, 'NOT_FOUND', `Not found: ${method} ${path}`);
  }

  private indexModel(): Json {
    return {
      name: this.indexName,
      dimension: this.dimension,
      metric: 'cosine',
      host: this.indexHost,
      vector_type: 'dense',
      deletion_protection: 'disabled',
      tags: null,
      spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
      status: { ready: true, state: 'Ready' },
    };
  }

  private upsert(body: Json, bytes: number): Json {
    if (bytes > MAX_UPSERT_BYTES) {
      const mb = Math.ceil(bytes / (1024 * 1024));
      throw badRequest(`Request size ${mb}MB exceeds the maximum supported size of 2MB`);
    }
    const vectors = body.vectors;
    if (!Array.isArray(vectors)) throw badRequest('Invalid request: missing required field "vectors"');
    if (vectors.length === 0) throw badRequest('Invalid request: "vectors" must contain at least 1 vector');
    if (vectors.length > MAX_UPSERT_VECTORS) {
      throw badRequest(`Invalid request: upsert of ${vectors.length} vectors exceeds the maximum of ${MAX_UPSERT_VECTORS} vectors per request`);
    }
    // Validate every vector before writing any: a bad request changes nothing.
    const parsed = vectors.map((v) => this.parseVector(v));
    const ns = this.namespaceFor(body.namespace, true);
    for (const v of parsed) ns.set(v.id, v);
    return { upsertedCount: parsed.length };
  }

  private parseVector(raw: unknown): FakePineconeVector {
    if (!isObject(raw)) throw badRequest('Invalid request: each vector must be an object');
    const id = raw.id;
    if (typeof id !== 'string' || id.length === 0) throw badRequest('Invalid request: vector id must be a non-empty string');
    if (id.length > MAX_ID_LENGTH) throw badRequest(`Vector ID must be ${MAX_ID_LENGTH} characters or less`);
    if (raw.sparseValues !== undefined) throw badRequest('Sparse vectors are not supported by this index');
    const values = this.parseValues(raw.values);
    const vector: FakePineconeVector = { id, values };
    if (raw.metadata !== undefined && raw.metadata !== null) vector.metadata = parseMetadata(raw.metadata, id);
    return vector;
  }

  private parseValues(raw: unknown): number[] {
    if (!Array.isArray(raw) || raw.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
      throw badRequest('Invalid request: vector values must be an array of finite numbers');
    }
    if (raw.length !== this.dimension) {
      throw badRequest(`Vector dimension ${raw.length} does not match the dimension of the index ${this.dimension}`);
    }
    if (raw.every((x) => x === 0)) throw badRequest('Dense vectors must contain at least one non-zero value');
    return [...(raw as number[])];
  }

  private query(body: Json): Json {
    const topK = body.topK;
    if (typeof topK !== 'number' || !Number.isInteger(topK)) throw badRequest('Invalid request: missing or invalid field "topK"');
    if (topK < 1 || topK > MAX_TOP_K) throw badRequest(`Invalid value for top_k: ${topK}. top_k must be in the range [1, ${MAX_TOP_K}]`);
    if (body.queries !== undefined) throw badRequest('The "queries" field is deprecated and not supported; use "vector" or "id"');
    if (body.sparseVector !== undefined) throw badRequest('Sparse vectors are not supported by this index');
    const hasVector = body.vector !== undefined;
    const hasId = body.id !== undefined;
    if (hasVector === hasId) throw badRequest('Invalid request: exactly one of "vector" or "id" must be provided');
    const filter = body.filter === undefined || body.filter === null ? undefined : parseFilter(body.filter);
    const nsName = normalizeNamespace(body.namespace);
    const ns = this.store.get(nsName);

    let queryValues: number[];
    if (hasVector) {
      if (!Array.isArray(body.vector) || body.vector.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
        throw badRequest('Invalid request: "vector" must be an array of finite numbers');
      }
      if (body.vector.length !== this.dimension) {
        throw badRequest(`Query vector dimension ${body.vector.length} does not match the dimension of the index ${this.dimension}`);
      }
      queryValues = body.vector as number[];
    } else {
      if (typeof body.id !== 'string' || body.id.length === 0) throw badRequest('Invalid request: "id" must be a non-empty string');
      const found = ns?.get(body.id);
      if (!found) return { matches: [], namespace: displayNamespace(nsName), usage: { readUnits: 1 } };
      queryValues = found.values;
    }

    const includeValues = body.includeValues === true;
    const includeMetadata = body.includeMetadata === true;
    const scored = [...(ns?.values() ?? [])]
      .filter((v) => !filter || filter(v.metadata ?? {}))
      .map((v) => ({ v, score: cosine(queryValues, v.values) }))
      .sort((a, b) => b.score - a.score || compareIds(a.v.id, b.v.id))
      .slice(0, topK);
    return {
      results: [],
      matches: scored.map(({ v, score }) => ({
        id: v.id,
        score,
        values: includeValues ? [...v.values] : [],
        ...(includeMetadata && v.metadata ? { metadata: structuredClone(v.metadata) } : {}),
      })),
      namespace: displayNamespace(nsName),
      usage: { readUnits: Math.max(1, Math.ceil(scored.length / 10)) },
    };
  }

  private delete(body: Json): Json {
    const hasIds = body.ids !== undefined;
    const deleteAll = body.deleteAll === true;
    const hasFilter = body.filter !== undefined && body.filter !== null;
    if (Number(hasIds) + Number(deleteAll) + Number(hasFilter) !== 1) {
      throw badRequest('Invalid request: exactly one of "ids", "deleteAll" or "filter" must be provided');
    }
    let ids: string[] = [];
    if (hasIds) {
      if (!Array.isArray(body.ids) || body.ids.some((x) => typeof x !== 'string')) throw badRequest('Invalid request: "ids" must be an array of strings');
      if (body.ids.length === 0) throw badRequest('Invalid request: "ids" must contain at least 1 id');
      if (body.ids.length > MAX_IDS) throw badRequest(`Invalid request: cannot delete more than ${MAX_IDS} ids in one request`);
      ids = body.ids as string[];
    }
    const filter = hasFilter ? parseFilter(body.filter) : undefined;
    const ns = this.namespaceFor(body.namespace, false);
    if (deleteAll) ns.clear();
    else if (filter) {
      for (const [id, v] of ns) if (filter(v.metadata ?? {})) ns.delete(id);
    } else for (const id of ids) ns.delete(id);
    return {};
  }

  private update(body: Json): Json {
    const hasId = body.id !== undefined;
    const hasFilter = body.filter !== undefined && body.filter !== null;
    if (hasId === hasFilter) throw badRequest('Invalid request: exactly one of "id" or "filter" must be provided');
    if (body.sparseValues !== undefined) throw badRequest('Sparse vectors are not supported by this index');
    const values = body.values === undefined ? undefined : this.parseValues(body.values);
    const setMetadata = body.setMetadata === undefined || body.setMetadata === null ? undefined : parseMetadata(body.setMetadata, String(body.id ?? 'filter'));
    if (hasFilter && values) throw badRequest('Invalid request: "values" cannot be updated by filter');
    const nsName = normalizeNamespace(body.namespace);
    const ns = this.store.get(nsName);

    if (hasId) {
      if (typeof body.id !== 'string' || body.id.length === 0) throw badRequest('Invalid request: "id" must be a non-empty string');
      const v = ns?.get(body.id);
      // An update of an id that does not exist is accepted and changes nothing, like Pinecone's.
      if (v) {
        if (values) v.values = values;
        if (setMetadata) v.metadata = checkMetadataSize({ ...(v.metadata ?? {}), ...setMetadata }, v.id);
      }
      return {};
    }
    const filter = parseFilter(body.filter);
    const matched = [...(ns?.values() ?? [])].filter((v) => filter(v.metadata ?? {}));
    if (body.dryRun !== true && setMetadata) {
      for (const v of matched) v.metadata = checkMetadataSize({ ...(v.metadata ?? {}), ...setMetadata }, v.id);
    }
    return { matchedRecords: matched.length };
  }

  private fetch(params: URLSearchParams): Json {
    const ids = params.getAll('ids');
    if (ids.length === 0) throw badRequest('Invalid request: "ids" must contain at least 1 id');
    if (ids.length > MAX_IDS) throw badRequest(`Invalid request: cannot fetch more than ${MAX_IDS} ids in one request`);
    const nsName = normalizeNamespace(params.get('namespace'));
    const ns = this.store.get(nsName);
    const vectors: Record<string, FakePineconeVector> = {};
    for (const id of ids) {
      const v = ns?.get(id);
      if (v) vectors[id] = cloneVector(v);
    }
    return { vectors, namespace: displayNamespace(nsName), usage: { readUnits: 1 } };
  }

  private list(params: URLSearchParams): Json {
    const prefix = params.get('prefix') ?? '';
    const limitText = params.get('limit');
    const limit = limitText === null ? DEFAULT_LIST_LIMIT : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1) throw badRequest(`Invalid value for limit: ${limitText}. limit must be a positive integer`);
    const token = params.get('paginationToken');
    let skipPast: string | undefined;
    if (token) {
      const decoded = decodeToken(token);
      if (!decoded || decoded.prefix !== prefix) throw badRequest('Invalid pagination token');
      skipPast = decoded.skip_past;
    }
    const nsName = normalizeNamespace(params.get('namespace'));
    const ids = [...(this.store.get(nsName)?.keys() ?? [])]
      .filter((id) => id.startsWith(prefix) && (skipPast === undefined || compareIds(id, skipPast) > 0))
      .sort(compareIds);
    const page = ids.slice(0, limit);
    const last = page[page.length - 1];
    return {
      vectors: page.map((id) => ({ id })),
      ...(ids.length > limit && last !== undefined ? { pagination: { next: encodeToken({ skip_past: last, prefix }) } } : {}),
      namespace: displayNamespace(nsName),
      usage: { readUnits: 1 },
    };
  }

  private describeIndexStats(body: Json): Json {
    if (body.filter !== undefined && body.filter !== null) {
      throw badRequest('Serverless and starter indexes do not support describing index stats with metadata filtering.');
    }
    const namespaces: Record<string, { vectorCount: number }> = {};
    let total = 0;
    for (const [name, ns] of this.store) {
      namespaces[name] = { vectorCount: ns.size };
      total += ns.size;
    }
    return { namespaces, dimension: this.dimension, indexFullness: 0, totalVectorCount: total, metric: 'cosine', vectorType: 'dense' };
  }

  /** Upserts create namespaces; deletes in a namespace that was never written get Pinecone's 404. */
  private namespaceFor(raw: unknown, create: boolean): Map<string, FakePineconeVector> {
    if (raw !== undefined && typeof raw !== 'string') throw badRequest('Invalid request: "namespace" must be a string');
    const name = normalizeNamespace(raw);
    let ns = this.store.get(name);
    if (!ns) {
      if (!create) throw dataError(404, GRPC.NOT_FOUND, 'Namespace not found');
      ns = new Map();
      this.store.set(name, ns);
    }
    return ns;
  }
}

export async function startFakePinecone(opts: FakePineconeOptions): Promise<FakePinecone> {
  return new FakePinecone(opts).listen();
}

// ---------------------------------------------------------------------------------------------
// Metadata and filters (Pinecone's metadata filter language, the subset Sapa and its tests use).

type Predicate = (metadata: Record<string, MetadataValue>) => boolean;
type Scalar = string | number | boolean;

function parseMetadata(raw: unknown, id: string): Record<string, MetadataValue> {
  if (!isObject(raw)) throw badRequest('Invalid request: metadata must be an object');
  const out: Record<string, MetadataValue> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) out[key] = value;
    else if (Array.isArray(value) && value.every((x) => typeof x === 'string')) out[key] = [...(value as string[])];
    else {
      throw badRequest(
        `Metadata value for field "${key}" must be a string, number, boolean or list of strings, got ${value === null ? 'null' : typeof value}`,
      );
    }
  }
  return checkMetadataSize(out, id);
}

function checkMetadataSize(metadata: Record<string, MetadataValue>, id: string): Record<string, MetadataValue> {
  const size = Buffer.byteLength(JSON.stringify(metadata));
  if (size > MAX_METADATA_BYTES) {
    throw badRequest(`Metadata size is ${size} bytes, which exceeds the limit of ${MAX_METADATA_BYTES} bytes per vector (id ${id})`);
  }
  return metadata;
}

function parseFilter(raw: unknown): Predicate {
  if (!isObject(raw)) throw badRequest('Invalid filter: a filter must be an object');
  const clauses: Predicate[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value) || value.length === 0) throw badRequest(`Invalid filter: ${key} requires a non-empty array`);
      const parts = value.map(parseFilter);
      clauses.push(key === '$and' ? (m) => parts.every((p) => p(m)) : (m) => parts.some((p) => p(m)));
    } else if (key.startsWith('$')) {
      throw badRequest(`Invalid filter: unknown top-level operator ${key}`);
    } else {
      clauses.push(parseFieldCondition(key, value));
    }
  }
  return (m) => clauses.every((c) => c(m));
}

function parseFieldCondition(field: string, condition: unknown): Predicate {
  // `{ field: value }` is shorthand for `{ field: { $eq: value } }`.
  if (!isObject(condition)) return parseOperator(field, '$eq', condition);
  const ops = Object.entries(condition).map(([op, operand]) => parseOperator(field, op, operand));
  if (ops.length === 0) throw badRequest(`Invalid filter: empty condition for field "${field}"`);
  return (m) => ops.every((p) => p(m));
}

function parseOperator(field: string, op: string, operand: unknown): Predicate {
  const get = (m: Record<string, MetadataValue>) => m[field];
  switch (op) {
    case '$eq':
    case '$ne': {
      const want = scalarOperand(field, op, operand);
      const eq = (m: Record<string, MetadataValue>) => valueMatchesAny(get(m), [want]);
      return op === '$eq' ? eq : (m) => !eq(m);
    }
    case '$in':
    case '$nin': {
      if (!Array.isArray(operand)) throw badRequest(`Invalid filter: ${op} for field "${field}" requires an array`);
      if (operand.length > 10_000) throw badRequest(`Invalid filter: ${op} accepts at most 10000 values`);
      const wanted = operand.map((x) => scalarOperand(field, op, x));
      const any = (m: Record<string, MetadataValue>) => valueMatchesAny(get(m), wanted);
      return op === '$in' ? any : (m) => !any(m);
    }
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte': {
      if (typeof operand !== 'number') throw badRequest(`Invalid filter: ${op} for field "${field}" requires a number`);
      return (m) => {
        const v = get(m);
        if (typeof v !== 'number') return false;
        return op === '$gt' ? v > operand : op === '$gte' ? v >= operand : op === '$lt' ? v < operand : v <= operand;
      };
    }
    case '$exists': {
      if (typeof operand !== 'boolean') throw badRequest(`Invalid filter: $exists for field "${field}" requires a boolean`);
      return (m) => (get(m) !== undefined) === operand;
    }
    default:
      throw badRequest(`Invalid filter: unknown operator ${op} for field "${field}"`);
  }
}

function scalarOperand(field: string, op: string, operand: unknown): Scalar {
  if (typeof operand === 'string' || typeof operand === 'boolean' || (typeof operand === 'number' && Number.isFinite(operand))) return operand;
  throw badRequest(`Invalid filter: ${op} for field "${field}" requires a string, number or boolean`);
}

/** A list field matches when any of its elements matches; a missing field never matches. */
function valueMatchesAny(value: MetadataValue | undefined, wanted: Scalar[]): boolean {
  if (value === undefined) return false;
  const values: Scalar[] = Array.isArray(value) ? value : [value];
  return values.some((v) => wanted.includes(v));
}

// ---------------------------------------------------------------------------------------------

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** Pinecone sorts ids bitwise ("C" collation), not by locale. */
function compareIds(a: string, b: string): number {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return Buffer.compare(ba, bb);
}

function normalizeNamespace(raw: unknown): string {
  return typeof raw === 'string' && raw.length > 0 ? raw : DEFAULT_NAMESPACE;
}

function displayNamespace(name: string): string {
  return name === DEFAULT_NAMESPACE ? '' : name;
}

function encodeToken(token: { skip_past: string; prefix: string }): string {
  return Buffer.from(JSON.stringify(token)).toString('base64');
}

function decodeToken(token: string): { skip_past: string; prefix: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (isObject(parsed) && typeof parsed.skip_past === 'string' && typeof parsed.prefix === 'string') {
      return { skip_past: parsed.skip_past, prefix: parsed.prefix };
    }
  } catch {
    // falls through: not a token this index issued
  }
  return undefined;
}

function cloneVector(v: FakePineconeVector): FakePineconeVector {
  return { id: v.id, values: [...v.values], ...(v.metadata ? { metadata: structuredClone(v.metadata) } : {}) };
}

function isObject(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function headerValue(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}

function methodNotAllowed(): PineconeHttpError {
  return dataError(405, GRPC.UNIMPLEMENTED, 'Method not allowed');
}

async function readJson(req: http.IncomingMessage): Promise<{ json: Json; bytes: number }> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    bytes += buf.length;
    if (bytes > MAX_BODY_BYTES) {
      const mb = Math.ceil(bytes / (1024 * 1024));
      throw badRequest(`Request size ${mb}MB exceeds the maximum supported size of 2MB`);
    }
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return { json: {}, bytes };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest('Invalid request: the body is not valid JSON');
  }
  if (!isObject(parsed)) throw badRequest('Invalid request: the body must be a JSON object');
  return { json: parsed, bytes };
}
