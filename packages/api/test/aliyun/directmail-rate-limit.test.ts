import { randomBytes } from 'node:crypto';
import type { Clock } from '@postmill/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { popClient, sdkTarget } from './sdk-clients.ts';

const unique = () => randomBytes(4).toString('hex');

/** A clock tests move by hand; it starts 100 ms into a rate-limit window. */
function manualClock(): Clock & { advance(ms: number): void } {
  let t = Math.floor(Date.now() / 1000) * 1000 + 100;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

/** The code a pop-core call failed with, or undefined when it succeeded. */
async function codeOf(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call;
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

describe('the per-credential request rate limit across dialects', () => {
  let api: ApiHarness | undefined;

  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it("counts DirectMail's CreateReceiver apart from Tencent's CreateReceiver: each dialect gets the whole per-action budget", async () => {
    const clock = manualClock();
    api = await startApiHarness({ clock, limits: { apiRequestsPerSecond: 2 } });
    const pop = popClient(sdkTarget(api));
    const tencent = async () =>
      (await api?.call('CreateReceiver', { ReceiversName: `t${unique()}`, Desc: '' }))?.body.Response.Error?.Code as string | undefined;
    const directMail = () => codeOf(pop.request('CreateReceiver', { ReceiversName: `d${unique()}`, ReceiversAlias: `a${unique()}@example.com` }, 'POST'));

    expect([await tencent(), await tencent()]).toEqual([undefined, undefined]);
    expect([await directMail(), await directMail()]).toEqual([undefined, undefined]);
    expect(await tencent()).toBe('RequestLimitExceeded');
    expect(await directMail()).toBe('Throttling.User');
    clock.advance(1_000);
    expect([await tencent(), await directMail()]).toEqual([undefined, undefined]);
  });
});
