// Every workflow the worker registers; the bundler starts from this file.
export { conversationWorkflow } from './conversation';
