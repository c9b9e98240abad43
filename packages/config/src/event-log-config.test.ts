import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.ts';

describe('event log settings', () => {
  it('is off unless EVENT_LOG=true, keeps events 30 days unless EVENT_LOG_RETENTION_DAYS says otherwise, and refuses a non-positive retention', () => {
    expect(parseConfig({}).eventLog).toEqual({ enabled: false, retentionDays: 30 });
    expect(parseConfig({ EVENT_LOG: 'true', EVENT_LOG_RETENTION_DAYS: '7' }).eventLog).toEqual({ enabled: true, retentionDays: 7 });
    expect(() => parseConfig({ EVENT_LOG_RETENTION_DAYS: '0' })).toThrow(ConfigError);
  });
});
