import { fileURLToPath } from 'node:url';
import { createKeys } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BENCH_SECRET_KEY, type BenchApi, startBenchApi } from './bench-api.ts';
import { type CampaignFloorResult, FLOOR_CHUNKS_IN_FLIGHT, FLOOR_VARIANTS } from './floor-loop.ts';
import { runFloorPass } from './floor-pass.ts';
import { floorLine } from './floor-report.ts';
import { BENCH_SENDER, BENCH_TEMPLATE_HTML, BENCH_TEMPLATE_TEXT, setUpSender, uploadList } from './load-list.ts';
import { scanKeys } from './redis-figures.ts';
import { BENCH_SUBJECT } from './run-campaign.ts';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const RECIPIENTS = 400;
const NUMBER = String.raw`\d+(?:\.\d+)?`;

// The campaign floors of bench:campaign at a tiny size: a list of 400 uploaded through the real API
// (the bench's own layout), then each floor variant in its own process, as the bench runs them.
// Speed is the bench's business; this checks the floor does its work, cleans up, and prints.
describe('bench:campaign floor loop (smoke)', () => {
  const prefix = uniquePrefix('campaignfloorsmoke');
  const redisUrl = inject('redisUrl');
  let api: BenchApi;
  let admin: Redis;
  let receiverId: number;

  beforeAll(async () => {
    api = await startBenchApi({ redisUrl, maxListSize: 50_000, prefix });
    admin = new Redis(redisUrl, { connectionName: 'campaign-floor-smoke-admin' });
    await setUpSender(api);
    receiverId = await uploadList(api, RECIPIENTS, () => undefined);
  });

  afterAll(async () => {
    await api?.close();
    await deleteKeysWithPrefix(admin, prefix);
    await admin?.quit();
  });

  it.each(FLOOR_VARIANTS)(
    'floor %s: records every recipient of the list as sent in its own run, deletes every key it wrote, leaves the list as it was, and prints nonzero figures',
    async (variant) => {
      const floorPrefix = `${prefix}-floor-${variant}`;
      const entriesKey = createKeys(prefix).receiverEntries(receiverId);
      const listBefore = await admin.lrange(entriesKey, 0, -1);
      const result: CampaignFloorResult = await runFloorPass(repoRoot, {
        redisUrl,
        listPrefix: prefix,
        receiverId,
        recipients: RECIPIENTS,
        chunkSize: 50,
        inFlight: FLOOR_CHUNKS_IN_FLIGHT,
        variant,
        content: { sender: BENCH_SENDER, subject: BENCH_SUBJECT, html: BENCH_TEMPLATE_HTML, text: BENCH_TEMPLATE_TEXT, unsubscribeSecret: BENCH_SECRET_KEY },
        prefix: floorPrefix,
      });
      expect(result).toMatchObject({ variant, recipients: RECIPIENTS, recorded: RECIPIENTS, runFinished: true });
      expect(result.seconds).toBeGreaterThan(0);
      expect(result.recipientsPerSecond).toBeGreaterThan(0);
      expect(result.cpuUsPerRecipient).toBeGreaterThan(0);
      expect(result.redisCpuUsPerRecipient).toBeGreaterThan(0);
      // One LRANGE and one EVALSHA (with the script's own commands) per chunk of 50.
      expect(result.redisCommandsPerRecipient).toBeGreaterThanOrEqual(2 / 50);

      expect(await scanKeys(admin, `*${floorPrefix}*`)).toEqual([]);
      expect(await admin.lrange(entriesKey, 0, -1)).toEqual(listBefore);

      const line = floorLine({
        variant,
        recipientsPerSecond: result.recipientsPerSecond,
        passRates: [result.recipientsPerSecond],
        cpuUsPerRecipient: result.cpuUsPerRecipient,
        redisCpuUsPerRecipient: result.redisCpuUsPerRecipient,
        redisCommandsPerRecipient: result.redisCommandsPerRecipient,
        complete: true,
      });
      expect(line).toMatch(
        new RegExp(
          String.raw`^floor[^|]+\| +${NUMBER} recipients/s \| +${NUMBER} µs CPU/recipient \| +${NUMBER} µs Redis CPU/recipient \| +${NUMBER} Redis cmds/recipient \| passes \d+$`,
          'u',
        ),
      );
    },
  );
});
