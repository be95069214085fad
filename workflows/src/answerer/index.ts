/**
 * The offline answerer: answers a customer from a chatbot's knowledge text with no AI provider,
 * and reads the intents the conversation workflow acts on. Pure and synchronous: no I/O, the same
 * input always gives the same output, so it is safe in an activity and cheap to test.
 *
 * A caller checks `detectHumanRequest` (and `detectAcceptance` after the bot offered a human)
 * before answering; `answerOffline` only answers.
 */
export { answerOffline, type Citation, type OfflineAnswer, type OfflineQuestion } from './offline-answerer';
export { detectAcceptance, detectCourtesy, detectHumanRequest, type Courtesy } from './intent';
export { detectLanguage } from './language';
export { splitKnowledge, type KnowledgePassage } from './knowledge';
export {
  createKnowledgeIndex,
  searchKnowledge,
  DEFAULT_SEARCH_OPTIONS,
  type KnowledgeIndex,
  type SearchHit,
  type SearchOptions,
} from './search';
export { tokenize } from './tokenize';
export { stemIndonesian } from './stemmer';
