export { type SignInput, scopeDate, sha256Hex, signTencentRequest, type TencentRequestHeaders, tc3Authorization, tc3Signature } from './sign.ts';
export { type ReceivedRequest, type VerifyFailure, type VerifyOptions, type VerifyResult, verifyTc3 } from './verify.ts';
