import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { popClient, sdkTarget } from './sdk-clients.ts';

const unique = () => randomBytes(4).toString('hex');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Pop = ReturnType<typeof popClient>;

/** 'ok' or the error code a pop-core call failed with. */
async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'ok';
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

async function templatesNamed(pop: Pop, name: string): Promise<string[]> {
  const answer = (await pop.request('QueryTemplateByParam', { KeyWord: name, PageSize: 100 }, 'GET')) as { data: { template: { TemplateName: string }[] } };
  return answer.data.template.map((t) => t.TemplateName).filter((n) => n === name);
}

// Each call starts after its own gap (0 ms gaps included: those leave together), so the
// interleavings fast-check draws range from fully simultaneous to staggered.
const gaps = (min: number) => fc.array(fc.constantFrom(0, 0, 0, 1, 2, 5), { minLength: min, maxLength: 8 });

describe('DirectMail template names', () => {
  let api: ApiHarness;
  let pop: Pop;

  beforeAll(async () => {
    api = await startApiHarness();
    pop = popClient(sdkTarget(api));
  });

  afterAll(async () => {
    await api?.close();
  });

  it('lets exactly one of N concurrent CreateTemplate calls with one name succeed and refuses the rest with InvalidTemplateName.Duplicate', async () => {
    await fc.assert(
      fc.asyncProperty(gaps(2), async (delays) => {
        const name = `c${unique()}`;
        const results = await Promise.all(
          delays.map(async (ms) => {
            await sleep(ms);
            return outcome(pop.request('CreateTemplate', { TemplateName: name, TemplateText: '<p>Hi {UserName}</p>' }, 'POST'));
          }),
        );
        expect(results.filter((r) => r === 'ok')).toHaveLength(1);
        expect(results.filter((r) => r !== 'ok').every((r) => r === 'InvalidTemplateName.Duplicate')).toBe(true);
        expect(await templatesNamed(pop, name)).toEqual([name]);
      }),
      { numRuns: 15 },
    );
  });

  it('lets exactly one of concurrent ModifyTemplate renames and CreateTemplate calls to one name succeed', async () => {
    await fc.assert(
      fc.asyncProperty(gaps(2), fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }), async (delays, isRename) => {
        const name = `r${unique()}`;
        const results = await Promise.all(
          delays.map(async (ms, i) => {
            if (isRename[i]) {
              const { TemplateId } = await pop.request('CreateTemplate', { TemplateName: `o${unique()}`, TemplateText: '<p>x</p>' }, 'POST');
              await sleep(ms);
              return outcome(pop.request('ModifyTemplate', { TemplateId, TemplateName: name }, 'POST'));
            }
            await sleep(ms);
            return outcome(pop.request('CreateTemplate', { TemplateName: name, TemplateText: '<p>x</p>' }, 'POST'));
          }),
        );
        expect(results.filter((r) => r === 'ok')).toHaveLength(1);
        expect(results.filter((r) => r !== 'ok').every((r) => r === 'InvalidTemplateName.Duplicate')).toBe(true);
        expect(await templatesNamed(pop, name)).toEqual([name]);
      }),
      { numRuns: 10 },
    );
  });

  it('frees a name for CreateTemplate once its template is deleted or renamed, and lets ModifyTemplate keep its own name', async () => {
    const name = `f${unique()}`;
    const { TemplateId } = await pop.request('CreateTemplate', { TemplateName: name, TemplateText: '<p>x</p>' }, 'POST');
    expect(await outcome(pop.request('ModifyTemplate', { TemplateId, TemplateName: name, TemplateSubject: 'kept' }, 'POST'))).toBe('ok');
    expect(await outcome(pop.request('CreateTemplate', { TemplateName: name, TemplateText: '<p>x</p>' }, 'POST'))).toBe('InvalidTemplateName.Duplicate');
    await pop.request('ModifyTemplate', { TemplateId, TemplateName: `${name}b` }, 'POST');
    const { TemplateId: second } = await pop.request('CreateTemplate', { TemplateName: name, TemplateText: '<p>x</p>' }, 'POST');
    await pop.request('DeleteTemplate', { TemplateId: second }, 'POST');
    expect(await outcome(pop.request('CreateTemplate', { TemplateName: name, TemplateText: '<p>x</p>' }, 'POST'))).toBe('ok');
  });

  it("refuses a DirectMail CreateTemplate of a name a Tencent template has, while Tencent's CreateEmailTemplate still allows duplicates", async () => {
    const name = `t${unique()}`;
    const html = Buffer.from('<p>x</p>').toString('base64');
    expect((await api.call('CreateEmailTemplate', { TemplateName: name, TemplateContent: { Html: html } })).body.Response.Error).toBeUndefined();
    expect((await api.call('CreateEmailTemplate', { TemplateName: name, TemplateContent: { Html: html } })).body.Response.Error).toBeUndefined();
    expect(await outcome(pop.request('CreateTemplate', { TemplateName: name, TemplateText: '<p>x</p>' }, 'POST'))).toBe('InvalidTemplateName.Duplicate');
    const dm = `d${unique()}`;
    await pop.request('CreateTemplate', { TemplateName: dm, TemplateText: '<p>x</p>' }, 'POST');
    expect((await api.call('CreateEmailTemplate', { TemplateName: dm, TemplateContent: { Html: html } })).body.Response.Error).toBeUndefined();
  });
});
