import { createRequire } from 'node:module';
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

/** The Target of a running Postmill API (an api-harness): its host and its DirectMail credential. */
export function sdkTarget(api: { readonly baseUrl: string; readonly secretId: string; readonly secretKey: string }): Target {
  return { host: new URL(api.baseUrl).host, accessKeyId: api.secretId, secret: api.secretKey };
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
export function popClient(target: Target): {
  request(action: string, params: Record<string, unknown>, method: 'GET' | 'POST'): Promise<Record<string, unknown>>;
} {
  const client = new RPCClient({
    endpoint: `http://${target.host}`,
    apiVersion: '2015-11-23',
    accessKeyId: target.accessKeyId,
    accessKeySecret: target.secret,
  });
  return { request: (action, params, method) => client.request(action, params, { method }) };
}
