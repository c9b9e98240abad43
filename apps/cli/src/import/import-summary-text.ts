import type { ImportSummary } from './import-receivers.ts';
import { rejectionReason } from './rejects-file.ts';

const n = (value: number) => value.toLocaleString('en-US');

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Where the import came from and went, for the summary's first line. */
export interface SummaryContext {
  readonly file: string;
  /** The rejects file written, if any. */
  readonly rejectsPath?: string;
}

/**
 * The human summary of an import: the totals, then up to `summary.sample` rejected rows with
 * their file line numbers and reasons, then why it stopped (when it did) and what is safe to do.
 */
export function formatImportSummary(summary: ImportSummary, context: SummaryContext): string {
  const out: string[] = [];
  const where = summary.receiverId === undefined ? 'no receiver list (nothing was sent)' : `receiver list ${summary.receiverId}`;
  const verb = summary.stopped ? 'Stopped importing' : 'Imported';
  out.push(`${verb} ${context.file} into ${where} in ${seconds(summary.elapsedMs)} (${n(summary.batches)} ${summary.batches === 1 ? 'batch' : 'batches'})`);
  const refused = summary.rejected + summary.unreadable;
  const rows: [string, number, string][] = [
    ['rows read', summary.rows, ''],
    ['accepted', summary.accepted, ''],
    ['repeats', summary.repeats, '  (already in the list or earlier in the file)'],
    ['rejected', refused, refused === 0 ? '' : `  (${n(summary.rejected)} refused by the API, ${n(summary.unreadable)} unreadable)`],
  ];
  if (summary.sent + summary.unreadable < summary.rows) rows.push(['not sent', summary.rows - summary.sent - summary.unreadable, '']);
  const width = Math.max(...rows.map(([, v]) => n(v).length));
  for (const [label, value, note] of rows) out.push(`  ${label.padEnd(9)} ${n(value).padStart(width)}${note}`);

  if (summary.sample.length > 0) {
    const more = summary.listedRejections > summary.sample.length ? ` (first ${summary.sample.length} of ${n(summary.listedRejections)})` : '';
    const all = context.rejectsPath
      ? `; all in ${context.rejectsPath}`
      : summary.listedRejections > summary.sample.length
        ? '; --rejects <file> writes them all'
        : '';
    out.push('', `Rejected rows${more}${all}:`);
    const lineWidth = Math.max(...summary.sample.map((r) => String(r.line).length));
    const emailWidth = Math.min(40, Math.max(...summary.sample.map((r) => r.email.length), 5));
    for (const r of summary.sample) {
      out.push(
        `  line ${String(r.line).padStart(lineWidth)}  ${cut(JSON.stringify(r.email), emailWidth + 2).padEnd(emailWidth + 2)}  ${cut(rejectionReason(r), 160)}`,
      );
    }
  }
  if (summary.listedRejections < refused) {
    out.push('', `The API did not list ${n(refused - summary.listedRejections)} refused entries by index (no InvalidEmails in its answer).`);
  }
  if (summary.ambiguousRetries > 0) {
    out.push('', `${summary.ambiguousRetries} call(s) were retried after a failure that may have stored them; their new addresses may count as repeats.`);
  }
  if (!summary.stopped && refused > 0 && summary.accepted + summary.repeats === 0) {
    out.push('', 'No row was stored: every row was refused or unreadable.');
  }
  if (summary.stopped) {
    const s = summary.stopped;
    out.push('', `Stopped at line ${s.line}: ${s.code}: ${s.message}`);
    if (summary.sent > 0) {
      out.push(`Rows before line ${s.line} were stored. Running the same import again is safe: addresses already in the list count as repeats.`);
    }
  }
  return `${out.join('\n')}\n`;
}
