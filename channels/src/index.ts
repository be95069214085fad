import type { ChannelType } from '@sapa/shared';
import type { ChannelSender } from './types';
import { webSender } from './web/sender';

export * from './types';

const senders: Partial<Record<ChannelType, ChannelSender>> = { web: webSender };

export function senderFor(type: ChannelType): ChannelSender {
  const sender = senders[type];
  if (!sender) throw new Error(`no sender for channel type ${type}`);
  return sender;
}
