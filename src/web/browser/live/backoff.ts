/**
 * How long a live page waits before trying to reconnect (or to subscribe again): 0.5 s doubling
 * up to MAX_RETRY_WAIT_MS, minus up to a quarter of jitter so that a wall of screens does not
 * come back in lockstep. Never more than 5 s: a room watching a poll should not wait longer than
 * that once the server is back. Pure, so test/live-pages-backoff.test.ts checks it directly.
 */
export const MAX_RETRY_WAIT_MS = 5000;
const FIRST_RETRY_WAIT_MS = 500;

/** The wait before retry number `retries` (0-based); `random` is Math.random's kind of number, in [0, 1). */
export function retryWait(retries: number, random: number = Math.random()): number {
  const base = Math.min(MAX_RETRY_WAIT_MS, FIRST_RETRY_WAIT_MS * 2 ** retries);
  return Math.round(base * (1 - random * 0.25));
}
