import { Presets, SingleBar } from 'cli-progress';
import { describeSendRate } from '../tasks/send-rate-info.ts';
import { taskStatusName } from '../tasks/send-task.ts';
import type { WatchUpdate } from '../tasks/watch-task.ts';
import { formatDuration, formatRate } from './rate.ts';

/** Shows a task's progress on stderr. */
export interface WatchReporter {
  update(update: WatchUpdate): void;
  note(text: string): void;
  /** Ends the display; idempotent. */
  stop(): void;
}

const n = (value: number) => value.toLocaleString('en-US');

// Payload names avoid cli-progress's own tokens ({value}, {total}, {eta}...), which it fills itself.
function fields(u: WatchUpdate) {
  return {
    status: taskStatusName(u.task.TaskStatus),
    doneText: n(u.done),
    totalText: n(u.total),
    sent: n(u.task.SendCount),
    failed: n(u.task.FailedCount ?? 0),
    deferred: n(u.task.DeferredCount ?? 0),
    rate: formatRate(u.ratePerSecond),
    etaText: formatDuration(u.etaMs),
    bound: describeSendRate(u.sendRate, 'bar'),
  };
}

/**
 * The plain progress line, ending with what bounds the speed:
 * `task 12 sending: 1,200/5,000 (24%) sent 1,190, failed 10, deferred 3, 19.8/s, ETA 3m22s; limited by tencent-ses at 20/s (TENCENT_SES_RATE_PER_SECOND)`.
 */
export function watchProgressLine(u: WatchUpdate): string {
  const f = fields(u);
  const share = u.total > 0 ? ` (${Math.floor((u.done * 100) / u.total)}%)` : '';
  return `task ${u.task.TaskId} ${f.status}: ${f.doneText}/${f.totalText}${share} sent ${f.sent}, failed ${f.failed}, deferred ${f.deferred}, ${f.rate}/s, ETA ${f.etaText}; ${describeSendRate(u.sendRate, 'line')}`;
}

/** A bar (TTY) or one plain line per poll that changed something (pipes, CI logs), both on `stream`. */
export function createWatchReporter(options: { stream: NodeJS.WritableStream; tty: boolean }): WatchReporter {
  if (!options.tty) {
    let lastLine = '';
    return {
      update(u) {
        const line = watchProgressLine(u);
        // Rate and ETA move at every poll; print only when the counts, status or rate limit did.
        const key = line.replace(/, [^,]*\/s, ETA [^;]*;/u, ';');
        if (key === lastLine) return;
        lastLine = key;
        options.stream.write(`${line}\n`);
      },
      note(text) {
        options.stream.write(`${text}\n`);
      },
      stop() {},
    };
  }
  const bar = new SingleBar(
    {
      stream: options.stream,
      format:
        '{bar} {percentage}% | {doneText}/{totalText} | sent {sent} | failed {failed} | deferred {deferred} | {rate}/s | ETA {etaText} | {bound} | {status}{note}',
      hideCursor: false,
      clearOnComplete: false,
      fps: 5,
    },
    Presets.shades_classic,
  );
  let started = false;
  let stopped = false;
  let note = '';
  let last: WatchUpdate | undefined;
  const draw = (u: WatchUpdate) => {
    const payload = { ...fields(u), note: note === '' ? '' : ` | ${note}` };
    // A bar needs a total above 0; before the first run starts nothing is requested yet.
    const total = Math.max(1, u.total);
    if (!started) {
      bar.start(total, u.done, payload);
      started = true;
    } else {
      bar.setTotal(total);
      bar.update(u.done, payload);
    }
  };
  return {
    update(u) {
      note = '';
      last = u;
      draw(u);
    },
    note(text) {
      note = text;
      if (last) draw(last);
      else options.stream.write(`${text}\n`);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (started) bar.stop();
    },
  };
}
