/**
 * The frame of one chatbot's pages: its name and the tabs (AI settings, playground). Owners and
 * admins only: the settings decide what the business pays for, and the playground spends it.
 */
import { Link, NavLink, Outlet, useLoaderData } from '@remix-run/react';
import type { LoaderFunctionArgs } from '@remix-run/node';
import { findChatbot, requireChatbotEditor } from '../lib/chatbots.server';
import { withHttpErrors } from '../lib/http-errors.server';
import { useT } from '../lib/root-data';

export const loader = withHttpErrors(async ({ request, params }: LoaderFunctionArgs) => {
  const { workspace } = await requireChatbotEditor(request);
  const chatbot = await findChatbot(String(workspace._id), params.chatbotId);
  return { chatbot: { id: String(chatbot._id), name: chatbot.name, publicId: chatbot.publicId } };
});

export default function ChatbotLayout() {
  const { chatbot } = useLoaderData<typeof loader>();
  const tr = useT();
  return (
    <div className="channel-page" data-testid="chatbot-page" data-chatbot-id={chatbot.id}>
      <Link to="/chatbots" className="channel-page__back">
        ← {tr('chatbots.back')}
      </Link>
      <section className="card channel-card">
        <header className="chatbot-header">
          <h1 className="channel-card__title">{chatbot.name}</h1>
          <nav className="kadd__tabs" aria-label={chatbot.name}>
            <NavLink to="settings" className={({ isActive }) => `kadd__tab${isActive ? ' kadd__tab--active' : ''}`} data-testid="tab-settings">
              {tr('chatbot.settings')}
            </NavLink>
            <NavLink to="playground" className={({ isActive }) => `kadd__tab${isActive ? ' kadd__tab--active' : ''}`} data-testid="tab-playground">
              {tr('playground.title')}
            </NavLink>
          </nav>
        </header>
        <Outlet />
      </section>
    </div>
  );
}
