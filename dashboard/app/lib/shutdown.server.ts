/**
 * Clean exit on SIGTERM/SIGINT. remix-serve only stops accepting connections on a signal; open
 * event streams and the database and Temporal connections would keep the process alive, so the
 * tasks registered here end them (newest first: streams before the connections they use).
 */
const tasks: Array<() => Promise<void> | void> = [];
/** Last resort if something still holds the event loop open after the tasks ran. */
const FORCE_EXIT_AFTER_MS = 5_000;

let registered = false;

export function onShutdown(task: () => Promise<void> | void): void {
  tasks.unshift(task);
  if (registered) return;
  registered = true;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void shutdown());
}

async function shutdown() {
  setTimeout(() => process.exit(0), FORCE_EXIT_AFTER_MS).unref();
  for (const task of tasks) {
    try {
      await task();
    } catch {
      // Shutting down anyway: one failing task must not keep the others from running.
    }
  }
}
