import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.ts';

describe('parseConfig', () => {
  it('tracks no sender domain by default, reads TRACKING_DOMAINS as a lower-cased list, and keeps tracking counters 90 days unless TRACKING_RETENTION_DAYS says otherwise', () => {
    expect(parseConfig({}).tracking).toEqual({ domains: [], retentionDays: 90 });
    expect(parseConfig({ TRACKING_DOMAINS: ' Mail.Example.com, ,news.example.org ', TRACKING_RETENTION_DAYS: '30' }).tracking).toEqual({
      domains: ['mail.example.com', 'news.example.org'],
      retentionDays: 30,
    });
    expect(() => parseConfig({ TRACKING_RETENTION_DAYS: '0' })).toThrow(ConfigError);
  });

  it('gives Tencent defaults and the outbox transport, unlimited, for an empty environment', () => {
    const c = parseConfig({});
    expect(c.transport).toEqual({ kind: 'outbox', maxMessages: 1000 });
    expect(c.sending.rate).toEqual({ perSecond: 'unlimited', setting: 'OUTBOX_RATE_PER_SECOND', isDefault: true });
    expect(c.sending.chunkSize).toBe(50);
    expect(c.http.port).toBe(8080);
    expect(c.http.publicUrl).toBe('http://localhost:8080');
    expect(c.limits.maxDestinations).toBe(50);
    expect(c.sending.retry.domainHoldMs).toBe(600_000);
    expect(c.timeZone).toBe('Asia/Shanghai');
    expect(c.limits.apiRequestsPerSecond).toBe(20);
  });

  it('covers 500 recipients per campaign chunk job with the null transport and SEND_CHUNK_SIZE with others by default, never fewer than SEND_CHUNK_SIZE, at most 5000', () => {
    expect(parseConfig({ MAIL_TRANSPORT: 'null' }).sending.jobRecipients).toBe(500);
    expect(parseConfig({}).sending.jobRecipients).toBe(50);
    expect(parseConfig({ SEND_CHUNK_SIZE: '20' }).sending.jobRecipients).toBe(20);
    expect(parseConfig({ CAMPAIGN_JOB_RECIPIENTS: '200' }).sending.jobRecipients).toBe(200);
    expect(parseConfig({ MAIL_TRANSPORT: 'null', CAMPAIGN_JOB_RECIPIENTS: '20', SEND_CHUNK_SIZE: '50' }).sending.jobRecipients).toBe(50);
    expect(() => parseConfig({ CAMPAIGN_JOB_RECIPIENTS: '5001' })).toThrow(/CAMPAIGN_JOB_RECIPIENTS/u);
  });

  it('keeps statuses 30 days, settled tasks and statistics 90 days by default, each its own setting', () => {
    const d = parseConfig({});
    expect([d.limits.statusRetentionDays, d.taskRetentionDays, d.statisticsRetentionDays]).toEqual([30, 90, 90]);
    const c = parseConfig({ STATUS_RETENTION_DAYS: '7', TASK_RETENTION_DAYS: '14', STATISTICS_RETENTION_DAYS: '365' });
    expect([c.limits.statusRetentionDays, c.taskRetentionDays, c.statisticsRetentionDays]).toEqual([7, 14, 365]);
  });

  it('reads the API rate limit per second, 0 turning it off, and refuses a negative one', () => {
    expect(parseConfig({ API_RATE_LIMIT_PER_SECOND: '0' }).limits.apiRequestsPerSecond).toBe(0);
    expect(parseConfig({ API_RATE_LIMIT_PER_SECOND: '100' }).limits.apiRequestsPerSecond).toBe(100);
    expect(() => parseConfig({ API_RATE_LIMIT_PER_SECOND: '-1' })).toThrow(/API_RATE_LIMIT_PER_SECOND/u);
  });

  it('leaves replay protection to each dialect unless API_REPLAY_PROTECTION is on or off, and refuses other values', () => {
    expect(parseConfig({}).limits.apiReplayProtection).toBe('dialect-default');
    expect(parseConfig({ API_REPLAY_PROTECTION: 'on' }).limits.apiReplayProtection).toBe('on');
    expect(parseConfig({ API_REPLAY_PROTECTION: 'off' }).limits.apiReplayProtection).toBe('off');
    expect(() => parseConfig({ API_REPLAY_PROTECTION: 'yes' })).toThrow(/API_REPLAY_PROTECTION/u);
  });

  it('reads the TemplateData caps (64 KiB per mail, 800 bytes per list entry) and the idempotency window (24 h)', () => {
    const d = parseConfig({}).limits;
    expect([d.maxTemplateDataBytes, d.maxReceiverTemplateDataBytes, d.idempotencyWindowSeconds]).toEqual([65_536, 800, 86_400]);
    const c = parseConfig({ TEMPLATE_DATA_MAX_BYTES: '2048', RECEIVER_TEMPLATE_DATA_MAX_BYTES: '1000', IDEMPOTENCY_WINDOW_SECONDS: '60' }).limits;
    expect([c.maxTemplateDataBytes, c.maxReceiverTemplateDataBytes, c.idempotencyWindowSeconds]).toEqual([2048, 1000, 60]);
    expect(() => parseConfig({ IDEMPOTENCY_WINDOW_SECONDS: '0' })).toThrow(/IDEMPOTENCY_WINDOW_SECONDS/u);
  });

  it('gives each dialect its vendor’s message caps by default (DirectMail 100 recipients and 256-character subjects, SendCloud 100 per field and 10 MiB, 50 MiB stored per request), each its own setting', () => {
    const d = parseConfig({});
    expect(d.directMail).toEqual({ maxRecipients: 100, maxSubjectLength: 256 });
    expect(d.sendCloud).toEqual({ maxAttachmentBytes: 10_485_760, maxApiUsers: 10, maxRecipients: 100, maxStoredAttachmentBytes: 52_428_800 });
    const c = parseConfig({
      ALIYUN_MAX_RECIPIENTS: '30',
      ALIYUN_MAX_SUBJECT_LENGTH: '120',
      SENDCLOUD_MAX_RECIPIENTS: '60',
      SENDCLOUD_MAX_ATTACHMENT_BYTES: '2048',
      SENDCLOUD_MAX_STORED_ATTACHMENT_BYTES: '4096',
    });
    expect(c.directMail).toEqual({ maxRecipients: 30, maxSubjectLength: 120 });
    expect(c.sendCloud).toMatchObject({ maxRecipients: 60, maxAttachmentBytes: 2048, maxStoredAttachmentBytes: 4096 });
    // The deployment's (Tencent's) caps are not touched by the dialects' settings.
    expect(c.limits.maxDestinations).toBe(50);
    expect(() => parseConfig({ ALIYUN_MAX_RECIPIENTS: '0' })).toThrow(/ALIYUN_MAX_RECIPIENTS/u);
    expect(() => parseConfig({ SENDCLOUD_MAX_RECIPIENTS: 'many' })).toThrow(/SENDCLOUD_MAX_RECIPIENTS/u);
  });

  it('refuses SENDCLOUD_MAX_STORED_ATTACHMENT_BYTES below SENDCLOUD_MAX_ATTACHMENT_BYTES, naming both', () => {
    expect(() => parseConfig({ SENDCLOUD_MAX_STORED_ATTACHMENT_BYTES: '10485759' })).toThrow(
      /SENDCLOUD_MAX_STORED_ATTACHMENT_BYTES: at least SENDCLOUD_MAX_ATTACHMENT_BYTES \(10485760\)/u,
    );
    expect(parseConfig({ SENDCLOUD_MAX_STORED_ATTACHMENT_BYTES: '10485760' }).sendCloud.maxStoredAttachmentBytes).toBe(10_485_760);
  });

  it('reads SEND_MAX_THROTTLES into the retry policy (default 10, 0 allowed) and refuses a negative one', () => {
    expect(parseConfig({}).sending.retry.maxThrottles).toBe(10);
    expect(parseConfig({ SEND_MAX_THROTTLES: '0' }).sending.retry.maxThrottles).toBe(0);
    expect(parseConfig({ SEND_MAX_THROTTLES: '25' }).sending.retry.maxThrottles).toBe(25);
    expect(() => parseConfig({ SEND_MAX_THROTTLES: '-1' })).toThrow(/SEND_MAX_THROTTLES/u);
  });

  it('names the missing variable when the smtp transport has no SMTP_URL', () => {
    expect(() => parseConfig({ MAIL_TRANSPORT: 'smtp' })).toThrow(/SMTP_URL/u);
  });

  it('lists every invalid variable at once', () => {
    try {
      parseConfig({ PORT: 'abc', SEND_RATE_PER_SECOND: '-1', SCHEDULE_TIMEZONE: 'Mars/Base' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.length).toBe(3);
    }
  });

  it('reads the tencent-ses transport settings', () => {
    const c = parseConfig({
      MAIL_TRANSPORT: 'tencent-ses',
      TENCENT_SES_SECRET_ID: 'id',
      TENCENT_SES_SECRET_KEY: 'key',
      TENCENT_SES_ENDPOINT: 'http://127.0.0.1:9000/',
    });
    expect(c.transport).toMatchObject({ kind: 'tencent-ses', endpoint: 'http://127.0.0.1:9000', region: 'ap-guangzhou' });
  });

  it('reads the aliyun-dm transport settings: the endpoint from the region unless ALIYUN_DM_ENDPOINT is set, and the tag when given', () => {
    const creds = { MAIL_TRANSPORT: 'aliyun-dm', ALIYUN_DM_ACCESS_KEY_ID: 'LTAIid', ALIYUN_DM_ACCESS_KEY_SECRET: 'secret' };
    expect(parseConfig(creds).transport).toEqual({
      kind: 'aliyun-dm',
      endpoint: 'https://dm.aliyuncs.com',
      accessKeyId: 'LTAIid',
      accessKeySecret: 'secret',
      timeoutMs: 10_000,
    });
    expect(parseConfig({ ...creds, ALIYUN_DM_REGION: 'ap-southeast-1' }).transport).toMatchObject({ endpoint: 'https://dm.ap-southeast-1.aliyuncs.com' });
    expect(parseConfig({ ...creds, ALIYUN_DM_REGION: 'ap-southeast-1', ALIYUN_DM_ENDPOINT: 'http://127.0.0.1:9001/' }).transport).toMatchObject({
      endpoint: 'http://127.0.0.1:9001',
    });
    expect(parseConfig({ ...creds, ALIYUN_DM_TAG_NAME: 'spring_2025', PROVIDER_TIMEOUT_MS: '3000' }).transport).toMatchObject({
      tagName: 'spring_2025',
      timeoutMs: 3000,
    });
  });

  it('names each missing DirectMail credential in one line when MAIL_TRANSPORT=aliyun-dm, and refuses a malformed region or tag', () => {
    const problems = (env: Record<string, string>): readonly string[] => {
      try {
        parseConfig(env);
      } catch (err) {
        if (err instanceof ConfigError) return err.problems;
        throw err;
      }
      return [];
    };
    expect(problems({ MAIL_TRANSPORT: 'aliyun-dm' })).toEqual([
      'ALIYUN_DM_ACCESS_KEY_ID: required when MAIL_TRANSPORT=aliyun-dm',
      'ALIYUN_DM_ACCESS_KEY_SECRET: required when MAIL_TRANSPORT=aliyun-dm',
    ]);
    expect(problems({ MAIL_TRANSPORT: 'aliyun-dm', ALIYUN_DM_ACCESS_KEY_ID: 'LTAIid' })).toEqual([
      'ALIYUN_DM_ACCESS_KEY_SECRET: required when MAIL_TRANSPORT=aliyun-dm',
    ]);
    expect(problems({ ALIYUN_DM_REGION: 'Hangzhou' })).toEqual(['ALIYUN_DM_REGION: an Alibaba Cloud region id such as cn-hangzhou']);
    expect(problems({ ALIYUN_DM_TAG_NAME: 'two words' })).toEqual(['ALIYUN_DM_TAG_NAME: 1 to 128 letters, digits, _ or - (a DirectMail tag)']);
    expect(problems({})).toEqual([]);
  });

  it('reads the sendcloud transport settings: the apiv2 endpoint by default (trailing slash dropped), the label when given, 100 personal mails per call unless SENDCLOUD_BATCH_RECIPIENTS says fewer', () => {
    const creds = { MAIL_TRANSPORT: 'sendcloud', SENDCLOUD_API_USER: 'postmill_trigger', SENDCLOUD_API_KEY: 'key' };
    expect(parseConfig(creds).transport).toEqual({
      kind: 'sendcloud',
      endpoint: 'https://api.sendcloud.net/apiv2',
      apiUser: 'postmill_trigger',
      apiKey: 'key',
      timeoutMs: 10_000,
      personalBatchSize: 100,
    });
    expect(
      parseConfig({
        ...creds,
        SENDCLOUD_ENDPOINT: 'http://127.0.0.1:9002/apiv2/',
        SENDCLOUD_LABEL_ID: '4321',
        PROVIDER_TIMEOUT_MS: '3000',
        SENDCLOUD_BATCH_RECIPIENTS: '40',
      }).transport,
    ).toEqual({
      kind: 'sendcloud',
      endpoint: 'http://127.0.0.1:9002/apiv2',
      apiUser: 'postmill_trigger',
      apiKey: 'key',
      labelId: '4321',
      timeoutMs: 3000,
      personalBatchSize: 40,
    });
  });

  it('names each missing SendCloud credential in one line when MAIL_TRANSPORT=sendcloud, and refuses a label id that is not a positive integer and a batch size outside 1–100', () => {
    const problems = (env: Record<string, string>): readonly string[] => {
      try {
        parseConfig(env);
      } catch (err) {
        if (err instanceof ConfigError) return err.problems;
        throw err;
      }
      return [];
    };
    expect(problems({ MAIL_TRANSPORT: 'sendcloud' })).toEqual([
      'SENDCLOUD_API_USER: required when MAIL_TRANSPORT=sendcloud',
      'SENDCLOUD_API_KEY: required when MAIL_TRANSPORT=sendcloud',
    ]);
    expect(problems({ MAIL_TRANSPORT: 'sendcloud', SENDCLOUD_API_KEY: 'key' })).toEqual(['SENDCLOUD_API_USER: required when MAIL_TRANSPORT=sendcloud']);
    for (const labelId of ['0', '-3', 'spring', '12.5']) {
      expect(problems({ SENDCLOUD_LABEL_ID: labelId }), labelId).toEqual(['SENDCLOUD_LABEL_ID: a positive integer (a SendCloud labelId)']);
    }
    expect(problems({ SENDCLOUD_ENDPOINT: 'not a url' })).toHaveLength(1);
    for (const batch of ['0', '101']) expect(problems({ SENDCLOUD_BATCH_RECIPIENTS: batch }), batch).toHaveLength(1);
  });

  it('keeps the dashboard off without credentials and read-only unless writes are turned on', () => {
    expect(parseConfig({}).dashboard.enabled).toBe(false);
    expect(parseConfig({ DASHBOARD_USERNAME: 'ops', DASHBOARD_PASSWORD: 'pw' }).dashboard).toEqual({
      enabled: true,
      username: 'ops',
      password: 'pw',
      allowWrites: false,
    });
    expect(parseConfig({ DASHBOARD_USERNAME: 'ops', DASHBOARD_PASSWORD: 'pw', DASHBOARD_ALLOW_WRITES: 'true' }).dashboard).toMatchObject({ allowWrites: true });
    expect(() => parseConfig({ DASHBOARD_USERNAME: 'ops' })).toThrow(/DASHBOARD_PASSWORD/u);
  });

  it('reads the worker port and the shutdown grace period', () => {
    const c = parseConfig({ WORKER_PORT: '0', SHUTDOWN_GRACE_SECONDS: '5' });
    expect(c.workerPort).toBe(0);
    expect(c.shutdownGraceMs).toBe(5000);
    expect(parseConfig({}).workerPort).toBe(9091);
  });
});
