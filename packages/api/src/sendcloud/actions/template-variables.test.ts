import { describe, expect, it } from 'vitest';
import { toSendCloudTemplateText, toStoredTemplateText } from './template-variables.ts';

describe('SendCloud template variables', () => {
  it('stores %name% as {{name}} and shows {{name}} as %name%', () => {
    expect(toStoredTemplateText('<p>Dear %name%, you owe %money%.</p>')).toBe('<p>Dear {{name}}, you owe {{money}}.</p>');
    expect(toSendCloudTemplateText('<p>Dear {{name}}, you owe {{ money }}.</p>')).toBe('<p>Dear %name%, you owe %money%.</p>');
  });

  it('leaves percent signs in text, in attributes and in %%internal%% variables as written', () => {
    const text = '<td width="50%">100% off, 20% more</td> %%user_defined_unsubscribe_link%%';
    expect(toStoredTemplateText(text)).toBe(text);
  });

  it('round-trips a SendCloud text through storage unchanged', () => {
    const text = 'Hi %user.first-name%: %a%%b% <b>%c_1%</b>';
    expect(toSendCloudTemplateText(toStoredTemplateText(text))).toBe(text);
  });
});
