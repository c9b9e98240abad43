import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type MailMessage, ProviderError, type TransportRequest } from '@postmill/core';
import { expect } from 'vitest';

// What the HTTP API transports' tests (aliyun-dm, sendcloud, tencent-ses) share.

/** The ProviderError `p` rejects with; fails the test when it resolves or rejects with anything else. */
export async function rejection(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

/** A loopback port that was free a moment ago and has nothing listening on it now (a refused connection). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Runs `fn` with the origin (`http://127.0.0.1:<port>`) of a loopback server answering every
 * request HTTP 200 with `body` as `contentType`; the server is closed afterwards, connections included.
 */
export async function withAnswer200(body: string, contentType: string, fn: (origin: string) => Promise<void>): Promise<void> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': contentType });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * The message the HTTP transports' tests send unless they say otherwise: To, Cc and Bcc
 * recipients, a named sender and Reply-To, HTML and text, no attachments, two custom headers.
 */
export function sampleMessage(overrides: Partial<MailMessage> = {}): MailMessage {
  return {
    from: { address: 'news@mail.example.com', name: 'Example News' },
    to: ['alice@example.com', 'bob@example.com'],
    cc: ['carol@example.com'],
    bcc: ['dave@example.com'],
    replyTo: 'Support <support@example.com>',
    subject: 'Spring update',
    html: '<p>Hello 世界</p>',
    text: 'Hello 世界',
    attachments: [],
    messageId: '<m1.alice@mail.example.com>',
    headers: { 'X-User-Campaign': 'spring', 'List-Unsubscribe': '<https://u.example.com/x>' },
    dateMs: Date.UTC(2025, 2, 1),
    ...overrides,
  };
}

/** A provider request for `message` to `recipients` (default alice@example.com alone). */
export function requestOf(
  message: MailMessage,
  recipients: readonly string[] = ['alice@example.com'],
  postmillMessageId = 'pm-date-20250301000000-abc',
): TransportRequest {
  return { message, recipients, postmillMessageId };
}
