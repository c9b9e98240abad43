import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { SendRateInfo } from '../tasks/send-rate-info.ts';
import type { SendTask } from '../tasks/send-task.ts';
import { watchUpdate } from '../tasks/watch-task.ts';
import { createWatchReporter, watchProgressLine } from './watch-reporter.ts';

const task = (over: Partial<SendTask> = {}): SendTask => ({
  TaskId: 12,
  FromEmailAddress: 'news@mail.example.com',
  ReceiverId: 1,
  TaskStatus: 5,
  TaskType: 1,
  RequestCount: 1_000_000,
  SendCount: 1200,
  CacheCount: 998_800,
  CreateTime: '2030-01-01 09:00:00',
  UpdateTime: '2030-01-01 09:01:00',
  Subject: 's',
  FailedCount: 0,
  DeferredCount: 0,
  CancelledCount: 0,
  ...over,
});
const rate = (over: Partial<SendRateInfo>): SendRateInfo => ({
  Transport: 'tencent-ses',
  RatePerSecond: 20,
  Setting: 'TENCENT_SES_RATE_PER_SECOND',
  IsDefault: true,
  AnnouncedAt: '2030-01-01 09:00:00',
  ...over,
});

describe('watch progress line', () => {
  it('names the rate limit that bounds the task: the transport, its rate and the setting that decided it', () => {
    expect(watchProgressLine(watchUpdate(task(), 19.8, rate({})))).toBe(
      'task 12 sending: 1,200/1,000,000 (0%) sent 1,200, failed 0, deferred 0, 19.8/s, ETA 14h00m; limited by tencent-ses at 20/s (TENCENT_SES_RATE_PER_SECOND)',
    );
    expect(
      watchProgressLine(watchUpdate(task(), 98, rate({ Transport: 'smtp', RatePerSecond: 100, Setting: 'SEND_RATE_PER_SECOND', IsDefault: false }))),
    ).toMatch(/, 98\/s, ETA 2h49m; limited by smtp at 100\/s \(SEND_RATE_PER_SECOND\)$/u);
  });

  it('says an unlimited transport leaves the speed to the workers, and that the limit is unknown when no worker announced one', () => {
    expect(watchProgressLine(watchUpdate(task(), 2500, rate({ Transport: 'outbox', RatePerSecond: null, Setting: 'OUTBOX_RATE_PER_SECOND' })))).toMatch(
      /, 2,500\/s, ETA 6m40s; outbox has no rate limit \(OUTBOX_RATE_PER_SECOND\): the workers bound the speed$/u,
    );
    expect(watchProgressLine(watchUpdate(task(), undefined))).toMatch(/, \?\/s, ETA \?; rate limit unknown \(no worker has announced one\)$/u);
  });

  it('prints a plain line (pipes, CI logs) when the counts or the rate limit change, not when only the measured rate or ETA moves', () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const reporter = createWatchReporter({ stream, tty: false });
    reporter.update(watchUpdate(task(), 19.8, rate({})));
    reporter.update(watchUpdate(task(), 19.5, rate({})));
    reporter.update(watchUpdate(task(), 19.5, rate({ RatePerSecond: 50, Setting: 'SEND_RATE_PER_SECOND', IsDefault: false })));
    reporter.update(watchUpdate(task({ SendCount: 1300 }), 30, rate({ RatePerSecond: 50, Setting: 'SEND_RATE_PER_SECOND', IsDefault: false })));
    expect(lines.map((l) => l.replace(/^.*; /u, ''))).toEqual([
      'limited by tencent-ses at 20/s (TENCENT_SES_RATE_PER_SECOND)',
      'limited by tencent-ses at 50/s (SEND_RATE_PER_SECOND)',
      'limited by tencent-ses at 50/s (SEND_RATE_PER_SECOND)',
    ]);
    expect(lines[2]).toContain('1,300/1,000,000');
  });

  it('shows the short form of the limit on a terminal progress bar', () => {
    let text = '';
    const stream = Object.assign(
      new Writable({
        write(chunk: Buffer, _enc, done) {
          text += chunk.toString('utf8');
          done();
        },
      }),
      { isTTY: true, columns: 200 },
    );
    const reporter = createWatchReporter({ stream, tty: true });
    reporter.update(watchUpdate(task(), 19.8, rate({})));
    reporter.stop();
    expect(text).toContain('| 19.8/s | ETA 14h00m | limit tencent-ses 20/s | sending');
  });
});
