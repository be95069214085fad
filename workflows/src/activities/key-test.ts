/**
 * The "Test key" activity: opens a workspace's own key (the vault never lets it leave this
 * function), makes the validation call with it and records the outcome on the key. Neither logs
 * nor returns the key; the failure message is scrubbed of it.
 */
import { KeyVault, type Config } from '@sapa/shared';
import { findApiKey, openApiKey, recordKeyTest } from '@sapa/shared/ai/api-keys';
import type { KeyCheckResult, KeyTestInput, KeyTestResult } from '@sapa/shared/ai/key-test';
import { apiKeyCredentials, testApiKey } from '../ai/key-check';

export interface KeyTestDeps {
  config: Config;
  /** Built from config when not given. */
  vault?: KeyVault;
}

export function createKeyTestActivities(deps: KeyTestDeps) {
  const { config } = deps;
  const vault = deps.vault ?? new KeyVault(config.SAPA_MASTER_KEYS);
  return {
    async testWorkspaceApiKey(input: KeyTestInput): Promise<KeyTestResult | null> {
      const doc = await findApiKey(input.workspaceId, input.keyId);
      if (!doc) return null;
      let check: KeyCheckResult;
      try {
        const creds = apiKeyCredentials(config, doc, openApiKey(vault, doc));
        check = await testApiKey(doc.provider, creds, { timeoutMs: config.AI_REQUEST_TIMEOUT_MS });
      } catch {
        // Only opening the key can throw here (testApiKey never does): its ciphertext is under a
        // master key this worker lacks. The error's text is about the vault, not the key.
        check = { ok: false, reason: 'other', message: 'the key cannot be decrypted with the configured SAPA_MASTER_KEYS' };
      }
      const testedAt = new Date();
      const status = await recordKeyTest(input.workspaceId, input.keyId, check, testedAt);
      // Deleted while the test ran.
      if (!status) return null;
      return { ...check, status, testedAt: testedAt.toISOString() };
    },
  };
}
