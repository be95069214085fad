import { createConversationActivities, type ActivityDeps } from './conversation';

export type { ActivityDeps };

/** Every activity the worker registers. */
export function createActivities(deps: ActivityDeps) {
  return { ...createConversationActivities(deps) };
}
