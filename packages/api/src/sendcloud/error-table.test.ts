import { EngineError, ERROR_KINDS, type ErrorContexts, type ErrorKind } from '@postmill/core';
import { describe, expect, it } from 'vitest';
import { isSuccessCode } from './envelope.ts';
import { engineKindCode, sendCloudErrorAnswer } from './error-table.ts';
import { SendCloudFailure } from './sendcloud-failure.ts';
import { SENDCLOUD_STATUS_MESSAGES } from './status-codes.ts';

/** One context per kind (a kind added to the engine is a compile error here too). */
const SAMPLE: { readonly [K in ErrorKind]: ErrorContexts[K] } = {
  'invalid-input': { field: 'subject' },
  'missing-parameter': { field: 'to' },
  'invalid-address': { field: 'to', value: 'x' },
  'invalid-date': { field: 'startDate', problem: 'format' },
  'no-recipients': {},
  'too-many-recipients': { field: 'to', count: 101, max: 100 },
  'missing-content': { field: 'content' },
  'template-data-invalid': { problem: 'NotJson' },
  'receiver-entries-refused': { receiverId: 1, refusal: 'InvalidEmail', refused: 1 },
  unsupported: { feature: 'x' },
  'limit-exceeded': { limit: 'page-size', max: 100 },
  'template-not-found': { templateId: 1 },
  'sender-not-found': { address: 'a@b.example' },
  'domain-not-found': { domain: 'b.example' },
  'domain-not-verified': { domain: 'b.example' },
  'receiver-list-not-found': { receiverId: 1 },
  'receiver-list-empty': { receiverId: 1 },
  'receiver-entry-not-found': { receiverId: 1, email: 'c@d.example' },
  'task-not-found': { taskId: 1 },
  'suppression-entry-not-found': { id: 1 },
  'already-exists': { resource: 'receiver-list', name: 'x' },
  'domain-has-senders': { domain: 'b.example', senders: 1 },
  'receiver-list-busy': { receiverId: 1 },
  'task-state-conflict': { taskId: 1, operation: 'pause' },
  'recipient-unsubscribed': { sender: 'a@b.example' },
  'recipient-suppressed': { recipient: 'c@d.example' },
  'idempotency-key-reused': { key: 'k', windowMs: 1 },
  'idempotency-key-busy': { key: 'k' },
  'rate-limited': {},
  'storage-unavailable': {},
};

const PATHS = [
  'mail/send',
  'mail/sendtemplate',
  'mail/taskinfo',
  'template/add',
  'addresslist/add',
  'addressmember/add',
  'label/add',
  'domain/add',
  'apiuser/add',
  'userinfo/get',
  'unsubscribe/add',
  'bounce/list',
  'statday/list',
  'webhook/add',
  'data/emailstatus',
];

const code = <K extends ErrorKind>(kind: K, context: ErrorContexts[K], path: string) => engineKindCode(kind, context, { path });

describe('the SendCloud error table', () => {
  it('answers every engine kind in every module with a documented refusal code (never a success code) and its documented message first', () => {
    for (const kind of ERROR_KINDS) {
      for (const path of PATHS) {
        const err = new EngineError(kind, 'engine words', { context: SAMPLE[kind] as never });
        const answer = sendCloudErrorAnswer(err, { path });
        expect(SENDCLOUD_STATUS_MESSAGES[answer.statusCode], `${kind} in ${path}`).toBeDefined();
        expect(isSuccessCode(answer.statusCode), `${kind} in ${path}`).toBe(false);
        expect(answer.message.startsWith(SENDCLOUD_STATUS_MESSAGES[answer.statusCode]), `${kind} in ${path}`).toBe(true);
        expect(answer.serverFault, `${kind} in ${path}`).toBe(kind === 'storage-unavailable');
      }
    }
  });

  it('answers template-not-found 40216 in template/* and 40823 in mail/sendtemplate', () => {
    expect(code('template-not-found', { templateId: 1 }, 'template/get')).toBe(40216);
    expect(code('template-not-found', { templateId: 1 }, 'mail/sendtemplate')).toBe(40823);
  });

  it('answers too-many-recipients by field: to 40807, xsmtpapi.to 40827, cc 40854, bcc 40857, members 40515', () => {
    const c = (field: string) => ({ field, count: 101, max: 100 });
    expect(code('too-many-recipients', c('to'), 'mail/send')).toBe(40807);
    expect(code('too-many-recipients', c('xsmtpapi.to'), 'mail/send')).toBe(40827);
    expect(code('too-many-recipients', c('cc'), 'mail/send')).toBe(40854);
    expect(code('too-many-recipients', c('bcc'), 'mail/send')).toBe(40857);
    expect(code('too-many-recipients', c('emails'), 'addressmember/add')).toBe(40515);
  });

  it('answers invalid-address by field and module: to 40806, from 40802, a member 40518, a suppression email 40012', () => {
    expect(code('invalid-address', { field: 'to', value: 'x' }, 'mail/send')).toBe(40806);
    expect(code('invalid-address', { field: 'from', value: 'x' }, 'mail/send')).toBe(40802);
    expect(code('invalid-address', { field: 'emails', value: 'x' }, 'addressmember/add')).toBe(40518);
    expect(code('invalid-address', { field: 'email', value: 'x' }, 'unsubscribe/add')).toBe(40012);
  });

  it('answers already-exists by module: label 40113, template 40220, address list 40505', () => {
    expect(code('already-exists', { resource: 'receiver-list', name: 'x' }, 'label/add')).toBe(40113);
    expect(code('already-exists', { resource: 'receiver-list', name: 'x' }, 'template/add')).toBe(40220);
    expect(code('already-exists', { resource: 'receiver-list', name: 'x' }, 'addresslist/add')).toBe(40505);
  });

  it('answers receiver-list-not-found 40863 in mail/*, 40511 in addresslist/*, 40517 in addressmember/*', () => {
    expect(code('receiver-list-not-found', { receiverId: 1 }, 'mail/send')).toBe(40863);
    expect(code('receiver-list-not-found', { receiverId: 1 }, 'addresslist/delete')).toBe(40511);
    expect(code('receiver-list-not-found', { receiverId: 1 }, 'addressmember/add')).toBe(40517);
  });

  it('answers domain-not-found 41108 in apiuser/* and 41014 in domain/*; page-size 40004; rate-limited 50001; storage-unavailable 501', () => {
    expect(code('domain-not-found', { domain: 'x' }, 'apiuser/add')).toBe(41108);
    expect(code('domain-not-found', { domain: 'x' }, 'domain/update')).toBe(41014);
    expect(code('limit-exceeded', { limit: 'page-size', max: 100 }, 'template/list')).toBe(40004);
    expect(code('limit-exceeded', { limit: 'attachment-bytes', max: 1 }, 'mail/send')).toBe(40819);
    expect(code('rate-limited', {}, 'mail/send')).toBe(50001);
    expect(code('storage-unavailable', {}, 'mail/send')).toBe(501);
  });

  it('answers refusals of `to` with the xsmtpapi codes when the recipients came in xsmtpapi.to (40827, 40880, 40816), naming xsmtpapi.to', () => {
    const where = { path: 'mail/sendtemplate', recipientsInXsmtpapi: true };
    expect(engineKindCode('too-many-recipients', { field: 'to', count: 101, max: 100 }, where)).toBe(40827);
    expect(engineKindCode('invalid-address', { field: 'to', value: 'x' }, where)).toBe(40880);
    expect(engineKindCode('missing-parameter', { field: 'to' }, where)).toBe(40816);
    expect(engineKindCode('no-recipients', {}, where)).toBe(40816);
    const err = new EngineError('too-many-recipients', (f) => `${f('to')} has 101 addresses`, { context: { field: 'to', count: 101, max: 100 } });
    expect(sendCloudErrorAnswer(err, where).message).toBe('xsmtpapi中to数组长度不能超过100: xsmtpapi.to has 101 addresses');
  });

  it("renders the engine's message with SendCloud's parameter names after the documented one", () => {
    const err = new EngineError('too-many-recipients', (f) => `${f('to')} has 101 addresses`, { context: { field: 'to', count: 101, max: 100 } });
    expect(sendCloudErrorAnswer(err, { path: 'mail/send' }).message).toBe('收件人地址的数目不能超过100: to has 101 addresses');
  });

  it('answers a SendCloudFailure with its own code, an unknown error and an unreachable Redis with 501 as server faults', () => {
    expect(sendCloudErrorAnswer(new SendCloudFailure(40005), { path: undefined })).toEqual({ statusCode: 40005, message: '认证失败', serverFault: false });
    expect(sendCloudErrorAnswer(new Error('boom'), { path: 'mail/send' })).toEqual({ statusCode: 501, message: '服务器异常', serverFault: true });
    const down = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(sendCloudErrorAnswer(down, { path: 'mail/send' })).toMatchObject({ statusCode: 501, serverFault: true });
  });
});
