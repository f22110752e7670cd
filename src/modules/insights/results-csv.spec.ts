import { PollOptionResult, PollResults } from '../poll/poll-results';
import { Post } from '../post/post.entity';
import { PollResultsBreakdown, PollResultsGroup } from './breakdown.types';
import { breakdownCsv, csvField, mayDownloadResults, pollResultsCsv, resultsCsvPath } from './results-csv';

function option(label: string, voteCount: number | null, percentage: number | null): PollOptionResult {
  return Object.assign(new PollOptionResult(), { optionId: 'x', label, voteCount, percentage });
}

function poll(fields: Partial<Post>): Post {
  return Object.assign(new Post(), { id: 7, kind: 'POLL', authorId: 1, resultsVisibility: 'ON_CLOSE', isClosed: false, closesAt: null, ...fields });
}

describe('csvField', () => {
  it('writes numbers as plain integers and refuses anything else', () => {
    expect(csvField(0)).toBe('0');
    expect(csvField(1234567)).toBe('1234567');
    expect(() => csvField(1.5)).toThrow();
  });

  it('quotes a field with a comma, a double quote, CR or LF, doubling the quotes inside', () => {
    expect(csvField('Office')).toBe('Office');
    expect(csvField('Hybrid, mostly')).toBe('"Hybrid, mostly"');
    expect(csvField('The "new" office')).toBe('"The ""new"" office"');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField('')).toBe('');
  });

  it('puts an apostrophe before text that begins like a formula, then quotes it if needed', () => {
    expect(csvField('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-5 days')).toBe("'-5 days");
    expect(csvField('@home')).toBe("'@home");
    expect(csvField('=HYPERLINK("x","y")')).toBe('"\'=HYPERLINK(""x"",""y"")"');
    expect(csvField('a=b')).toBe('a=b');
    expect(csvField(' =1')).toBe(' =1');
  });
});

describe('pollResultsCsv', () => {
  it('writes one record per option with CRLF after every record, the last too', () => {
    const results = Object.assign(new PollResults(7), { options: [option('Office', 6, 26), option('Hybrid', 8, 35), option('Remote', 9, 39)] });
    expect(pollResultsCsv(results)).toBe('option,votes,percentage\r\nOffice,6,26\r\nHybrid,8,35\r\nRemote,9,39\r\n');
  });

  it('refuses hidden figures rather than writing empty cells', () => {
    const results = Object.assign(new PollResults(7), { options: [option('Office', null, null)] });
    expect(() => pollResultsCsv(results)).toThrow(/hidden/);
  });
});

describe('breakdownCsv', () => {
  const group = (label: string, participantCount: number, options: PollOptionResult[], isOther = false) =>
    Object.assign(new PollResultsGroup(), { label, isOther, participantCount, options });

  it('writes the groups in order, then Other, one record per option', () => {
    const breakdown = Object.assign(new PollResultsBreakdown(7, 'COMPANY_SIZE'), {
      isHidden: false,
      groups: [group('10,001+ employees', 10, [option('Office', 4, 40), option('Remote', 6, 60)])],
      other: group('Other', 5, [option('Office', 2, 40), option('Remote', 3, 60)], true),
    });
    expect(breakdownCsv(breakdown)).toBe(
      'group,participants,option,votes,percentage\r\n' +
        '"10,001+ employees",10,Office,4,40\r\n' +
        '"10,001+ employees",10,Remote,6,60\r\n' +
        'Other,5,Office,2,40\r\n' +
        'Other,5,Remote,3,60\r\n',
    );
  });

  it('is the header only when nothing is published', () => {
    const breakdown = Object.assign(new PollResultsBreakdown(7, 'INDUSTRY'), { isHidden: false, groups: [], other: null });
    expect(breakdownCsv(breakdown)).toBe('group,participants,option,votes,percentage\r\n');
  });

  it('refuses a hidden breakdown', () => {
    const breakdown = Object.assign(new PollResultsBreakdown(7, 'INDUSTRY'), { isHidden: true, groups: [], other: null });
    expect(() => breakdownCsv(breakdown)).toThrow(/hidden/);
  });
});

describe('mayDownloadResults', () => {
  const now = new Date('2026-12-06T12:00:00Z');
  const author = { id: 1, role: 'MEMBER' };
  const member = { id: 2, role: 'MEMBER' };
  const moderator = { id: 3, role: 'MODERATOR' };
  const admin = { id: 4, role: 'ADMIN' };

  it('lets the author download always, and nobody anonymous or without a role', () => {
    expect(mayDownloadResults(poll({}), author, false, now)).toBe(true);
    expect(mayDownloadResults(poll({}), null, false, now)).toBe(false);
    expect(mayDownloadResults(poll({ resultsVisibility: 'ALWAYS', isClosed: true }), member, true, now)).toBe(false);
  });

  it('lets moderators and admins download exactly when they may see the tallies', () => {
    expect(mayDownloadResults(poll({ resultsVisibility: 'ON_CLOSE' }), moderator, false, now)).toBe(false);
    expect(mayDownloadResults(poll({ resultsVisibility: 'ON_CLOSE', closesAt: new Date(now.getTime() - 1) }), moderator, false, now)).toBe(true);
    expect(mayDownloadResults(poll({ resultsVisibility: 'ON_CLOSE', isClosed: true }), admin, false, now)).toBe(true);
    expect(mayDownloadResults(poll({ resultsVisibility: 'ALWAYS' }), moderator, false, now)).toBe(true);
    expect(mayDownloadResults(poll({ resultsVisibility: 'ON_VOTE' }), moderator, false, now)).toBe(false);
    expect(mayDownloadResults(poll({ resultsVisibility: 'ON_VOTE' }), admin, true, now)).toBe(true);
  });
});

describe('resultsCsvPath', () => {
  it('percent-encodes the id as encodeURIComponent does', () => {
    expect(resultsCsvPath('UG9sbDo3')).toBe('/polls/UG9sbDo3/results.csv');
    expect(resultsCsvPath('a/b+c')).toBe('/polls/a%2Fb%2Bc/results.csv');
  });
});
