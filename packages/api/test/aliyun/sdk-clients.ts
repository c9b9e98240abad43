import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { stringify } from 'node:querystring';
import { signV1, signV3 } from '@postmill/acs';
import type DmModule from '@alicloud/dm20151123';
import * as $Dm from '@alicloud/dm20151123';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import RPCClient from '@alicloud/pop-core';
import * as $dara from '@darabonba/typescript';

// The SDK is CommonJS with `exports.default = Client`; a default import of it resolves differently
// in Node and vitest, so take the class the CommonJS way.
const DmClient = (createRequire(import.meta.url)('@alicloud/dm20151123') as typeof DmModule).default;
export type DmClientInstance = InstanceType<typeof DmClient>;
export { $Dm };

/** The credential and address of a Postmill API the clients call. */
export interface Target {
  readonly host: string;
  readonly accessKeyId: string;
  readonly secret: string;
}

/** The official dm SDK (1.9): its default V3 signing, or V1 with `signatureAlgorithm: 'v2'`. */
export function dmClient(target: Target, options: { signing: 'v3' | 'v2' }): DmClientInstance {
  return new DmClient(
    new $OpenApiUtil.Config({
      accessKeyId: target.accessKeyId,
      accessKeySecret: target.secret,
      endpoint: target.host,
      protocol: 'http',
      ...(options.signing === 'v2' ? { signatureAlgorithm: 'v2' } : {}),
    }),
  );
}

/**
 * An action the typed dm SDK lacks (CreateTemplate, ModifyTemplate…), called as its users do:
 * the SDK's generic callApi, parameters in the query. Answers the parsed body.
 */
export async function dmCallApi(client: DmClientInstance, action: string, query: Record<string, string>): Promise<Record<string, unknown>> {
  const params = new $OpenApiUtil.Params({
    action,
    version: '2015-11-23',
    protocol: 'HTTP',
    pathname: '/',
    method: 'POST',
    authType: 'AK',
    style: 'RPC',
    reqBodyType: 'formData',
    bodyType: 'json',
  });
  const answer = await client.callApi(params, new $OpenApiUtil.OpenApiRequest({ query }), new $dara.RuntimeOptions({}));
  return answer.body as Record<string, unknown>;
}

/** pop-core 1.8 (V1), GET with everything in the query or POST with everything in a form body. */
export function popClient(target: Target): { request(action: string, params: Record<string, unknown>, method: 'GET' | 'POST'): Promise<Record<string, unknown>> } {
  const client = new RPCClient({ endpoint: `http://${target.host}`, apiVersion: '2015-11-23', accessKeyId: target.accessKeyId, accessKeySecret: target.secret });
  return { request: (action, params, method) => client.request(action, params, { method }) };
}

/** An ISO time as Alibaba writes it (second resolution). */
export function acsTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** A hand-signed V1 request (to fix the nonce or time, or ask for XML): answers status, content type and text. */
export async function rawV1(
  target: Target,
  params: Record<string, string>,
  options: { method?: 'GET' | 'POST'; nonce?: string; timestampMs?: number; format?: string } = {},
): Promise<{ status: number; contentType: string; text: string }> {
  const method = options.method ?? 'GET';
  const all: Record<string, string> = {
    AccessKeyId: target.accessKeyId,
    Version: '2015-11-23',
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: options.nonce ?? randomBytes(16).toString('hex'),
    Timestamp: acsTimestamp(options.timestampMs ?? Date.now()),
    ...(options.format === undefined ? {} : { Format: options.format }),
    ...params,
  };
  all.Signature = signV1(all, { method, secret: target.secret });
  const wire = stringify(all);
  const res =
    method === 'GET'
      ? await fetch(`http://${target.host}/?${wire}`)
      : await fetch(`http://${target.host}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: wire });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** A hand-signed V3 request with a chosen nonce and time. */
export async function rawV3(
  target: Target,
  action: string,
  query: Record<string, string>,
  options: { nonce?: string; timestampMs?: number } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers = signV3(
    {
      host: target.host,
      action,
      version: '2015-11-23',
      date: acsTimestamp(options.timestampMs ?? Date.now()),
      nonce: options.nonce ?? randomBytes(32).toString('hex'),
      query,
    },
    { accessKeyId: target.accessKeyId, secret: target.secret },
  );
  const res = await fetch(`http://${target.host}/?${stringify(query)}`, { method: 'POST', headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
