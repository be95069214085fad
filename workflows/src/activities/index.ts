import type { Config } from '@sapa/shared';
import type { ChannelRegistry } from '@sapa/channels';
import { platformCredentials } from '../ai/credentials';
import { createChatProvider } from '../ai/providers';
import type { RouteTarget } from '../ai/router';
import { createRagEngine, type RagEngine } from '../rag/engine';
import { createConversationActivities } from './conversation';
import { createKnowledgeActivities } from './knowledge';
import { createPlaygroundActivities } from './playground';
import { createReplyEngine } from './replies';

export interface ActivityDeps {
  config: Config;
  registry: ChannelRegistry;
  /** Built from config when not given (tests may share one between workers). */
  rag?: RagEngine;
}

/** Every activity the worker registers. */
export function createActivities(deps: ActivityDeps) {
  const { config } = deps;
  const rag = deps.rag ?? createRagEngine(config);
  const answerDeps = {
    config,
    rag,
    router: {
      providerFor: (target: RouteTarget) => createChatProvider(target.provider, platformCredentials(config, target.provider, target.baseUrl)),
    },
  };
  const replies = createReplyEngine(answerDeps);
  return {
    ...createConversationActivities({ config, registry: deps.registry, replies }),
    ...createKnowledgeActivities({ config, rag }),
    ...createPlaygroundActivities(answerDeps),
  };
}
