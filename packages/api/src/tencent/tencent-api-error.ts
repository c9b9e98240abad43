import { PostmillError } from '@postmill/core';

/**
 * An error answered to a Tencent-dialect caller. Guarantees `code` is a Tencent error code
 * (reference §4.4), rendered as HTTP 200 `{"Response":{"Error":{"Code","Message"},"RequestId"}}`.
 */
export class TencentApiError extends PostmillError {
  override readonly name = 'TencentApiError';
}
