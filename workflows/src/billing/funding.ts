/**
 * Who pays for a reply, decided before the model is called, in this order: the workspace's own
 * key for the provider (active, and under its monthly limit) → the platform's key paid with the
 * workspace's credits, if the balance covers the estimate → nobody: the caller hands the customer
 * to a person and tells the owner. An OpenAI-compatible endpoint is the owner's own server: it
 * costs no credits. The offline answerer never needs funding.
 */
import {
  KeyVault,
  estimateCredits,
  findUsableApiKey,
  getBalance,
  isOverMonthlyLimit,
  openApiKey,
  type ChatProviderId,
  type Config,
} from '@sapa/shared';
import { platformCredentials } from '../ai/credentials';
import type { ProviderCredentials } from '../ai/types';

export type Funding =
  | { via: 'own_key'; apiKeyId: string }
  | { via: 'credits'; estimate: number }
  /** The owner's own OpenAI-compatible endpoint with the platform's settings: nothing to charge. */
  | { via: 'own_endpoint' };

export interface FundedTarget {
  creds: ProviderCredentials;
  funding: Funding;
}

export type Refusal = { refused: 'no_credits' | 'not_configured' };

export interface FundingRequest {
  workspaceId: string;
  provider: ChatProviderId;
  model: string;
  baseUrl?: string;
  promptTokens: number;
  maxTokens: number;
}

export function createFunding(config: Config) {
  const vault = new KeyVault(config.SAPA_MASTER_KEYS);

  return {
    async resolve(request: FundingRequest): Promise<FundedTarget | Refusal> {
      const { workspaceId, provider } = request;
      const estimate = estimateCredits({ provider, model: request.model, promptTokens: request.promptTokens, maxTokens: request.maxTokens });

      const own = provider === 'offline' ? null : await findUsableApiKey(workspaceId, provider, request.baseUrl);
      // A key over its monthly limit (counting this call's estimate) is passed over, not refused.
      if (own && !isOverMonthlyLimit(own.key, own.usage.credits + estimate)) {
        const platform = platformCredentials(config, provider, request.baseUrl);
        return {
          creds: { ...platform, apiKey: openApiKey(vault, own.key), ...(own.key.baseUrl ? { baseUrl: own.key.baseUrl } : {}) },
          funding: { via: 'own_key', apiKeyId: String(own.key._id) },
        };
      }
      if (provider === 'openai_compatible') {
        return { creds: platformCredentials(config, provider, request.baseUrl), funding: { via: 'own_endpoint' } };
      }
      const platform = platformCredentials(config, provider);
      if (!platform.apiKey) return { refused: 'not_configured' };
      if ((await getBalance(workspaceId)) < estimate) return { refused: 'no_credits' };
      return { creds: platform, funding: { via: 'credits', estimate } };
    },
  };
}

export type FundingResolver = ReturnType<typeof createFunding>;
