import { createConversationActivities } from './conversation';

/** Every activity the worker registers. */
export function createActivities() {
  return { ...createConversationActivities() };
}
