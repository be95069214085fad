/** The longest reply an agent can send; checked by the browser and again by the action. */
export const REPLY_MAX_CHARS = 4000;
