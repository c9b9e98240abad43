import { describe, expect, it } from 'vitest';
import type { CampaignFloorResult } from './floor-loop.ts';
import { campaignFloorJson, compareCampaignWithFloor, formatCampaignFloor } from './floor-report.ts';

const pass = (variant: CampaignFloorResult['variant'], seconds: number, over: Partial<CampaignFloorResult> = {}): CampaignFloorResult => ({
  variant,
  recipients: 1_000_000,
  recorded: 1_000_000,
  runFinished: true,
  seconds,
  recipientsPerSecond: 1_000_000 / seconds,
  cpuUsPerRecipient: 5,
  redisCpuUsPerRecipient: 1.5,
  redisCommandsPerRecipient: 0.06,
  ...over,
});

const worker = { chunkSize: 50, recipients: 1_000_000, recipientsPerSecond: 22_000, workerCpuS: 40, redisCpuS: 12.6, redisCommandsPerRecipient: 0.9 };

describe('compareCampaignWithFloor', () => {
  it('adds each variant over its passes (recipients over summed time) and divides the worker by each', () => {
    const c = compareCampaignWithFloor([pass('ledger', 5), pass('render', 10), pass('ledger', 7.5), pass('render', 11.25)], worker, 8);
    expect(c.ledger.recipientsPerSecond).toBeCloseTo(2_000_000 / 12.5, 6);
    expect(c.ledger.passRates).toEqual([200_000, 1_000_000 / 7.5]);
    expect(c.render.recipientsPerSecond).toBeCloseTo(2_000_000 / 21.25, 6);
    expect(c.ratio).toBeCloseTo(22_000 / 160_000, 6);
    expect(c.ratioWithRenders).toBeCloseTo(22_000 / (2_000_000 / 21.25), 6);
    expect(c.worker.cpuUsPerRecipient).toBe(40);
    expect(c.worker.redisCpuUsPerRecipient).toBeCloseTo(12.6, 6);
    expect(c.ledger.complete && c.render.complete).toBe(true);
    const text = formatCampaignFloor(c);
    expect(text).toMatch(/^ratio worker\/floor +\| 0\.14 \(with renders and unsubscribe tokens: 0\.23\)$/mu);
    expect(text).toMatch(/^worker \(end to end\) +\| +22000 recipients\/s \| +40\.0 µs CPU\/recipient/mu);
    expect(campaignFloorJson(c)).toMatchObject({ ratio: 0.138, ratioWithRenders: 0.234, ledger: { recipientsPerSecond: 160_000 } });
  });

  it('flags a variant whose pass did not record every recipient, and gives no ratio without a worker rate', () => {
    const c = compareCampaignWithFloor([pass('ledger', 5, { recorded: 999_950 }), pass('render', 10)], { ...worker, recipientsPerSecond: null }, 8);
    expect(c.ledger.complete).toBe(false);
    expect(c.render.complete).toBe(true);
    expect(c.ratio).toBeNull();
    expect(formatCampaignFloor(c)).toContain('INCOMPLETE: a pass did not record every recipient');
    expect(formatCampaignFloor(c)).toMatch(/ratio worker\/floor +\| n\/a/u);
  });
});
