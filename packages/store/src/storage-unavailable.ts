/**
 * True when `err` means Redis could not be reached (so nothing was stored), as opposed to a
 * command that Redis answered with an error. Used by the API to answer a retryable error.
 */
export function isStorageUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (err.name === 'MaxRetriesPerRequestError' || err.name === 'ClusterAllFailedError') return true;
  if (typeof code === 'string' && ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTCONN'].includes(code)) return true;
  return /Stream isn't writeable|Connection is closed|enableOfflineQueue|Reached the max retries per request/u.test(err.message);
}
