import { closedBuckets, compareCodePoints, duePublications, GroupTally } from './breakdown-rules';

const group = (key: string | null, participants: number, fresh: number, shown = false): GroupTally => ({ key, participants, fresh, shown });

describe('breakdown rules', () => {
  it('republishes a shown group with k new participants and nothing with fewer', () => {
    expect(duePublications('INDUSTRY', [group('Software', 9, 4, true)], 5)).toEqual({ republished: [], promoted: [], other: false });
    expect(duePublications('INDUSTRY', [group('Software', 10, 5, true)], 5)).toEqual({ republished: ['Software'], promoted: [], other: false });
  });

  it('publishes `other` with k new participants, promoting groups of k unless `other` would keep 1..k-1', () => {
    // Banking 4 + Healthcare 1: no group reaches k, `other` is published alone.
    expect(duePublications('INDUSTRY', [group('Software', 10, 0, true), group('Banking', 4, 4), group('Healthcare', 1, 1)], 5)).toEqual({
      republished: [],
      promoted: [],
      other: true,
    });
    // Banking 6 would leave 4 in `other`: it stays there.
    expect(duePublications('INDUSTRY', [group('Banking', 6, 2), group('Healthcare', 3, 2), group('Media', 1, 1), group('Software', 10, 0, true)], 5)).toEqual({
      republished: [],
      promoted: [],
      other: true,
    });
    // With Media 2 more, `other` would keep 5: Banking is promoted.
    expect(duePublications('INDUSTRY', [group('Banking', 6, 6), group('Healthcare', 3, 3), group('Media', 2, 2)], 5).promoted).toEqual(['Banking']);
    // Everyone in groups of k: all promoted, `other` published empty.
    expect(duePublications('COMPANY_SIZE', [group('EMPLOYEES_2_TO_10', 5, 5), group('EMPLOYEES_11_TO_50', 6, 6)], 5)).toEqual({
      republished: [],
      promoted: ['EMPLOYEES_11_TO_50', 'EMPLOYEES_2_TO_10'],
      other: true,
    });
    // Members of no group count in `other` but are never promoted.
    expect(duePublications('INDUSTRY', [group(null, 7, 7)], 5)).toEqual({ republished: [], promoted: [], other: true });
  });

  it('keeps the smallest candidate (last in display order) in `other`', () => {
    const due = duePublications('INDUSTRY', [group('Beta', 5, 5), group('Alpha', 5, 5), group('Gamma', 7, 7), group(null, 2, 2)], 5);
    expect(due.promoted).toEqual(['Gamma', 'Alpha']);
  });

  it('closes with groups of k, folding the smallest into `other` when `other` would hold 1..k-1, and nothing below k', () => {
    const closed = (entries: Array<[string | null, number]>) => closedBuckets('INDUSTRY', new Map(entries), 5);
    expect(
      closed([
        ['Software', 12],
        ['Banking', 6],
        ['Healthcare', 3],
        ['Media', 2],
      ]),
    ).toEqual({ shown: ['Software', 'Banking'], other: ['Healthcare', 'Media'] });
    expect(
      closed([
        ['Software', 12],
        ['Banking', 6],
        ['Healthcare', 3],
      ]),
    ).toEqual({ shown: ['Software'], other: ['Banking', 'Healthcare'] });
    expect(closed([['Software', 4]])).toEqual({ shown: [], other: [] });
    expect(
      closed([
        ['Software', 5],
        [null, 1],
      ]),
    ).toEqual({ shown: [], other: ['Software', null] });
  });

  it('orders labels by code point', () => {
    expect(['b', 'B', '\u{1F600}', '\uFFFF'].sort(compareCodePoints)).toEqual(['B', 'b', '\uFFFF', '\u{1F600}']);
  });
});
