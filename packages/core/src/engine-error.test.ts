import { describe, expect, it } from 'vitest';
import { EngineError, isEngineError } from './engine-error.ts';
import { ERROR_KINDS, isErrorKind } from './error-kind.ts';

describe('EngineError', () => {
  it('carries its kind as its code, its typed context and its cause', () => {
    const cause = new Error('underneath');
    const err = new EngineError('template-not-found', 'the template 7 does not exist', { context: { templateId: 7 }, cause });
    expect(err).toMatchObject({ name: 'EngineError', kind: 'template-not-found', code: 'template-not-found', context: { templateId: 7 } });
    expect(err.cause).toBe(cause);
    expect(isEngineError(err, 'template-not-found')).toBe(true);
    expect(isEngineError(err, 'sender-not-found')).toBe(false);
  });

  it('writes field names the engine way by default and the way a dialect names them on request', () => {
    const err = new EngineError('too-many-recipients', (f) => `${f('to')} has 60 addresses; at most 50 are allowed.`, {
      context: { field: 'to', count: 60, max: 50 },
    });
    expect(err.message).toBe('`to` has 60 addresses; at most 50 are allowed.');
    expect(err.messageWith((field) => (field === 'to' ? '`Destination`' : field))).toBe('`Destination` has 60 addresses; at most 50 are allowed.');
  });

  it('knows exactly the kinds of the closed set', () => {
    expect(ERROR_KINDS.every(isErrorKind)).toBe(true);
    expect(new Set(ERROR_KINDS).size).toBe(ERROR_KINDS.length);
    expect(isErrorKind('InvalidParameterValue')).toBe(false);
  });
});
