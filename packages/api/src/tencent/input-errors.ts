import type { z } from 'zod';
import { TencentApiError } from './tencent-api-error.ts';

function dotted(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

const RANK = { MissingParameter: 0, UnknownParameter: 1, InvalidParameter: 2, InvalidParameterValue: 3 } as const;

/**
 * Turns schema issues into the one Tencent error a caller sees, in Tencent's vocabulary:
 * a missing field → `MissingParameter`, an undefined field → `UnknownParameter`, a wrong JSON
 * type → `InvalidParameter`, a bad value → `InvalidParameterValue` (or the code a refinement set
 * in `params.tencentCode`). Field paths are written Tencent-style: `Template.TemplateID`, `Destination.0`.
 */
export function toTencentInputError(issues: readonly z.core.$ZodIssue[]): TencentApiError {
  const mapped = issues.map((issue) => {
    const at = dotted(issue.path);
    if (issue.code === 'unrecognized_keys') {
      const names = issue.keys.map((k) => (at ? `${at}.${k}` : k)).join('`, `');
      return { rank: RANK.UnknownParameter, code: 'UnknownParameter', message: `The parameter \`${names}\` is not recognized.` };
    }
    if (issue.code === 'invalid_type' && issue.input === undefined) {
      return { rank: RANK.MissingParameter, code: 'MissingParameter', message: `The request is missing a required parameter \`${at}\`.` };
    }
    if (issue.code === 'invalid_type') {
      return { rank: RANK.InvalidParameter, code: 'InvalidParameter', message: `The type of parameter \`${at}\` is incorrect: expected ${issue.expected}.` };
    }
    const custom = issue.code === 'custom' ? (issue.params as { tencentCode?: string } | undefined)?.tencentCode : undefined;
    return {
      rank: RANK.InvalidParameterValue,
      code: custom ?? 'InvalidParameterValue',
      message: `The value of parameter \`${at}\` is invalid: ${issue.message}.`,
    };
  });
  mapped.sort((a, b) => a.rank - b.rank);
  const first = mapped[0] ?? { code: 'InvalidParameter', message: 'The request parameters are invalid.' };
  return new TencentApiError(first.code, first.message, { context: { issues: issues.length } });
}
