import { describe, expect, it } from 'vitest';
import { minuteTime, secondTime, toDirectMailTemplateText, toStoredTemplateText } from './wire-values.ts';

describe('template variables', () => {
  it("stores DirectMail's {Name} as {{Name}} and shows {{Name}} back as {Name}", () => {
    expect(toStoredTemplateText('Hi {UserName}, {NickName}! {{Kept}} {not a var} {1x}')).toBe('Hi {{UserName}}, {{NickName}}! {{Kept}} {not a var} {1x}');
    expect(toDirectMailTemplateText('Hi {{UserName}} and {{ spaced }}')).toBe('Hi {UserName} and {spaced}');
  });
});

describe('DirectMail times', () => {
  it('writes minute and second resolution UTC times as the vendor does', () => {
    const at = Date.UTC(2021, 4, 13, 15, 54, 7, 250);
    expect(minuteTime(at)).toBe('2021-05-13T15:54Z');
    expect(secondTime(at)).toBe('2021-05-13T15:54:07Z');
  });
});
