/**
 * Realtime event names, free of server code so the widget's browser bundle can import them too.
 * The widget's names follow the original plan: `userMessage` (a customer message was stored),
 * `botResponse` (a reply went out: from the bot, an agent or the system), `agentJoined`,
 * `agentTyping`, `startTyping` (the bot is preparing an answer). `stopTyping` and
 * `conversationUpdated` (mode, unread count) complete them. `messageUpdated` carries a delivery
 * status or a fetched attachment; `channelUpdated` a channel's health or WhatsApp Web pairing QR;
 * `knowledgeUpdated` a knowledge source's status and progress; `paymentUpdated` a QRIS payment's
 * status, `balanceChanged` the credit balance, `noticeRaised` an owner alert (all dashboard only).
 */
export const EVENT_TYPES = [
  'userMessage',
  'botResponse',
  'agentJoined',
  'agentTyping',
  'startTyping',
  'stopTyping',
  'conversationUpdated',
  'messageUpdated',
  'channelUpdated',
  'knowledgeUpdated',
  'paymentUpdated',
  'noticeRaised',
  'balanceChanged',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Events a widget visitor may receive (only those of their own conversations). */
const DASHBOARD_ONLY = ['channelUpdated', 'knowledgeUpdated', 'paymentUpdated', 'noticeRaised', 'balanceChanged'] as const;
export type WidgetEventType = Exclude<EventType, (typeof DASHBOARD_ONLY)[number]>;
export const WIDGET_EVENT_TYPES = EVENT_TYPES.filter((t): t is WidgetEventType => !(DASHBOARD_ONLY as readonly string[]).includes(t));
