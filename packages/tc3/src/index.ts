export { type SignInput, type TencentRequestHeaders, sha256Hex, scopeDate, tc3Signature, tc3Authorization, signTencentRequest } from './sign.ts';
export { type VerifyFailure, type VerifyResult, type ReceivedRequest, type VerifyOptions, verifyTc3 } from './verify.ts';
