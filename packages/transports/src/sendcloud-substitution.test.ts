import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveSubstitution, type PersonalTexts, substituteInTurn, substituteOnce } from './sendcloud-substitution.ts';

/** Renders `template` (literal pieces between holes) with one value per hole. */
const render = (pieces: readonly string[], values: readonly string[]): string => pieces.map((p, i) => p + (values[i] ?? '')).join('');

/** Text that often contains what a skeleton must not confuse with a variable: `%`, `%pmv0_`, `%pmv0_1%`, `$`, regex characters. */
const trickyText = fc.oneof(
  { weight: 6, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.constantFrom('%', '%pmv0_', '%pmv0_1%', '%pmv1_0%', '$&', '.*', '\\', '%name%', '你好', '😀') },
  { weight: 2, arbitrary: fc.array(fc.constantFrom('%', 'p', 'm', 'v', '0', '1', '_', 'a'), { maxLength: 8 }).map((cs) => cs.join('')) },
);

/** A template of 0–4 holes and, for 2–6 recipients, one value per hole each. */
const personalised = fc
  .record({
    holes: fc.integer({ min: 0, max: 4 }),
    recipients: fc.integer({ min: 2, max: 6 }),
  })
  .chain(({ holes, recipients }) =>
    fc.record({
      subject: fc.array(trickyText, { minLength: holes + 1, maxLength: holes + 1 }),
      html: fc.option(fc.array(trickyText, { minLength: holes + 1, maxLength: holes + 1 }), { nil: undefined }),
      plain: fc.option(fc.array(trickyText, { minLength: holes + 1, maxLength: holes + 1 }), { nil: undefined }),
      values: fc.array(fc.array(trickyText, { minLength: holes, maxLength: holes }), { minLength: recipients, maxLength: recipients }),
    }),
  )
  .map(({ subject, html, plain, values }): PersonalTexts[] =>
    values.map((v) => ({
      subject: render(subject, v),
      ...(html === undefined ? {} : { html: render(html, v) }),
      ...(plain === undefined ? {} : { plain: render(plain, v) }),
    })),
  );

/** No wall-clock budget: on a loaded machine the default one could decline, and these tests check what is derived. */
const UNBOUNDED = { budgetMs: Number.POSITIVE_INFINITY };

/** Each recipient's texts as SendCloud makes them from the skeleton, one of the two ways of substituting. */
function rebuilt(messages: readonly PersonalTexts[], way: typeof substituteOnce, derived = deriveSubstitution(messages, UNBOUNDED)): PersonalTexts[] {
  const s = derived;
  if (!s) throw new Error('no substitution');
  return messages.map((_, i) => ({
    subject: way(s.skeleton.subject, s.sub, i),
    ...(s.skeleton.html === undefined ? {} : { html: way(s.skeleton.html, s.sub, i) }),
    ...(s.skeleton.plain === undefined ? {} : { plain: way(s.skeleton.plain, s.sub, i) }),
  }));
}

describe('deriveSubstitution', () => {
  it('finds one variable per personalised place and rebuilds each recipient exactly', () => {
    const messages = [0, 1, 2].map((i) => ({ subject: `Hello User ${i}`, html: `<p>Hello User ${i}, code 10000${i}.</p>` }));
    const s = deriveSubstitution(messages, UNBOUNDED);
    expect(s?.skeleton).toEqual({ subject: 'Hello User %pmv0_0%', html: '<p>Hello User %pmv0_1%, code 10000%pmv0_2%.</p>' });
    expect(s?.sub).toEqual({ '%pmv0_0%': ['0', '1', '2'], '%pmv0_1%': ['0', '1', '2'], '%pmv0_2%': ['0', '1', '2'] });
    expect(rebuilt(messages, substituteOnce)).toEqual(messages);
  });

  it('picks variable names that occur in no rendered text, so a text quoting one stays literal', () => {
    const messages = [
      { subject: 'Use %pmv0_0% and %pmv1_ here', plain: 'Hi Ann' },
      { subject: 'Use %pmv0_0% and %pmv1_ here', plain: 'Hi Bob' },
    ];
    const s = deriveSubstitution(messages, UNBOUNDED);
    expect(Object.keys(s?.sub ?? {})).toEqual(['%pmv2_0%']);
    expect(s?.skeleton.subject).toBe('Use %pmv0_0% and %pmv1_ here');
    expect(rebuilt(messages, substituteInTurn)).toEqual(messages);
  });

  it('says it cannot when a field is present in some messages only, or when fewer than two are given', () => {
    expect(deriveSubstitution([{ subject: 'a', html: '<p>x</p>' }, { subject: 'b' }])).toBeUndefined();
    expect(deriveSubstitution([{ subject: 'a' }])).toBeUndefined();
  });

  it('says it cannot when the texts differ by more than the edit bound', () => {
    const noise = (seed: number) => Array.from({ length: 9000 }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7919 + seed * 104_729) % 20_000))).join('');
    expect(
      deriveSubstitution(
        [
          { subject: 's', html: noise(1) },
          { subject: 's', html: noise(2) },
        ],
        UNBOUNDED,
      ),
    ).toBeUndefined();
  });

  it('says it cannot when its time budget is spent', () => {
    expect(deriveSubstitution([{ subject: 'Hi Ann' }, { subject: 'Hi Bob' }], { budgetMs: 0 })).toBeUndefined();
  });

  it('for random templates and values, either rebuilds every recipient exactly (in one pass and variable by variable) with names found in no text, or declines', () => {
    fc.assert(
      fc.property(personalised, (messages) => {
        const s = deriveSubstitution(messages, UNBOUNDED);
        if (s === undefined) return; // declined: the transport sends them one call each
        expect(rebuilt(messages, substituteOnce, s)).toEqual(messages);
        expect(rebuilt(messages, substituteInTurn, s)).toEqual(messages);
        const texts = messages.flatMap((m) => [m.subject, m.html ?? '', m.plain ?? '']);
        for (const name of Object.keys(s.sub)) {
          expect(texts.some((t) => t.includes(name))).toBe(false);
          expect(s.sub[name]).toHaveLength(messages.length);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('groups messages rendered from one template with values free of the variable prefix (it does not decline them)', () => {
    const plainValue = fc.stringMatching(/^[A-Za-z0-9 ,.@-]{0,10}$/u);
    fc.assert(
      fc.property(fc.array(fc.tuple(plainValue, plainValue), { minLength: 2, maxLength: 8 }), (values) => {
        const messages = values.map(([name, code]) => ({ subject: `Hi ${name}`, html: `<p>Dear ${name}, your code is ${code}.</p>`, plain: `Code: ${code}` }));
        expect(rebuilt(messages, substituteOnce)).toEqual(messages);
      }),
      { numRuns: 300 },
    );
  });
});
