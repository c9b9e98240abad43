import { describe, expect, it } from 'vitest';
import { childCpuSecondsFromTimes, WrkRequestFormatError, wrkRequestLine } from './drive-wrk.ts';

describe('wrkRequestLine', () => {
  it('writes the raw HTTP/1.1 request on one line, CRLF as TAB, with the UTF-8 byte length of the body', () => {
    const line = wrkRequestLine({ headers: { Host: '127.0.0.1:1', 'X-TC-Action': 'SendEmail' }, body: '{"Subject":"é\\n"}' });
    expect(line).not.toMatch(/[\r\n]/u);
    expect(line.replaceAll('\t', '\r\n')).toBe(
      'POST / HTTP/1.1\r\nHost: 127.0.0.1:1\r\nX-TC-Action: SendEmail\r\nContent-Length: 18\r\n\r\n{"Subject":"é\\n"}',
    );
  });

  it('refuses a header or body holding a TAB, CR or LF (the line would split or change)', () => {
    expect(() => wrkRequestLine({ headers: { A: 'x\ty' }, body: '{}' })).toThrow(WrkRequestFormatError);
    expect(() => wrkRequestLine({ headers: { A: 'x' }, body: '{\n}' })).toThrow(WrkRequestFormatError);
  });
});

describe('childCpuSecondsFromTimes', () => {
  it("adds the user and system time of bash's children (the second line of `times`)", () => {
    expect(childCpuSecondsFromTimes('0m0.002s 0m0.001s\n0m1.250s 1m0.500s\n')).toBeCloseTo(61.75, 6);
  });

  it('is NaN when `times` printed nothing readable', () => {
    expect(childCpuSecondsFromTimes('')).toBeNaN();
  });
});
