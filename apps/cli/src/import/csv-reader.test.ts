import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readCsvEntries } from './csv-reader.ts';
import type { ReaderItem } from './reader-item.ts';

async function read(text: string | Buffer, options: { delimiter?: string; maxRowChars?: number } = {}): Promise<ReaderItem[]> {
  const items: ReaderItem[] = [];
  // Small chunks: rows and quoted fields straddle chunk boundaries, as they do in big files.
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7));
  for await (const item of readCsvEntries(Readable.from(chunks), options)) items.push(item);
  return items;
}

describe('readCsvEntries', () => {
  it('reads the email column and turns every other column into string TemplateData, with the line of each row', async () => {
    expect(await read('email,name,age\na@x.com,Ann,31\nb@x.com,Bob,\n')).toEqual([
      { line: 2, email: 'a@x.com', data: '{"name":"Ann","age":"31"}' },
      { line: 3, email: 'b@x.com', data: '{"name":"Bob","age":""}' },
    ]);
  });

  it('finds the email column in any case and position and yields no data when it is the only column', async () => {
    expect(await read('Email\na@x.com\n')).toEqual([{ line: 2, email: 'a@x.com' }]);
    expect(await read('Name, EMAIL \nAnn,a@x.com\n')).toEqual([{ line: 2, email: 'a@x.com', data: '{"Name":"Ann"}' }]);
  });

  it('keeps separators, doubled quotes and line breaks inside quoted fields, and numbers lines by where each row starts', async () => {
    const csv = 'email,note\n"a@x.com","one, two"\nb@x.com,"say ""hi""\nsecond line\nthird line"\nc@x.com,plain\n';
    expect(await read(csv)).toEqual([
      { line: 2, email: 'a@x.com', data: '{"note":"one, two"}' },
      { line: 3, email: 'b@x.com', data: JSON.stringify({ note: 'say "hi"\nsecond line\nthird line' }) },
      { line: 6, email: 'c@x.com', data: '{"note":"plain"}' },
    ]);
  });

  it('counts a CRLF inside a quoted field as one line (csv-parse counts it twice) and takes CRLF and LF rows alike', async () => {
    const csv = 'email,note\r\na@x.com,"x\r\ny"\r\nb@x.com,q\nc@x.com,r\r\n';
    expect((await read(csv)).map((i) => [i.line, 'email' in i ? i.email : undefined])).toEqual([
      [2, 'a@x.com'],
      [4, 'b@x.com'],
      [5, 'c@x.com'],
    ]);
  });

  it('drops a UTF-8 byte order mark, so the first header is still recognised as email', async () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('email,name\na@x.com,Ann\n')]);
    expect(await read(bom)).toEqual([{ line: 2, email: 'a@x.com', data: '{"name":"Ann"}' }]);
  });

  it('skips blank lines, before the header too, without shifting the line numbers', async () => {
    expect(await read('\n\nemail\n\na@x.com\n \n,\nb@x.com')).toEqual([
      { line: 5, email: 'a@x.com' },
      { line: 8, email: 'b@x.com' },
    ]);
  });

  it('ends with one fatal MissingEmailColumn error when the header has no email column', async () => {
    const items = await read('name,mail\nAnn,a@x.com\n');
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ line: 1, error: { code: 'MissingEmailColumn', fatal: true } });
    expect('error' in items[0]! && items[0].error.message).toContain('"name", "mail"');
  });

  it('hints that a header is missing when the first row is an address', async () => {
    const [item] = await read('a@x.com\nb@x.com\n');
    expect(item).toMatchObject({ line: 1, error: { code: 'MissingEmailColumn', fatal: true } });
    expect(item && 'error' in item && item.error.message).toContain('add a first line `email`');
  });

  it('refuses a header that names a column twice', async () => {
    expect(await read('email,name,name\n')).toMatchObject([{ line: 1, error: { code: 'DuplicateColumn', fatal: true } }]);
    expect(await read('email,Email\n')).toMatchObject([{ line: 1, error: { code: 'DuplicateColumn', fatal: true } }]);
  });

  it('reports a row with the wrong number of fields and goes on, but accepts extra empty trailing fields', async () => {
    expect(await read('email,name\na@x.com\nb@x.com,Bob,extra\nc@x.com,Cy,,\nd@x.com,Di\n')).toEqual([
      { line: 2, email: 'a@x.com', error: { code: 'FieldCount', message: 'the row has 1 fields; the header has 2', fatal: false } },
      { line: 3, email: 'b@x.com', error: { code: 'FieldCount', message: 'the row has 3 fields; the header has 2', fatal: false } },
      { line: 4, email: 'c@x.com', data: '{"name":"Cy"}' },
      { line: 5, email: 'd@x.com', data: '{"name":"Di"}' },
    ]);
  });

  it('ignores columns without a name', async () => {
    expect(await read('email,,name\na@x.com,zzz,Ann\n')).toEqual([{ line: 2, email: 'a@x.com', data: '{"name":"Ann"}' }]);
  });

  it('keeps a stray quote inside an unquoted field as written instead of swallowing the next rows', async () => {
    expect(await read('email,name\na@x.com,O"Brien\nb@x.com,"Bo"b\nc@x.com,Cy\n')).toEqual([
      { line: 2, email: 'a@x.com', data: '{"name":"O\\"Brien"}' },
      { line: 3, email: 'b@x.com', data: '{"name":"\\"Bo\\"b"}' },
      { line: 4, email: 'c@x.com', data: '{"name":"Cy"}' },
    ]);
  });

  it('stops with a fatal UnclosedQuote error at the row whose quote never closes, after the rows before it', async () => {
    const items = await read('email,name\na@x.com,Ann\nb@x.com,"Bob\nc@x.com,Cy\n');
    expect(items[0]).toEqual({ line: 2, email: 'a@x.com', data: '{"name":"Ann"}' });
    expect(items[1]).toMatchObject({ line: 3, error: { code: 'UnclosedQuote', fatal: true } });
    expect(items).toHaveLength(2);
  });

  it('stops with UnclosedQuote when a row grows past maxRowChars instead of reading the rest of the file into it', async () => {
    const items = await read(`email,name\na@x.com,"open\n${'b@x.com,Bob\n'.repeat(50)}`, { maxRowChars: 100 });
    expect(items).toMatchObject([{ line: 2, error: { code: 'UnclosedQuote', fatal: true } }]);
  });

  it('reads another delimiter', async () => {
    expect(await read('email;name\na@x.com;"Ann; Jr."\n', { delimiter: ';' })).toEqual([{ line: 2, email: 'a@x.com', data: '{"name":"Ann; Jr."}' }]);
  });

  it('yields nothing for an empty file', async () => {
    expect(await read('')).toEqual([]);
  });
});
