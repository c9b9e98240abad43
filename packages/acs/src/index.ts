export type { AcsParams } from './params.ts';
export { decodeWireParams, pct } from './percent-encode.ts';
export { signV1, type V1Request, v1StringToSign, verifyV1 } from './v1.ts';
export {
  EMPTY_BODY_SHA256,
  type SignV3Request,
  sha256Hex,
  signV3,
  V3_ALGORITHM,
  type V3CanonicalInput,
  type V3Request,
  v3CanonicalQuery,
  v3CanonicalRequest,
  v3StringToSign,
  verifyV3,
} from './v3.ts';
export {
  type AcsAuthFailureCode,
  type AcsVerified,
  type AcsVerifyFailure,
  type AcsVerifyOptions,
  type AcsVerifyResult,
  DEFAULT_MAX_SKEW_SECONDS,
  parseAcsTimestamp,
} from './verify-result.ts';
