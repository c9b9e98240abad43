/**
 * Times a fixed, single-threaded JavaScript workload (JSON, strings, a regular expression, maps),
 * the kind of work the worker does per recipient. On a shared or throttled VM the same code runs
 * at different speeds from one run to the next; printing this beside the figures tells a slow
 * machine apart from a slow change. Lower is faster; compare values from the same machine only.
 */
export function speedProbeMs(iterations = 200_000): number {
  const started = performance.now();
  const seen = new Map<string, number>();
  let checksum = 0;
  for (let i = 0; i < iterations; i++) {
    const json = JSON.stringify({ name: `User ${i}`, index: i });
    const data = JSON.parse(json) as { name: string; index: number };
    const html = '<p>Hello {{name}}, this is the news.</p>'.replace(/\{\{\s*(\w+)\s*\}\}/gu, () => data.name);
    seen.set(`k${i % 1024}`, html.length);
    checksum += html.length + data.index;
  }
  if (checksum < 0 || seen.size === 0) throw new Error('unreachable');
  return performance.now() - started;
}
