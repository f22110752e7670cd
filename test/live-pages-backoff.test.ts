/**
 * The live pages' reconnect policy (src/web/browser/live/backoff.ts), checked directly: the
 * issue bounds the wait between attempts at 5 s, whatever the number of failed attempts.
 */
import { MAX_RETRY_WAIT_MS, retryWait } from '../src/web/browser/live/backoff';

describe('live pages: the wait between reconnect attempts', () => {
  it('starts at half a second, doubles, and never exceeds 5 s however long the server stays away', () => {
    expect([0, 1, 2, 3].map((retries) => retryWait(retries, 0))).toEqual([500, 1000, 2000, 4000]);
    expect(MAX_RETRY_WAIT_MS).toBe(5000);
    for (const retries of [4, 5, 10, 100, 10_000]) {
      for (const random of [0, 0.5, 0.999]) {
        const wait = retryWait(retries, random);
        expect(wait).toBeLessThanOrEqual(5000);
        expect(wait).toBeGreaterThanOrEqual(3750);
      }
    }
  });

  it('jitters by at most a quarter, downwards only, so the bound holds', () => {
    expect(retryWait(1, 0.999)).toBeGreaterThanOrEqual(750);
    expect(retryWait(1, 0.999)).toBeLessThan(1000);
  });
});
