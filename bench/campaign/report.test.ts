import { describe, expect, it } from 'vitest';
import { parseBenchOptions } from './options.ts';
import { figuresOf, formatReport, judge, type Observations } from './report.ts';

const BEGIN = 1_800_000_000_000;

function observations(over: Partial<Observations['run']> = {}, more: Partial<Observations> = {}): Observations {
  return {
    options: parseBenchOptions(['--recipients', '1000000']),
    run: {
      end: 'done',
      taskId: 1,
      beginAtMs: BEGIN,
      runStartedAtMs: BEGIN + 20,
      firstSeenByPollAtMs: BEGIN + 260,
      finishedAtMs: BEGIN + 40_000,
      status: 10,
      requested: 1_000_000,
      sent: 1_000_000,
      failed: 0,
      deferred: 0,
      cancelled: 0,
      ...over,
    },
    firstWriteAtMs: BEGIN + 250,
    uploadS: 25,
    list: { bytes: 63_000_000, keys: 16_386, usedMemoryDelta: 64_000_000 },
    ledgerBytes: 600_000,
    queueResidueBytes: 12_000_000,
    idleRssKb: 140 * 1024,
    rss: { samples: 200, peakSampledKb: 180 * 1024, hwmKb: 185 * 1024 },
    workerCpuS: 40,
    benchCpuS: 2,
    machineBusyS: 60,
    redis: { calls: 1_300_000, byCommand: [{ command: 'evalsha', calls: 60_000 }], cpuS: 15 },
    measuredUntilMs: BEGIN + 40_500,
    speedProbeMs: [400, 410],
    ...more,
  };
}

describe('figuresOf', () => {
  it('measures the rate from BeginTime to the last final state, and delays from BeginTime', () => {
    const f = figuresOf(observations());
    expect(f.recipientsPerSecond).toBe(25_000);
    expect(f.firstSendDelayMs).toBe(250);
    expect(f.runStartLagMs).toBe(20);
    expect(f.sendPhasePerSecond).toBeCloseTo(1_000_000 / 39.75, 6);
    expect(f.bytesPerRecipient).toBeCloseTo(63.6, 6);
    expect(f.workerPeakRssMb).toBe(185); // the kernel's high-water mark beats the sampled peak
    expect(f.otherCpuS).toBe(3);
  });
});

describe('judge', () => {
  it('passes a complete run within every target', () => {
    expect(judge(figuresOf(observations())).verdict).toBe('PASS');
  });

  it('fails each target on its own', () => {
    const failing = (o: Observations) =>
      judge(figuresOf(o))
        .results.filter((r) => !r.pass)
        .map((r) => r.target);
    expect(failing(observations({ finishedAtMs: BEGIN + 60_000 }))).toEqual(['recipients/s end to end']);
    expect(failing(observations({}, { rss: { samples: 1, peakSampledKb: 201 * 1024, hwmKb: 0 } }))).toEqual(['worker peak RSS']);
    expect(failing(observations({}, { list: { bytes: 150_000_000, keys: 1, usedMemoryDelta: 0 } }))).toEqual(['Redis bytes/recipient (list + ledger)']);
    expect(failing(observations({}, { firstWriteAtMs: BEGIN + 1001 }))).toEqual(['BeginTime -> first send']);
  });

  it('fails a run that did not finish or did not send everyone, and a first send before BeginTime or never seen', () => {
    expect(judge(figuresOf(observations({ end: 'timeout', finishedAtMs: undefined, sent: 10 }))).verdict).toBe('FAIL');
    expect(judge(figuresOf(observations({ failed: 1, sent: 999_999 }))).verdict).toBe('FAIL');
    expect(judge(figuresOf(observations({}, { firstWriteAtMs: BEGIN - 5 }))).verdict).toBe('FAIL');
    expect(judge(figuresOf(observations({}, { firstWriteAtMs: undefined }))).verdict).toBe('FAIL');
  });
});

describe('formatReport', () => {
  it('lists every target with its verdict and notes a busy machine', () => {
    const text = formatReport(figuresOf(observations({}, { machineBusyS: 70 })), judge(figuresOf(observations())));
    expect(text).toContain('recipients/s end to end');
    expect(text).toContain('PASS');
    expect(text).toContain('note: other processes used');
  });
});
