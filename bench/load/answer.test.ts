import { describe, expect, it } from 'vitest';
import { readSendEmailAnswer } from './answer.ts';

describe('readSendEmailAnswer', () => {
  it('reads the MessageId of an accepted SendEmail', () => {
    expect(readSendEmailAnswer(200, '{"Response":{"MessageId":"pm-date-1","RequestId":"r"}}')).toEqual({ messageId: 'pm-date-1' });
  });

  it("reads Tencent's error code of a refused one", () => {
    expect(readSendEmailAnswer(200, '{"Response":{"Error":{"Code":"RequestLimitExceeded","Message":"m"},"RequestId":"r"}}')).toEqual({
      error: 'RequestLimitExceeded',
    });
  });

  it('names a non-200 answer by its status and anything else unreadable', () => {
    expect(readSendEmailAnswer(502, '')).toEqual({ error: 'HTTP 502' });
    expect(readSendEmailAnswer(200, 'not json')).toEqual({ error: 'UnreadableAnswer' });
    expect(readSendEmailAnswer(200, '{"Response":{"RequestId":"r"}}')).toEqual({ error: 'UnreadableAnswer' });
    expect(readSendEmailAnswer(200, 'null')).toEqual({ error: 'UnreadableAnswer' });
  });
});
