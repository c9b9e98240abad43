import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Rejection } from './upload-batch.ts';

/** One CSV field, quoted when it holds a separator, a quote or a line break (RFC 4180). */
export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/u.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The reason column: the code, and the CLI's own explanation when it has one. */
export function rejectionReason(r: Rejection): string {
  return r.message === undefined ? r.reason : `${r.reason}: ${r.message}`;
}

/** The CSV line for one rejection: `line,email,reason`. */
export function rejectsRow(r: Rejection): string {
  return `${csvField(r.line)},${csvField(r.email)},${csvField(rejectionReason(r))}\n`;
}

/** A streamed `line,email,reason` CSV file of rejected rows. */
export interface RejectsFile {
  write(rejection: Rejection): Promise<void>;
  /** Flushes and closes; idempotent. */
  close(): Promise<void>;
}

/**
 * Creates (or truncates) `path` and writes the header. Guarantees: rows are written in the
 * order given, respecting backpressure, so a million rejections never pile up in memory.
 */
export async function openRejectsFile(path: string): Promise<RejectsFile> {
  const out = createWriteStream(path, { encoding: 'utf8' });
  await once(out, 'open');
  let closed: Promise<void> | undefined;
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('line,email,reason\n');
  return {
    write: (r) => write(rejectsRow(r)),
    close() {
      closed ??= new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
      return closed;
    },
  };
}
