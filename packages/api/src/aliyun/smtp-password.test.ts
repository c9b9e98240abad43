import { describe, expect, it } from 'vitest';
import { hashSmtpPassword, smtpPasswordProblem, verifySmtpPassword } from './smtp-password.ts';

describe('SMTP passwords', () => {
  it("accepts DirectMail's rule (10-20 chars, 2 digits, 2 upper, 2 lower) and names what is wrong otherwise", () => {
    expect(smtpPasswordProblem('AbCd12efgh')).toBeUndefined();
    expect(smtpPasswordProblem('Ab12')).toContain('10 to 20');
    expect(smtpPasswordProblem('abcdefgh12')).toContain('upper-case');
  });

  it('stores an salted scrypt hash that verifies the password and nothing else', async () => {
    const hash = await hashSmtpPassword('AbCd12efgh');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/u);
    expect(hash).not.toContain('AbCd12efgh');
    expect(await hashSmtpPassword('AbCd12efgh')).not.toBe(hash);
    expect(await verifySmtpPassword('AbCd12efgh', hash)).toBe(true);
    expect(await verifySmtpPassword('AbCd12efgX', hash)).toBe(false);
    expect(await verifySmtpPassword('AbCd12efgh', 'garbage')).toBe(false);
  });
});
