import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { type Command, Option } from 'commander';
import type { TencentApi } from '../api-client.ts';
import { apiClient, type CliContext, globalOptions } from '../cli-context.ts';
import { UsageError } from '../cli-errors.ts';
import { readCsvEntries } from '../import/csv-reader.ts';
import { importExitCode } from '../import/import-exit-code.ts';
import { importReceivers, MAX_BATCH_SIZE } from '../import/import-receivers.ts';
import { formatImportSummary } from '../import/import-summary-text.ts';
import { readJsonlEntries } from '../import/jsonl-reader.ts';
import type { ReaderItem } from '../import/reader-item.ts';
import { openRejectsFile, type RejectsFile } from '../import/rejects-file.ts';
import { jsonText } from '../output.ts';
import { createImportReporter } from '../progress/import-reporter.ts';
import { id, integer } from './option-parsers.ts';

type Format = 'csv' | 'jsonl';

interface ImportFlags {
  readonly receiver?: number;
  readonly create?: string;
  readonly desc?: string;
  readonly format?: Format;
  readonly batch: number;
  readonly rejects?: string;
  readonly delimiter: string;
  readonly progress: boolean;
}

/** `.jsonl` / `.ndjson` / `.json` are JSON Lines; anything else (and stdin) is CSV. */
export function formatOf(file: string): Format {
  return ['.jsonl', '.ndjson', '.json'].includes(extname(file).toLowerCase()) ? 'jsonl' : 'csv';
}

async function openInput(ctx: CliContext, file: string): Promise<{ stream: Readable; size: number | undefined; bytesRead: () => number }> {
  if (file === '-') return { stream: ctx.io.stdin, size: undefined, bytesRead: () => 0 };
  const path = resolve(ctx.cwd, file);
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  });
  if (!info.isFile()) throw new UsageError(`${file} is not a file`);
  const stream = createReadStream(path);
  return { stream, size: info.size, bytesRead: () => stream.bytesRead };
}

function checkFlags(flags: ImportFlags): void {
  if ((flags.receiver === undefined) === (flags.create === undefined)) throw new UsageError('give either --receiver <id> or --create <name>');
  if (flags.desc !== undefined && flags.create === undefined) throw new UsageError('--desc goes with --create');
  if (flags.delimiter.length !== 1) throw new UsageError('--delimiter takes one character');
}

function receiverResolver(client: TencentApi, flags: ImportFlags, note: (text: string) => void): () => Promise<number> {
  return async () => {
    if (flags.receiver !== undefined) return flags.receiver;
    const { ReceiverId } = await client.call<{ ReceiverId: number }>('CreateReceiver', {
      ReceiversName: flags.create,
      ...(flags.desc === undefined ? {} : { Desc: flags.desc }),
    });
    note(`created receiver list ${ReceiverId} "${flags.create}"`);
    return ReceiverId;
  };
}

async function runImport(ctx: CliContext, file: string, flags: ImportFlags, command: Command): Promise<void> {
  checkFlags(flags);
  const { json } = globalOptions(command);
  const client = await apiClient(ctx, command);
  const input = await openInput(ctx, file);
  const format = flags.format ?? formatOf(file);
  const items: AsyncIterable<ReaderItem> = format === 'csv' ? readCsvEntries(input.stream, { delimiter: flags.delimiter }) : readJsonlEntries(input.stream);
  let rejects: RejectsFile | undefined;
  const rejectsPath = flags.rejects === undefined ? undefined : resolve(ctx.cwd, flags.rejects);
  const reporter = flags.progress
    ? createImportReporter({ stream: ctx.io.stderr, tty: ctx.io.stderrIsTTY, totalBytes: input.size, bytesRead: input.bytesRead, now: ctx.now })
    : undefined;
  try {
    rejects = rejectsPath === undefined ? undefined : await openRejectsFile(rejectsPath);
    const summary = await importReceivers({
      client,
      items,
      receiverId: receiverResolver(client, flags, (text) => reporter?.note(text)),
      batchSize: flags.batch,
      sleep: ctx.sleep,
      now: ctx.now,
      signal: ctx.signal,
      ...(reporter ? { onProgress: (p) => reporter.update(p) } : {}),
      ...(rejects ? { onRejected: rejects.write } : {}),
      onRetry: (r) => {
        const why = r.error instanceof Error && 'code' in r.error ? String(r.error.code) : r.failure;
        reporter?.note(
          `${why}: retrying the batch from line ${r.firstLine} in ${(r.delayMs / 1000).toFixed(1)} s (attempt ${r.attempt + 1} of ${r.maxAttempts})`,
        );
      },
    });
    reporter?.stop();
    await rejects?.close();
    ctx.io.stdout.write(
      json
        ? jsonText({ file, format, ...(rejectsPath ? { rejectsFile: rejectsPath } : {}), ...summary })
        : formatImportSummary(summary, { file, ...(rejectsPath && summary.listedRejections > 0 ? { rejectsPath: flags.rejects ?? rejectsPath } : {}) }),
    );
    ctx.setExitCode(importExitCode(summary));
  } finally {
    reporter?.stop();
    await rejects?.close();
    input.stream.destroy();
  }
}

/** `postmill receivers import <file>`: streams a CSV or JSON Lines file into a list. */
export function registerImportCommand(receivers: Command, ctx: CliContext): void {
  receivers
    .command('import <file>')
    .description('stream a CSV (header with an email column; other columns become TemplateData) or JSON Lines file ("-" for stdin) into a list, in batches')
    .option('--receiver <id>', 'the list to add to', id)
    .option('--create <name>', 'create a list with this name first (only once the file proves readable)')
    .option('--desc <text>', 'description of the list made by --create')
    .addOption(new Option('--format <format>', 'file format (default: from the extension; .jsonl/.ndjson → jsonl)').choices(['csv', 'jsonl']))
    .option('--batch <n>', `entries per request (1-${MAX_BATCH_SIZE})`, integer(1, MAX_BATCH_SIZE), 5000)
    .option('--rejects <path>', 'write every rejected row as CSV: line,email,reason')
    .option('--delimiter <char>', 'CSV field separator', ',')
    .option('--no-progress', 'no progress display on stderr')
    .action((file: string, flags: ImportFlags, command: Command) => runImport(ctx, file, flags, command));
}
