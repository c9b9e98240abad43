import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readJsonlEntries } from './jsonl-reader.ts';
import type { ReaderItem } from './reader-item.ts';

async function read(text: string): Promise<ReaderItem[]> {
  const items: ReaderItem[] = [];
  const chunks = text.match(/[\s\S]{1,5}/gu) ?? [];
  for await (const item of readJsonlEntries(Readable.from(chunks))) items.push(item);
  return items;
}

describe('readJsonlEntries', () => {
  it('takes `email` and the other keys as TemplateData, with each line number', async () => {
    expect(await read('{"email":"a@x.com","name":"Ann","age":31}\n{"email":"b@x.com"}\n')).toEqual([
      { line: 1, email: 'a@x.com', data: '{"name":"Ann","age":31}' },
      { line: 2, email: 'b@x.com' },
    ]);
  });

  it('takes a `data` or `TemplateData` object (or JSON string) as the TemplateData when present, and `Email` as the address', async () => {
    expect(
      await read(
        [
          '{"Email":"a@x.com","TemplateData":{"name":"Ann"},"ignored":1}',
          '{"email":"b@x.com","data":{"name":"Bob"}}',
          '{"email":"c@x.com","TemplateData":"{\\"name\\":\\"Cy\\"}"}',
          '{"email":"d@x.com","data":{}}',
        ].join('\n'),
      ),
    ).toEqual([
      { line: 1, email: 'a@x.com', data: '{"name":"Ann"}' },
      { line: 2, email: 'b@x.com', data: '{"name":"Bob"}' },
      { line: 3, email: 'c@x.com', data: '{"name":"Cy"}' },
      { line: 4, email: 'd@x.com' },
    ]);
  });

  it('reports bad lines with their line numbers and reads on', async () => {
    const items = await read(
      [
        '{"email":"a@x.com"}',
        '{"email": "b@x.com",',
        '[1,2]',
        '{"name":"no address"}',
        '{"email":42}',
        '{"email":"c@x.com","data":[1]}',
        '{"email":"d@x.com"}',
      ].join('\r\n'),
    );
    expect(items.map((i) => ('error' in i ? [i.line, i.error.code, i.error.fatal] : [i.line, i.email]))).toEqual([
      [1, 'a@x.com'],
      [2, 'BadJson', false],
      [3, 'NotAnObject', false],
      [4, 'MissingEmail', false],
      [5, 'MissingEmail', false],
      [6, 'BadData', false],
      [7, 'd@x.com'],
    ]);
    expect(items[5]).toMatchObject({ email: 'c@x.com' });
  });

  it('skips blank lines and a byte order mark without shifting line numbers', async () => {
    expect(await read('\uFEFF{"email":"a@x.com"}\n\n   \n{"email":"b@x.com"}\n')).toEqual([
      { line: 1, email: 'a@x.com' },
      { line: 4, email: 'b@x.com' },
    ]);
  });
});
