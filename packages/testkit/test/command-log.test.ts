import { describe, expect, it } from 'vitest';
import { parseMonitorLine } from '../src/command-log.ts';

describe('parseMonitorLine', () => {
  it('reads a client command and a script command with escaped arguments, and nothing else', () => {
    expect(parseMonitorLine('+1796623452.768547 [0 127.0.0.1:44752] "blmove" "{p}:intake" "LEFT"')).toEqual({
      args: ['blmove', '{p}:intake', 'LEFT'],
      source: '127.0.0.1:44752',
    });
    expect(parseMonitorLine('+1796623452.1 [0 lua] "HSET" "k" "a \\"b\\"\\\\\\x01"')).toEqual({ args: ['HSET', 'k', 'a "b"\\\x01'], source: 'lua' });
    expect(parseMonitorLine('+OK')).toBeUndefined();
  });
});
