/** Small statistics helpers for benchmarks. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summarize(latenciesMs: number[]) {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return { count: sorted.length, p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), max: round(sorted[sorted.length - 1] ?? NaN) };
}

/** Run `task` `total` times with `concurrency` in flight; returns operations per second. */
export async function closedLoop(total: number, concurrency: number, task: (i: number) => Promise<void>) {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await task(next++);
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return { perSecond: total / seconds, seconds };
}

/** Start `task` at a fixed rate for `count` operations, measuring each one's latency. */
export async function openLoop(ratePerSecond: number, count: number, task: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  const intervalMs = 1000 / ratePerSecond;
  const start = performance.now();
  const running: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    running.push(
      (async () => {
        const t0 = performance.now();
        await task(i);
        latencies.push(performance.now() - t0);
      })(),
    );
  }
  await Promise.all(running);
  return latencies;
}
