import { describe, expect, it } from 'vitest';
import { parseMachineCpu, parseProcCpuSeconds, parseProcStatus } from './proc-stats.ts';
import { globLiteral, parseCommandCalls } from './redis-figures.ts';

describe('/proc parsing', () => {
  it('reads VmRSS and VmHWM in KiB', () => {
    expect(parseProcStatus('Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  150000 kB\n')).toEqual({ rssKb: 150_000, hwmKb: 204_800 });
    expect(parseProcStatus('Name:\tzombie\n')).toBeUndefined();
  });

  it('reads utime + stime even when the command name has spaces and parentheses', () => {
    const stat = '4242 (node (tsx) worker) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 12 0 1 0 0';
    expect(parseProcCpuSeconds(stat)).toBe(3);
  });

  it('counts user, system, irq and steal as busy, idle and iowait as not', () => {
    expect(parseMachineCpu('cpu  100 0 50 1000 10 0 5 5 0 0\ncpu0 1 2 3\n')).toEqual({ busyS: 1.6, totalS: 11.7 });
  });
});

describe('Redis INFO parsing', () => {
  it('reads calls per command from commandstats', () => {
    const text = '# Commandstats\r\ncmdstat_evalsha:calls=12,usec=30,usec_per_call=2.5,rejected_calls=0,failed_calls=0\r\ncmdstat_hget:calls=7,usec=1\r\n';
    expect([...parseCommandCalls(text)]).toEqual([
      ['evalsha', 12],
      ['hget', 7],
    ]);
  });

  it('escapes glob characters so a key prefix matches literally', () => {
    expect(globLiteral('p:{r:1}:*?[x]')).toBe('p:{r:1}:\\*\\?\\[x\\]');
  });
});
