import type { Readable } from 'node:stream';
import { type CsvError, parse } from 'csv-parse';
import { isEmailKey, type ReaderError, type ReaderItem } from './reader-item.ts';

/** Options of readCsvEntries; every field documents its default. */
export interface CsvReaderOptions {
  /** Field separator. Default `,`. */
  readonly delimiter?: string;
  /** Longest row in characters; a longer one almost always means an unclosed quote. Default 1 000 000. */
  readonly maxRowChars?: number;
}

interface Header {
  readonly emailIndex: number;
  readonly dataColumns: readonly { readonly name: string; readonly index: number }[];
  readonly width: number;
}

function newlines(record: readonly string[]): number {
  let n = 0;
  for (const field of record) for (let i = field.indexOf('\n'); i >= 0; i = field.indexOf('\n', i + 1)) n++;
  return n;
}

const isBlank = (record: readonly string[]) => record.every((f) => f.trim() === '');

function readHeader(record: readonly string[], line: number): Header | ReaderError {
  const names = record.map((f) => f.trim());
  const emailColumns = names.flatMap((name, index) => (isEmailKey(name) ? [index] : []));
  const [emailIndex, second] = emailColumns;
  if (emailIndex === undefined) {
    const looksLikeData = record.length === 1 && (record[0] ?? '').includes('@');
    const hint = looksLikeData ? ' The first row must be a header; add a first line `email`.' : '';
    const message = `the header row has no "email" column (columns: ${names.map((n) => JSON.stringify(n)).join(', ')}).${hint}`;
    return { line, error: { code: 'MissingEmailColumn', message, fatal: true } };
  }
  if (second !== undefined) {
    return {
      line,
      error: { code: 'DuplicateColumn', message: `the header row names the email column twice (columns ${emailIndex + 1} and ${second + 1})`, fatal: true },
    };
  }
  const dataColumns = names.flatMap((name, index) => (index === emailIndex || name === '' ? [] : [{ name, index }]));
  const seen = new Set<string>();
  for (const { name } of dataColumns) {
    if (seen.has(name)) return { line, error: { code: 'DuplicateColumn', message: `the header row names the column "${name}" twice`, fatal: true } };
    seen.add(name);
  }
  return { emailIndex, dataColumns, width: record.length };
}

/**
 * Streams recipients from CSV: RFC 4180 quoting (separators, quotes and line breaks inside
 * quoted fields), a UTF-8 BOM, CRLF or LF line ends. The first non-blank row is the header and
 * must name an `email` column (any case); every other named column becomes a TemplateData
 * variable with the cell as a string value. Guarantees: rows come out in file order with the
 * 1-based line where each starts; blank rows are skipped; a row with a different number of fields
 * (beyond trailing empty ones) is yielded as a `FieldCount` error; a bad header or an unclosed
 * quote is a fatal error and ends the stream. Never holds more than one row in memory.
 */
export async function* readCsvEntries(input: Readable, options: CsvReaderOptions = {}): AsyncGenerator<ReaderItem> {
  // A parse error must not reach the stream: a stream error drops the rows parsed before it that
  // are still buffered. So errors are "skipped" and kept with the number of rows before them,
  // and reported once those rows have come out. With the relax options below, the only errors
  // left are an unclosed quote and an overlong row, after which nothing more can be read.
  let failure: { afterRecords: number; error: CsvError | undefined } | undefined;
  const parser = parse({
    bom: true,
    delimiter: options.delimiter ?? ',',
    // Both line ends, whatever the first line uses (auto-detection would leave `\r` in fields of mixed files).
    record_delimiter: ['\r\n', '\n'],
    // Counted here instead (see FieldCount) so one odd row does not stop the import.
    relax_column_count: true,
    // `a "b" c` and `"a"b` are kept as written: a stray quote should not swallow the rest of the file.
    relax_quotes: true,
    max_record_size: options.maxRowChars ?? 1_000_000,
    skip_records_with_error: true,
    on_skip: (error) => {
      failure ??= { afterRecords: parser.info.records, error };
      return undefined;
    },
  });
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser);

  // csv-parse's own line counter counts a CRLF inside a quoted field twice, so lines are counted
  // here: a row spans 1 + (line breaks inside its fields) lines, blank lines included as rows.
  let nextLine = 1;
  let records = 0;
  let header: Header | undefined;
  const fatal = (): ReaderError => {
    const err = failure?.error;
    const unclosed = err?.code === 'CSV_QUOTE_NOT_CLOSED' || err?.code === 'CSV_MAX_RECORD_SIZE';
    const message = unclosed
      ? `a quoted field in the row starting here is never closed, so the rest of the file cannot be read (${err?.message ?? ''})`
      : (err?.message ?? 'the CSV cannot be read from here');
    return { line: nextLine, error: { code: unclosed ? 'UnclosedQuote' : 'BadCsv', message, fatal: true } };
  };
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (failure && records >= failure.afterRecords) break;
      records++;
      const line = nextLine;
      nextLine += 1 + newlines(record);
      if (isBlank(record)) continue;
      if (!header) {
        const read = readHeader(record, line);
        if ('error' in read) {
          yield read;
          return;
        }
        header = read;
        continue;
      }
      const email = record[header.emailIndex];
      const extra = record.slice(header.width);
      if (record.length < header.width || !isBlank(extra)) {
        const message = `the row has ${record.length} fields; the header has ${header.width}`;
        yield { line, error: { code: 'FieldCount', message, fatal: false }, ...(email === undefined ? {} : { email }) };
        continue;
      }
      if (header.dataColumns.length === 0) {
        yield { line, email: email ?? '' };
        continue;
      }
      const data: Record<string, string> = {};
      for (const column of header.dataColumns) data[column.name] = record[column.index] ?? '';
      yield { line, email: email ?? '', data: JSON.stringify(data) };
    }
    if (failure) yield fatal();
  } finally {
    input.unpipe(parser);
    parser.destroy();
    input.destroy();
  }
}
