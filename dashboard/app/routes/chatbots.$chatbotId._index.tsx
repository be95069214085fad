/** /chatbots/:chatbotId: its settings are the chatbot's page. */
import { redirect, type LoaderFunctionArgs } from '@remix-run/node';

export const loader = ({ params }: LoaderFunctionArgs) => redirect(`/chatbots/${encodeURIComponent(params.chatbotId ?? '')}/settings`);
