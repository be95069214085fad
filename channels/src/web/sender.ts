import type { ChannelSender } from '../types';

/**
 * The web widget has no provider to call: a reply is delivered once it is stored and published on
 * the realtime stream, which the delivery activity does for every channel. The visitor's browser
 * picks it up from there (and from the thread on reload).
 */
export const webSender: ChannelSender = {
  async send() {
    return { status: 'delivered' };
  },
};
