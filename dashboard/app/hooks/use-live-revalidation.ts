/**
 * Keeps the inbox, the Channels and the Knowledge pages live: listens to the workspace's event
 * stream and reloads the page's data when something it shows changed (a message, a mode, an
 * unread count, a channel's health, a knowledge source's progress).
 * Reloads are throttled so a burst of events costs one round trip, and the stream resumes from the
 * last event seen after a drop.
 */
import { useEffect, useRef, useState } from 'react';
import { useRevalidator } from '@remix-run/react';
import { EVENT_TYPES, type EventType } from '@sapa/shared/realtime/event-types';

export type LiveStatus = 'off' | 'live' | 'reconnecting';

/**
 * Events that change what the inbox and Channels pages show: messages and modes, delivery ticks
 * and fetched attachments (`messageUpdated`), channel health and WhatsApp Web's pairing QR
 * (`channelUpdated`). Typing notices do not. The Knowledge pages follow `knowledgeUpdated`
 * instead (KNOWLEDGE_EVENTS), which the inbox has no use for.
 */
const DATA_EVENTS: readonly EventType[] = ['userMessage', 'botResponse', 'agentJoined', 'conversationUpdated', 'messageUpdated', 'channelUpdated'];
/** A knowledge source's status, progress or removal. */
export const KNOWLEDGE_EVENTS: readonly EventType[] = ['knowledgeUpdated'];
const REVALIDATE_EVERY_MS = 750;
/** When the server refused the stream (e.g. signed out elsewhere), EventSource gives up; we do not. */
const RESTART_AFTER_MS = 5_000;
/**
 * The server ends streams every few minutes and EventSource is back within its 2 s retry; only a
 * drop that lasts longer than this is shown as "reconnecting".
 */
const SHOW_RECONNECTING_AFTER_MS = 3_000;

/** `dataEvents` must be a stable (module-level) list: the stream is reopened when it changes. */
export function useLiveRevalidation(snapshotEventId: number, dataEvents: readonly EventType[] = DATA_EVENTS): LiveStatus {
  // The router's own revalidate function: stable for the page's lifetime, so the stream is opened once.
  const { revalidate } = useRevalidator();
  // The stream starts after the first snapshot; later snapshots do not restart it.
  const lastEventId = useRef(snapshotEventId);
  const [status, setStatus] = useState<LiveStatus>('off');

  useEffect(() => {
    let source: EventSource | null = null;
    let restartTimer: ReturnType<typeof setTimeout> | undefined;
    let throttleTimer: ReturnType<typeof setTimeout> | undefined;
    let reconnectingTimer: ReturnType<typeof setTimeout> | undefined;
    let lastRevalidation = 0;

    const scheduleRevalidation = () => {
      if (throttleTimer) return;
      const wait = Math.max(0, lastRevalidation + REVALIDATE_EVERY_MS - Date.now());
      throttleTimer = setTimeout(() => {
        throttleTimer = undefined;
        lastRevalidation = Date.now();
        revalidate();
      }, wait);
    };
    const remember = (event: MessageEvent) => {
      const id = Number(event.lastEventId);
      if (Number.isSafeInteger(id) && id > lastEventId.current) lastEventId.current = id;
    };
    const onDataEvent = (event: MessageEvent) => {
      remember(event);
      scheduleRevalidation();
    };

    const connect = () => {
      source = new EventSource(`/inbox/stream?lastEventId=${lastEventId.current}`);
      source.onopen = () => {
        clearTimeout(reconnectingTimer);
        reconnectingTimer = undefined;
        setStatus('live');
      };
      source.onerror = () => {
        reconnectingTimer ??= setTimeout(() => setStatus('reconnecting'), SHOW_RECONNECTING_AFTER_MS);
        if (source?.readyState === EventSource.CLOSED) {
          source.close();
          restartTimer = setTimeout(connect, RESTART_AFTER_MS);
        }
      };
      // Every other event still moves the resume point forward.
      for (const type of EVENT_TYPES) source.addEventListener(type, dataEvents.includes(type) ? onDataEvent : remember);
    };

    // Hidden until the first connection opens; shown as reconnecting only if that takes a while.
    reconnectingTimer = setTimeout(() => setStatus('reconnecting'), SHOW_RECONNECTING_AFTER_MS);
    connect();
    return () => {
      source?.close();
      clearTimeout(restartTimer);
      clearTimeout(throttleTimer);
      clearTimeout(reconnectingTimer);
    };
  }, [revalidate, dataEvents]);

  return status;
}
