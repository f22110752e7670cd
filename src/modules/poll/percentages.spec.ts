import { largestRemainderPercentages } from './percentages';

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

describe('largestRemainderPercentages', () => {
  it('gives the return-to-office poll its published figures', () => {
    expect(largestRemainderPercentages([85, 65, 26, 20, 2, 5])).toEqual([42, 32, 13, 10, 1, 2]);
  });

  it('is all zeros when nobody voted', () => {
    expect(largestRemainderPercentages([0, 0, 0])).toEqual([0, 0, 0]);
  });

  it('breaks equal remainders by more votes, then by lower position', () => {
    // Three equal thirds: 33.33 each, one leftover point goes to position 0.
    expect(largestRemainderPercentages([1, 1, 1])).toEqual([34, 33, 33]);
    // 2/7 and 1/7... remainders differ; sums stay exact.
    expect(sum(largestRemainderPercentages([2, 1, 1, 1, 1, 1]))).toBe(100);
  });

  it('always sums to exactly 100 when anyone voted', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) % 50;
    for (let run = 0; run < 500; run++) {
      const counts = Array.from({ length: 2 + (run % 19) }, () => next());
      if (sum(counts) === 0) counts[0] = 1;
      const result = largestRemainderPercentages(counts);
      expect(sum(result)).toBe(100);
      result.forEach((value, i) => expect(Math.abs(value - (counts[i] * 100) / sum(counts))).toBeLessThan(1));
    }
  });
});
