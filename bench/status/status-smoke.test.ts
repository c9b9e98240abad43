import { createRedisClient } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { formatReport, jsonLine } from './report.ts';
import { runStatusBench } from './run-status-bench.ts';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

// The status bench's machinery on a day of 2 000 messages: every answer must be the rows the fill
// implies, and the report must hold a figure line per query kind and layer. Speed is the bench's
// business, not this test's.
describe('bench:status machinery (smoke)', () => {
  const prefix = uniquePrefix('statussmoke');

  afterAll(async () => {
    const redis = createRedisClient({ url: inject('redisUrl') });
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  });

  it('answers every query kind with exactly the expected rows and prints p50 and p99 for each, at the store and through the API', {
    timeout: 120_000,
  }, async () => {
    const result = await runStatusBench({ redisUrl: inject('redisUrl'), prefix, messages: 2000, samples: 3 });
    expect(result.wrong).toEqual([]);
    expect(result.messages).toBe(2000);
    expect(result.watchedRows).toBe(100);
    expect(result.rows).toBeGreaterThan(2000);
    const report = formatReport(result);
    const lines = report.split('\n').filter((l) => l.startsWith('status '));
    expect(lines).toHaveLength(18);
    for (const query of [
      'date, Offset 0',
      'date, middle Offset',
      'date, last page',
      'ToEmailAddress, Offset 0',
      'ToEmailAddress, middle Offset',
      'ToEmailAddress, last page',
      'MessageId',
      'MessageId + ToEmailAddress',
      'date, Offset 0, head expired',
    ]) {
      for (const layer of ['store', 'api']) {
        expect(
          lines.filter((l) => l.startsWith(`status ${layer.padEnd(5)} | ${query.padEnd(30)} |`)),
          `${layer} ${query}`,
        ).toHaveLength(1);
      }
    }
    for (const line of lines) expect(line).toMatch(/\| p50 \d+\.\d\d ms \| p99 \d+\.\d\d ms \| max \d+\.\d\d ms \| \d+ Redis commands$/u);
    // A call sends one command per message it shows plus a handful (the page's script, the head
    // check, the unsubscribe lookup; for a short page the count and the campaign index too).
    for (const f of result.figures) expect(f.redisCommands, `${f.layer} ${f.query}`).toBeGreaterThan(0);
    for (const f of result.figures) expect(f.redisCommands, `${f.layer} ${f.query}`).toBeLessThanOrEqual(f.rows + 10);
    // Full pages of Limit 100 wherever the day has them; a MessageId holds its own recipients only.
    for (const f of result.figures) {
      const total = f.query.startsWith('date') ? result.rows : f.query.startsWith('ToEmailAddress') ? result.watchedRows : f.rows;
      expect(f.rows, `${f.layer} ${f.query}`).toBe(Math.min(100, total - f.offset));
      expect(f.rows, `${f.layer} ${f.query}`).toBeGreaterThan(0);
    }
    expect(report).toMatch(/^(PASS|FAIL): worst p99 /mu);
    const json = JSON.parse(jsonLine(result)) as { bench: string; figures: unknown[]; wrong: unknown[] };
    expect(json).toMatchObject({ bench: 'status', messages: 2000, wrong: [] });
    expect(json.figures).toHaveLength(18);
  });
});
