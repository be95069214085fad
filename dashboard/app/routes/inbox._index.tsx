import { useT } from '../lib/root-data';

export default function InboxHome() {
  const tr = useT();
  return (
    <div className="empty-state">
      <svg aria-hidden="true" viewBox="0 0 48 48" width="56" height="56" className="empty-state__icon">
        <path
          d="M8 10h32a4 4 0 0 1 4 4v18a4 4 0 0 1-4 4H20l-8 7v-7H8a4 4 0 0 1-4-4V14a4 4 0 0 1 4-4z"
          fill="none"
          stroke="currentColor"
          strokeWidth="2.5"
          strokeLinejoin="round"
        />
      </svg>
      <p>{tr('dash.selectConversation')}</p>
    </div>
  );
}
