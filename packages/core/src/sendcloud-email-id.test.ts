import { describe, expect, it } from 'vitest';
import { sendCloudEmailId, sendCloudMessageId } from './sendcloud-email-id.ts';

describe('SendCloud emailId', () => {
  it('reads <postmill id>.sc<index>$<recipient>, starting with the messageId SendCloud answers', () => {
    const id = sendCloudEmailId({ messageId: 'pm-date-20150317-abc', index: 2, recipient: '123@qq.com' });
    expect(id).toBe('pm-date-20150317-abc.sc2$123@qq.com');
    expect(id.startsWith(sendCloudMessageId('pm-date-20150317-abc'))).toBe(true);
  });
});
