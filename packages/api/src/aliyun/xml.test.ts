import { describe, expect, it } from 'vitest';
import { toXmlDocument } from './xml.ts';

describe('toXmlDocument', () => {
  it('writes lists as repeated elements named by their key, objects nested, in field order', () => {
    expect(
      toXmlDocument('QueryTagByParamResponse', {
        RequestId: 'R',
        TotalCount: 2,
        data: {
          tag: [
            { TagId: 1, TagName: 'a' },
            { TagId: 2, TagName: 'b' },
          ],
        },
      }),
    ).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><QueryTagByParamResponse><RequestId>R</RequestId><TotalCount>2</TotalCount><data><tag><TagId>1</TagId><TagName>a</TagName></tag><tag><TagId>2</TagId><TagName>b</TagName></tag></data></QueryTagByParamResponse>',
    );
  });

  it('escapes markup, drops characters XML cannot carry, and leaves out undefined and null fields', () => {
    expect(toXmlDocument('E', { Message: '<a & b>\u0000\u0007\uD800ok 😀', Skip: undefined, Null: null, Empty: '' })).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><E><Message>&lt;a &amp; b&gt;ok 😀</Message><Empty></Empty></E>',
    );
  });
});
