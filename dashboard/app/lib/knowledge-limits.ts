/**
 * Bounds on what the knowledge, chatbot and playground forms may carry: the browser enforces them
 * as it can (maxLength) and the actions check them again (knowledge-forms.server.ts,
 * chatbot-forms.server.ts).
 */
export const KNOWLEDGE_LIMITS = {
  nameChars: 200,
  /** About a 60-page document of typed text; longer material belongs in a file. */
  textChars: 200_000,
  faqPairs: 50,
  questionChars: 500,
  answerChars: 5_000,
  urlChars: 2_000,
  /** Chatbots one source may serve (a workspace has few). */
  chatbots: 50,
} as const;

/** Empty question/answer rows the Q&A form shows without JavaScript (with it, rows can be added). */
export const FAQ_FORM_ROWS = 3;

/** Bounds on the playground's question and on the transcript the page posts back each time. */
export const PLAYGROUND_LIMITS = {
  questionChars: 1_000,
  /** Turns kept (a question and an answer are two): older ones are dropped. */
  turns: 12,
  turnChars: 4_000,
  /** The hidden field as posted; anything larger was not made by the page. */
  transcriptChars: 60_000,
} as const;
