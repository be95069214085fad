/**
 * The Anthropic adapter: chat through the Messages API with the official `@anthropic-ai/sdk`.
 * The Messages API takes the system prompt as its own field and wants a conversation that starts
 * with a user turn and alternates, so turns are normalised first (`toAnthropicTurns`).
 *
 * `request.temperature` is not sent: API version 2026-10-21 (which SDK 1.x speaks) removed the
 * sampling parameters and answers 400 to any of them.
 */
import Anthropic from '@anthropic-ai/sdk';
import { ProviderError, type ChatProvider, type ChatRequest, type ChatResult, type ChatTurn, type ProviderCredentials } from '../types';
import { fromAnthropicError } from './errors';

/** A backstop only: the router aborts each attempt through `signal` well before this. */
const REQUEST_TIMEOUT_MS = 120_000;

/** Stands in for a conversation's opening when the assistant spoke first (a greeting). */
const OPENING_USER_TURN = '(The conversation starts with the assistant.)';

export function createAnthropicChat(creds: ProviderCredentials): ChatProvider {
  const apiKey = creds.apiKey;
  if (!apiKey) throw new ProviderError('not_configured', 'anthropic: no API key is set', { provider: 'anthropic' });
  const client = new Anthropic({
    apiKey,
    ...(creds.baseUrl ? { baseURL: creds.baseUrl } : {}),
    // The router retries (with its own backoff and fallback); the SDK must not retry too.
    maxRetries: 0,
    timeout: REQUEST_TIMEOUT_MS,
  });

  return {
    id: 'anthropic',
    async chat(request: ChatRequest): Promise<ChatResult> {
      const messages = toAnthropicTurns(request.messages);
      if (messages.length === 0) throw new ProviderError('bad_request', 'anthropic: the conversation has no messages', { provider: 'anthropic' });
      try {
        const message = await client.messages.create(
          {
            model: request.model,
            max_tokens: request.maxTokens,
            ...(request.system ? { system: request.system } : {}),
            messages,
          },
          { signal: request.signal },
        );
        const text = message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
        return {
          text,
          inputTokens: message.usage.input_tokens,
          outputTokens: message.usage.output_tokens,
          model: message.model || request.model,
        };
      } catch (error) {
        throw fromAnthropicError(error, { provider: 'anthropic', apiKey });
      }
    },
  };
}

/**
 * Turns as the Messages API accepts them: blank turns dropped, consecutive turns of the same role
 * merged (a customer's three short WhatsApp lines become one user turn), and a user turn first.
 */
export function toAnthropicTurns(turns: ChatTurn[]): ChatTurn[] {
  const merged: ChatTurn[] = [];
  for (const turn of turns) {
    const content = turn.content.trim();
    if (!content) continue;
    const last = merged[merged.length - 1];
    if (last && last.role === turn.role) last.content = `${last.content}\n\n${content}`;
    else merged.push({ role: turn.role, content });
  }
  if (merged[0]?.role === 'assistant') merged.unshift({ role: 'user', content: OPENING_USER_TURN });
  return merged;
}
