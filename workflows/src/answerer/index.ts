/**
 * The language side of answering, shared by retrieval and the reply engine: Indonesian-aware
 * tokenizing (informal spellings and abbreviations expanded), stemming and shop synonyms (the
 * analyzer BM25 and the local embedding use), and the intents the conversation workflow acts on
 * (asks for a person, accepts the offer of one, only greets or thanks) and the message's language.
 * Pure and synchronous: no I/O, the same input always gives the same output.
 */
export { detectAcceptance, detectCourtesy, detectHumanRequest, type Courtesy } from './intent';
export { detectLanguage } from './language';
export { createAnalyzer, type Analyzer } from './analyzer';
export { tokenize } from './tokenize';
export { stemIndonesian, rootLexicon } from './stemmer';
