/**
 * Whole-number percentages by the largest-remainder method: each option gets
 * the floor of its exact share, then the points still missing to 100 go to
 * the largest remainders (ties: more votes, then the lower position). The
 * result always sums to exactly 100 when anyone voted; all 0 otherwise.
 * 85, 65, 26, 20, 2, 5 of 203 -> 42, 32, 13, 10, 1, 2.
 */
export function largestRemainderPercentages(voteCounts: readonly number[]): number[] {
  const total = voteCounts.reduce((sum, count) => sum + count, 0);
  if (total === 0) return voteCounts.map(() => 0);
  // Integer arithmetic: share = count * 100 / total, as quotient and remainder.
  const shares = voteCounts.map((count, position) => ({
    position,
    count,
    floor: Math.floor((count * 100) / total),
    remainder: (count * 100) % total,
  }));
  let missing = 100 - shares.reduce((sum, share) => sum + share.floor, 0);
  const result = shares.map((share) => share.floor);
  const byRemainder = [...shares].sort((a, b) => b.remainder - a.remainder || b.count - a.count || a.position - b.position);
  for (const share of byRemainder) {
    if (missing === 0) break;
    result[share.position] += 1;
    missing -= 1;
  }
  return result;
}
