/**
 * The Replicate adapter: runs an official language model (`owner/name`, e.g.
 * `meta/meta-llama-3-8b-instruct`) with the `replicate` package. It creates a prediction with
 * `Prefer: wait`, polls until it finishes when the model took longer than the wait, and joins
 * the streamed-token output array into the answer.
 *
 * These models take one `prompt` plus a `system_prompt`, so the conversation is written out as
 * a transcript (`buildReplicatePrompt`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import Replicate, { type Prediction } from 'replicate';
import { z } from 'zod';
import { ProviderError, type ChatProvider, type ChatRequest, type ChatResult, type ChatTurn, type ProviderCredentials } from '../types';
import { fromHttpFailure, fromReplicateError, type ErrorContext } from './errors';

export interface ReplicateProviderOptions {
  /** How often to poll a prediction that did not finish within the `Prefer: wait` window (default 1 s). */
  pollIntervalMs?: number;
}

const DEFAULT_POLL_INTERVAL_MS = 1_000;
const OFFICIAL_MODEL = /^[\w.-]+\/[\w.-]+$/;

/** What this adapter reads from a prediction: its `output` is model-defined, so it is checked. */
const predictionResult = z.object({
  status: z.enum(['starting', 'processing', 'succeeded', 'failed', 'canceled', 'aborted']),
  output: z.union([z.array(z.string()), z.string()]).nullish(),
  error: z.unknown().optional(),
  model: z.string().optional(),
  metrics: z.object({ input_token_count: z.number().optional(), output_token_count: z.number().optional() }).optional(),
});

export function createReplicateChat(creds: ProviderCredentials, opts: ReplicateProviderOptions = {}): ChatProvider {
  const apiKey = creds.apiKey;
  if (!apiKey) throw new ProviderError('not_configured', 'replicate: no API token is set', { provider: 'replicate' });
  const context: ErrorContext = { provider: 'replicate', apiKey };
  const pollIntervalMs = opts.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const clientWith = (fetchFn: typeof fetch) => new Replicate({ auth: apiKey, ...(creds.baseUrl ? { baseUrl: creds.baseUrl } : {}), fetch: fetchFn });

  return {
    id: 'replicate',
    async chat(request: ChatRequest): Promise<ChatResult> {
      if (!OFFICIAL_MODEL.test(request.model)) {
        throw new ProviderError('bad_request', `replicate: "${request.model}" is not an official model name (owner/name)`, { provider: 'replicate' });
      }
      const client = clientWith(singleAttemptFetch(context));
      const { signal } = request;
      let prediction: Prediction | undefined;
      try {
        prediction = await client.predictions.create({
          model: request.model,
          input: {
            prompt: buildReplicatePrompt(request.messages),
            ...(request.system ? { system_prompt: request.system } : {}),
            max_tokens: request.maxTokens,
            temperature: request.temperature,
          },
          wait: true,
          ...(signal ? { signal } : {}),
        });
        while (prediction.status === 'starting' || prediction.status === 'processing') {
          await sleep(pollIntervalMs, undefined, signal ? { signal } : {});
          prediction = await client.predictions.get(prediction.id, signal ? { signal } : {});
        }
        return readResult(prediction, request.model);
      } catch (error) {
        if (prediction && (prediction.status === 'starting' || prediction.status === 'processing')) {
          // Abandoned (the router's timeout): stop paying for it. Best effort, not awaited.
          clientWith(fetch)
            .predictions.cancel(prediction.id)
            .catch(() => undefined);
        }
        throw fromReplicateError(error, context);
      }
    },
  };
}

function readResult(raw: Prediction, requestedModel: string): ChatResult {
  const parsed = predictionResult.safeParse(raw);
  if (!parsed.success) throw new ProviderError('server', `replicate: unexpected prediction: ${parsed.error.message}`, { provider: 'replicate' });
  const prediction = parsed.data;
  if (prediction.status !== 'succeeded') {
    // A failed prediction is usually the model crashing or running out of memory, not the input.
    const reason = typeof prediction.error === 'string' ? prediction.error : prediction.status;
    throw new ProviderError('server', `replicate: prediction ${prediction.status}: ${reason}`, { provider: 'replicate' });
  }
  const output = prediction.output ?? '';
  return {
    text: (Array.isArray(output) ? output.join('') : output).trim(),
    inputTokens: prediction.metrics?.input_token_count ?? 0,
    outputTokens: prediction.metrics?.output_token_count ?? 0,
    model: prediction.model ?? requestedModel,
  };
}

/**
 * One `prompt` for the whole conversation: the latest message alone when there is no history,
 * otherwise a labelled transcript ending with the customer's latest message.
 */
export function buildReplicatePrompt(turns: ChatTurn[]): string {
  const spoken = turns.filter((turn) => turn.content.trim() !== '');
  if (spoken.length === 1 && spoken[0]?.role === 'user') return spoken[0].content;
  return spoken.map((turn) => `${turn.role === 'user' ? 'User' : 'Assistant'}: ${turn.content.trim()}`).join('\n\n');
}

/**
 * A fetch for one chat call that makes each request once. The `replicate` package retries 429s
 * (and 5xx on GET) up to five times by itself, with no option to turn that off, and the router
 * does its own retrying. So a retryable response, or a network failure, becomes a
 * `ProviderError` that this fetch keeps throwing on every later call: the package's retry loop
 * then gives up without touching the network again and rethrows it.
 */
function singleAttemptFetch(context: ErrorContext): typeof fetch {
  let terminal: ProviderError | undefined;
  return async (input, init) => {
    if (terminal) throw terminal;
    let response: Response;
    try {
      response = await fetch(input, init);
    } catch (error) {
      terminal = fromReplicateError(error, context);
      throw terminal;
    }
    if (response.status === 429 || response.status >= 500) {
      terminal = fromHttpFailure(response.status, await response.text(), response.headers, context);
      throw terminal;
    }
    return response;
  };
}
