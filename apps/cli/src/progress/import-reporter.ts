import { Presets, SingleBar } from 'cli-progress';
import type { ImportProgress } from '../import/import-receivers.ts';
import { formatRate } from './rate.ts';

/** Shows an import's progress on stderr. */
export interface ImportReporter {
  update(progress: ImportProgress): void;
  /** A passing event (a retry): on the bar until the next batch, or its own line. */
  note(text: string): void;
  /** Ends the display; idempotent. */
  stop(): void;
}

/** Options of createImportReporter; every field documents its default. */
export interface ImportReporterOptions {
  readonly stream: NodeJS.WritableStream;
  /** A live bar when true, periodic plain lines otherwise. */
  readonly tty: boolean;
  /** File size, for the percentage; undefined for a pipe. */
  readonly totalBytes: number | undefined;
  /** Bytes of the file read so far. */
  readonly bytesRead: () => number;
  /** Epoch ms. */
  readonly now: () => number;
  /** Least time between plain lines. Default 2000. */
  readonly intervalMs?: number;
}

const n = (value: number) => value.toLocaleString('en-US');

function rowsPerSecond(p: ImportProgress): number | undefined {
  return p.elapsedMs > 0 ? (p.rows * 1000) / p.elapsedMs : undefined;
}

/** The plain progress line: `import: 40,000 rows read (34%), 38,000 accepted, ...`. */
export function importProgressLine(p: ImportProgress, percent: number | undefined): string {
  const share = percent === undefined ? '' : ` (${Math.floor(percent)}%)`;
  return (
    `import: ${n(p.rows)} rows read${share}, ${n(p.accepted)} accepted, ${n(p.repeats)} repeats, ` +
    `${n(p.rejected + p.unreadable)} rejected, ${formatRate(rowsPerSecond(p))} rows/s`
  );
}

/** A bar (TTY) or throttled plain lines (pipes, CI logs), both on `stream`. */
export function createImportReporter(options: ImportReporterOptions): ImportReporter {
  const percent = () => (options.totalBytes ? Math.min(100, (options.bytesRead() * 100) / options.totalBytes) : undefined);
  if (!options.tty) {
    const intervalMs = options.intervalMs ?? 2000;
    let lastAt = Number.NEGATIVE_INFINITY;
    let last: ImportProgress | undefined;
    // The counts of the last line printed, so stop() prints a final line only when they changed.
    let printedKey = '';
    const key = (p: ImportProgress) => `${p.rows} ${p.accepted} ${p.repeats} ${p.rejected} ${p.unreadable}`;
    const print = (p: ImportProgress) => {
      lastAt = options.now();
      printedKey = key(p);
      options.stream.write(`${importProgressLine(p, percent())}\n`);
    };
    return {
      update(p) {
        last = p;
        if (options.now() - lastAt >= intervalMs) print(p);
      },
      note(text) {
        options.stream.write(`import: ${text}\n`);
      },
      stop() {
        if (last && key(last) !== printedKey) print(last);
      },
    };
  }
  const known = options.totalBytes !== undefined && options.totalBytes > 0;
  const bar = new SingleBar(
    {
      stream: options.stream,
      format: `${known ? '{bar} {percentage}% | ' : ''}{rows} rows | {accepted} accepted | {repeats} repeats | {rejected} rejected | {rate} rows/s{note}`,
      hideCursor: false,
      clearOnComplete: false,
      fps: 5,
    },
    Presets.shades_classic,
  );
  const payload = (p: ImportProgress | undefined, note: string) => ({
    rows: n(p?.rows ?? 0),
    accepted: n(p?.accepted ?? 0),
    repeats: n(p?.repeats ?? 0),
    rejected: n((p?.rejected ?? 0) + (p?.unreadable ?? 0)),
    rate: p ? formatRate(rowsPerSecond(p)) : '?',
    note: note === '' ? '' : ` | ${note}`,
  });
  let last: ImportProgress | undefined;
  let batches = 0;
  let note = '';
  let stopped = false;
  bar.start(known ? (options.totalBytes ?? 0) : 1, 0, payload(undefined, ''));
  return {
    update(p) {
      if (p.batches !== batches) note = '';
      batches = p.batches;
      last = p;
      bar.update(known ? options.bytesRead() : 0, payload(p, note));
    },
    note(text) {
      note = text;
      bar.update(known ? options.bytesRead() : 0, payload(last, note));
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.update(known ? options.bytesRead() : 0, payload(last, ''));
      bar.stop();
    },
  };
}
