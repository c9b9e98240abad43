import type { TransportConfig } from '@postmill/config';
import type { MailTransport } from '@postmill/core';
import {
  createAliyunDmTransport,
  createNullTransport,
  createOutboxTransport,
  createSendCloudTransport,
  createSmtpTransport,
  createTencentSesTransport,
  type OutboxStore,
} from '@postmill/transports';

/** Builds the configured transport; the outbox one writes into the given store. */
export function createTransport(config: TransportConfig, outbox: OutboxStore): MailTransport {
  switch (config.kind) {
    case 'outbox':
      return createOutboxTransport({ store: outbox });
    case 'null':
      return createNullTransport({ personalisedBatchSize: config.personalBatchSize });
    case 'smtp':
      return createSmtpTransport({ url: config.url, maxConnections: config.maxConnections, timeoutMs: config.timeoutMs });
    case 'tencent-ses':
      return createTencentSesTransport({
        endpoint: config.endpoint,
        secretId: config.secretId,
        secretKey: config.secretKey,
        region: config.region,
        timeoutMs: config.timeoutMs,
      });
    case 'aliyun-dm':
      return createAliyunDmTransport({
        endpoint: config.endpoint,
        accessKeyId: config.accessKeyId,
        accessKeySecret: config.accessKeySecret,
        ...(config.tagName === undefined ? {} : { tagName: config.tagName }),
        timeoutMs: config.timeoutMs,
      });
    case 'sendcloud':
      return createSendCloudTransport({
        endpoint: config.endpoint,
        apiUser: config.apiUser,
        apiKey: config.apiKey,
        ...(config.labelId === undefined ? {} : { labelId: config.labelId }),
        timeoutMs: config.timeoutMs,
        personalBatchSize: config.personalBatchSize,
      });
  }
}
