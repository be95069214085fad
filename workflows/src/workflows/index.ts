// Every workflow the worker registers; the bundler starts from this file.
export { conversationWorkflow } from './conversation';
export { knowledgeIngestWorkflow } from './knowledge-ingest';
export { playgroundWorkflow } from './playground';
export { planReminderWorkflow, topUpWorkflow } from './top-up';
export { keyTestWorkflow } from './key-test';
