import type { ConversationMode } from '@sapa/shared/conversation';
import { useT } from '../lib/root-data';

export function ModeBadge({ mode }: { mode: ConversationMode }) {
  const tr = useT();
  return (
    <span className={`mode-badge mode-badge--${mode}`} data-testid="mode-badge" data-mode={mode}>
      {tr(`dash.mode.${mode}`)}
    </span>
  );
}
