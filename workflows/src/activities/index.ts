import type { Config, QrisProvider } from '@sapa/shared';
import type { ChannelRegistry } from '@sapa/channels';
import { platformCredentials } from '../ai/credentials';
import { createChatProvider } from '../ai/providers';
import type { RouteTarget } from '../ai/router';
import { createFunding } from '../billing/funding';
import { createPaymentProvider } from '../payments';
import { createRagEngine, type RagEngine } from '../rag/engine';
import { createConversationActivities } from './conversation';
import { createKeyTestActivities } from './key-test';
import { createKnowledgeActivities } from './knowledge';
import { createPaymentActivities } from './payments';
import { createPlaygroundActivities } from './playground';
import { createReplyEngine } from './replies';

export interface ActivityDeps {
  config: Config;
  registry: ChannelRegistry;
  /** Built from config when not given (tests may share one between workers). */
  rag?: RagEngine;
  /** Built from config when not given. */
  paymentProvider?: QrisProvider | null;
}

/** Every activity the worker registers. */
export function createActivities(deps: ActivityDeps) {
  const { config } = deps;
  const rag = deps.rag ?? createRagEngine(config);
  const answerDeps = {
    config,
    rag,
    router: {
      providerFor: (target: RouteTarget) => createChatProvider(target.provider, target.creds ?? platformCredentials(config, target.provider, target.baseUrl)),
    },
  };
  const funded = { ...answerDeps, funding: createFunding(config) };
  const replies = createReplyEngine(funded);
  return {
    ...createConversationActivities({ config, registry: deps.registry, replies }),
    ...createKnowledgeActivities({ config, rag }),
    ...createPlaygroundActivities(funded),
    ...createPaymentActivities({ config, provider: deps.paymentProvider ?? createPaymentProvider(config) }),
    ...createKeyTestActivities({ config }),
  };
}
