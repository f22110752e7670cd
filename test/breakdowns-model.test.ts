/**
 * Poll.resultsBreakdown against a reference model of api/insights.graphql (PollResultsBreakdown),
 * written here from the specification's text alone, not from src/modules/insights: per dimension
 * the set of shown groups, and per bucket its published figures and the set of members its last
 * publication counted; rules 2 and 3 after every join and retraction, rule 4 (nothing else
 * publishes), and the closing rules.
 *
 * A seeded pseudo-random driver (fixed seeds, so a failure is reproducible) acts on the real server
 * over HTTP with k = 3: new members joining (industries incl. none, "Other" in two letter cases and
 * two spellings of one industry, several company sizes), vote switches, retractions, re-votes by
 * members who retracted (some after changing their profile), profile changes of members who have a
 * vote (which must not move it), on a single-choice and a multiple-choice poll. After every
 * operation both polls' breakdowns in both dimensions, as their author sees them, must equal the
 * model's; then both polls close and the final breakdowns must equal the model's closing rules.
 *
 * One case the driver avoids on purpose: a vote switch by a member whose profile changed since they
 * joined. "As it was when they cast their current vote" does not say whether a switch is a new
 * "current vote" for the group, so the model asserts nothing there.
 */
import { CAST_VOTE, CLOSE_POLL, CREATE_POLL, RETRACT_VOTE } from './helpers/documents';
import { startTestServer, TestServer } from './helpers/server';

const K = 3;
/**
 * Seed 19 meets, at step 114, a member who returns to `other` after `other` was published while they
 * were in a shown group (the last publication did not count them, so they are new again). MODEL_SEEDS
 * (comma-separated) runs other seeds, e.g. to look for more.
 */
const SEEDS = process.env.MODEL_SEEDS ? process.env.MODEL_SEEDS.split(',').map(Number) : [1, 2, 19];
const STEPS = 120;

type Dimension = 'INDUSTRY' | 'COMPANY_SIZE';
const DIMENSIONS: Dimension[] = ['INDUSTRY', 'COMPANY_SIZE'];

/** How bylines write each band (api/contract.graphql CompanySize). */
const SIZE_LABELS: Record<string, string> = {
  EMPLOYEES_2_TO_10: '2 - 10 employees',
  EMPLOYEES_201_TO_500: '201 - 500 employees',
  EMPLOYEES_10001_PLUS: '10,001+ employees',
  SELF_EMPLOYED: 'Self-employed',
};
const SIZES = Object.keys(SIZE_LABELS);
/** "Software" and "software" are two groups (compared as written); null, "Other" and "OTHER" are in none. */
const INDUSTRIES: Array<string | null> = ['Software', 'Software', 'Banking', 'Banking', 'Healthcare', 'software', null, 'Other', 'OTHER'];

// --- the reference model -------------------------------------------------------------------------

/** `other`'s key in the model's bucket maps (no group key is this: industries are non-empty). */
const OTHER = '\u0000other';

interface Figures {
  participants: number;
  /** Votes per option index. */
  votes: number[];
}

interface Bucket {
  figures: Figures;
  /** The members its last publication counted. */
  counted: Set<number>;
}

interface DimensionState {
  shown: Set<string>;
  /** Published buckets by group key or OTHER (absent: never published). */
  buckets: Map<string, Bucket>;
}

interface Participant {
  options: number[];
  /** Their groups as they were when they joined (a later profile change does not move a vote). */
  groups: Record<Dimension, string | null>;
}

interface PollModel {
  name: string;
  id: string;
  optionIds: string[];
  multiple: boolean;
  version: number;
  closed: boolean;
  participants: Map<number, Participant>;
  dimensions: Record<Dimension, DimensionState>;
}

interface ExpectedGroup {
  label: string;
  isOther: boolean;
  participantCount: number;
  totalVotes: number;
  votes: number[];
}

interface ExpectedBreakdown {
  dimension: Dimension;
  minGroupSize: number;
  participantCount: number;
  publishedParticipantCount: number;
  isClosed: boolean;
  isHidden: boolean;
  version: number;
  groups: ExpectedGroup[];
  other: ExpectedGroup | null;
}

function groupOf(dimension: Dimension, member: { industry: string | null; size: string }): string | null {
  if (dimension === 'COMPANY_SIZE') return member.size;
  const industry = member.industry;
  if (industry === null || industry === '' || industry.toLowerCase() === 'other') return null;
  return industry;
}

function labelOf(dimension: Dimension, key: string): string {
  return dimension === 'COMPANY_SIZE' ? SIZE_LABELS[key] : key;
}

/** Unicode code point order. */
function byCodePoints(a: string, b: string): number {
  const left = Array.from(a).map((c) => c.codePointAt(0)!);
  const right = Array.from(b).map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(left.length, right.length); i++) if (left[i] !== right[i]) return left[i] - right[i];
  return left.length - right.length;
}

/** Display order: most participants first, then by label. */
function displayOrder(a: { participants: number; label: string }, b: { participants: number; label: string }): number {
  return b.participants - a.participants || byCodePoints(a.label, b.label);
}

function newPollModel(name: string, id: string, optionIds: string[], multiple: boolean): PollModel {
  return {
    name,
    id,
    optionIds,
    multiple,
    version: 1,
    closed: false,
    participants: new Map(),
    dimensions: { INDUSTRY: { shown: new Set(), buckets: new Map() }, COMPANY_SIZE: { shown: new Set(), buckets: new Map() } },
  };
}

/** The bucket a participant is in now: their group when it is shown, else `other`. */
function bucketOf(poll: PollModel, dimension: Dimension, participant: Participant): string {
  const key = participant.groups[dimension];
  return key !== null && poll.dimensions[dimension].shown.has(key) ? key : OTHER;
}

function membersOf(poll: PollModel, dimension: Dimension, bucket: string): number[] {
  return [...poll.participants].filter(([, participant]) => bucketOf(poll, dimension, participant) === bucket).map(([member]) => member);
}

/** Members who have a vote now, belong to the bucket, and were not counted in its last publication. */
function newParticipants(poll: PollModel, dimension: Dimension, bucket: string): number {
  const counted = poll.dimensions[dimension].buckets.get(bucket)?.counted ?? new Set<number>();
  return membersOf(poll, dimension, bucket).filter((member) => !counted.has(member)).length;
}

function liveFigures(poll: PollModel, members: number[]): Figures {
  const votes = poll.optionIds.map(() => 0);
  for (const member of members) for (const option of poll.participants.get(member)!.options) votes[option] += 1;
  return { participants: members.length, votes };
}

/** A publication: the bucket's figures copied from its members' live votes, and whom it counted. */
function publish(poll: PollModel, dimension: Dimension, bucket: string): void {
  const members = membersOf(poll, dimension, bucket);
  poll.dimensions[dimension].buckets.set(bucket, { figures: liveFigures(poll, members), counted: new Set(members) });
}

/** Rules 2 and 3, for each dimension, after a vote or a retraction. */
function applyRules(poll: PollModel): void {
  for (const dimension of DIMENSIONS) {
    const state = poll.dimensions[dimension];
    // Rule 2.
    for (const group of [...state.shown]) if (newParticipants(poll, dimension, group) >= K) publish(poll, dimension, group);
    // Rule 3.
    if (newParticipants(poll, dimension, OTHER) >= K) {
      const inOther = membersOf(poll, dimension, OTHER).map((member) => poll.participants.get(member)!.groups[dimension]);
      const sizes = new Map<string, number>();
      for (const key of inOther) if (key !== null) sizes.set(key, (sizes.get(key) ?? 0) + 1);
      const promoted = [...sizes]
        .filter(([, n]) => n >= K)
        .map(([key, participants]) => ({ key, participants, label: labelOf(dimension, key) }))
        .sort(displayOrder);
      const left = inOther.length - promoted.reduce((sum, group) => sum + group.participants, 0);
      if (left >= 1 && left <= K - 1) promoted.pop();
      for (const group of promoted) state.shown.add(group.key);
      for (const group of promoted) publish(poll, dimension, group.key);
      publish(poll, dimension, OTHER);
    }
  }
}

function expectedGroup(label: string, isOther: boolean, figures: Figures): ExpectedGroup {
  return { label, isOther, participantCount: figures.participants, totalVotes: figures.votes.reduce((a, b) => a + b, 0), votes: figures.votes };
}

function expectedBreakdown(poll: PollModel, dimension: Dimension): ExpectedBreakdown {
  const base = { dimension, minGroupSize: K, participantCount: poll.participants.size, isClosed: poll.closed, isHidden: false, version: poll.version };
  let groups: ExpectedGroup[];
  let other: ExpectedGroup | null;
  if (!poll.closed) {
    const state = poll.dimensions[dimension];
    groups = [...state.shown]
      .map((key) => ({ key, label: labelOf(dimension, key), participants: state.buckets.get(key)!.figures.participants }))
      .sort(displayOrder)
      .map((group) => expectedGroup(group.label, false, state.buckets.get(group.key)!.figures));
    const published = state.buckets.get(OTHER);
    other = published && published.figures.participants > 0 ? expectedGroup('Other', true, published.figures) : null;
  } else {
    // The close: everything from the final votes.
    const byGroup = new Map<string | null, number[]>();
    for (const [member, participant] of poll.participants) {
      const key = participant.groups[dimension];
      byGroup.set(key, [...(byGroup.get(key) ?? []), member]);
    }
    if (poll.participants.size < K) {
      groups = [];
      other = null;
    } else {
      const shown = [...byGroup]
        .filter((entry): entry is [string, number[]] => entry[0] !== null && entry[1].length >= K)
        .map(([key, members]) => ({ key, members, participants: members.length, label: labelOf(dimension, key) }))
        .sort(displayOrder);
      const left = poll.participants.size - shown.reduce((sum, group) => sum + group.participants, 0);
      if (left >= 1 && left <= K - 1) shown.pop();
      const shownKeys = new Set(shown.map((group) => group.key));
      groups = shown.map((group) => expectedGroup(group.label, false, liveFigures(poll, group.members)));
      const rest = [...byGroup].filter(([key]) => key === null || !shownKeys.has(key)).flatMap(([, members]) => members);
      other = rest.length > 0 ? expectedGroup('Other', true, liveFigures(poll, rest)) : null;
    }
  }
  const publishedParticipantCount = [...groups, ...(other ? [other] : [])].reduce((sum, group) => sum + group.participantCount, 0);
  return { ...base, publishedParticipantCount, groups, other };
}

// --- the driver ----------------------------------------------------------------------------------

/** mulberry32: a small seeded generator, so that every run of a seed does the same operations. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Member {
  index: number;
  token: string;
  industry: string | null;
  size: string;
  /** Polls (by name) in which the member's profile changed while they had a vote: no switches there (see the top). */
  changedWhileVoting: Set<string>;
  /** Polls the member voted in at some time. */
  votedIn: Set<string>;
  /** Profiles the member had: a profile change often goes back to one, so that a member may return to a bucket that counted them. */
  past: Array<{ industry: string | null; size: string }>;
}

const GROUP_FIELDS = `label isOther participantCount totalVotes options { voteCount }`;
const BREAKDOWN_FIELDS = `dimension minGroupSize participantCount publishedParticipantCount isClosed isHidden version groups { ${GROUP_FIELDS} } other { ${GROUP_FIELDS} }`;
const BOTH_POLLS = `query ($a: ID!, $b: ID!) { a: node(id: $a) { ...P } b: node(id: $b) { ...P } }
fragment P on Poll { INDUSTRY: resultsBreakdown(by: INDUSTRY) { ...B } COMPANY_SIZE: resultsBreakdown(by: COMPANY_SIZE) { ...B } }
fragment B on PollResultsBreakdown { ${BREAKDOWN_FIELDS} }`;
const UPDATE_PROFILE = `mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) { member { id } } }`;

interface ServerGroup {
  label: string;
  isOther: boolean;
  participantCount: number;
  totalVotes: number;
  options: Array<{ voteCount: number | null }>;
}
type ServerBreakdown = Omit<ExpectedBreakdown, 'groups' | 'other'> & { groups: ServerGroup[]; other: ServerGroup | null };

/** The compared fields in one order, so that two states compare (and print) alike. */
function canonical(b: ExpectedBreakdown): ExpectedBreakdown {
  return {
    dimension: b.dimension,
    minGroupSize: b.minGroupSize,
    isClosed: b.isClosed,
    isHidden: b.isHidden,
    version: b.version,
    participantCount: b.participantCount,
    publishedParticipantCount: b.publishedParticipantCount,
    groups: b.groups,
    other: b.other,
  };
}

function normalise(group: ServerGroup | null): ExpectedGroup | null {
  if (!group) return null;
  return {
    label: group.label,
    isOther: group.isOther,
    participantCount: group.participantCount,
    totalVotes: group.totalVotes,
    votes: group.options.map((option) => option.voteCount as number),
  };
}

describe('poll breakdowns against a reference model of the specification (k = 3)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ env: { INSIGHTS_MIN_GROUP_SIZE: String(K) } });
  });
  afterAll(() => t.stop());

  async function ok(response: Promise<{ errors?: unknown[] }>, what: string): Promise<void> {
    const answer = await response;
    if (answer.errors) throw new Error(`${what} failed: ${JSON.stringify(answer.errors)}`);
  }

  it.each(SEEDS)(
    'seed %i: every operation, then the close, as the model says',
    async (seed) => {
      const random = generator(seed);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
      const author = await t.signUp({ industry: 'Software' });
      const polls: PollModel[] = [];
      for (const [name, multiple] of [
        ['single', false],
        ['multiple', true],
      ] as const) {
        const created = await t.gql(
          CREATE_POLL,
          { input: { title: `Model seed ${seed} ${name}`, options: ['Office', 'Hybrid', 'Remote', 'Abroad'], allowsMultipleChoices: multiple } },
          author.token,
        );
        if (!created.data) throw new Error(`createPoll failed: ${JSON.stringify(created.errors)}`);
        const poll = created.data.createPoll.poll;
        polls.push(
          newPollModel(
            name,
            poll.id,
            poll.options.map((option) => option.id),
            multiple,
          ),
        );
      }
      const members: Member[] = [];
      const history: string[] = [];

      function choice(poll: PollModel, previous: number[] | null): number[] {
        for (;;) {
          let options: number[];
          if (!poll.multiple) options = [Math.floor(random() * poll.optionIds.length)];
          else {
            options = poll.optionIds.map((_, i) => i).filter(() => random() < 0.4);
            if (options.length === 0) options = [Math.floor(random() * poll.optionIds.length)];
          }
          if (!previous || options.join() !== previous.join()) return options;
        }
      }

      async function vote(poll: PollModel, member: Member, options: number[]): Promise<void> {
        await ok(t.gql(CAST_VOTE, { input: { pollId: poll.id, optionIds: options.map((i) => poll.optionIds[i]) } }, member.token), 'castVote');
        const participant = poll.participants.get(member.index);
        if (participant) participant.options = options;
        else {
          poll.participants.set(member.index, { options, groups: { INDUSTRY: groupOf('INDUSTRY', member), COMPANY_SIZE: groupOf('COMPANY_SIZE', member) } });
          member.votedIn.add(poll.name);
          member.changedWhileVoting.delete(poll.name);
          poll.version += 1;
          applyRules(poll);
        }
      }

      async function compare(step: string): Promise<void> {
        const answer = await t.gql<Record<'a' | 'b', Record<Dimension, ServerBreakdown>>>(BOTH_POLLS, { a: polls[0].id, b: polls[1].id }, author.token);
        if (!answer.data) throw new Error(`breakdown read failed: ${JSON.stringify(answer.errors)}`);
        const actual = { a: answer.data.a, b: answer.data.b };
        for (const [alias, poll] of [
          ['a', polls[0]],
          ['b', polls[1]],
        ] as const) {
          for (const dimension of DIMENSIONS) {
            const server = actual[alias][dimension];
            const got = canonical({ ...server, groups: server.groups.map((group) => normalise(group)!), other: normalise(server.other) });
            const expected = canonical(expectedBreakdown(poll, dimension));
            if (JSON.stringify(got) !== JSON.stringify(expected)) {
              throw new Error(
                [
                  `Mismatch: seed ${seed}, ${step}, ${poll.name}-choice poll, by ${dimension}`,
                  `expected (model): ${JSON.stringify(expected)}`,
                  `actual (server):  ${JSON.stringify(got)}`,
                  `operations so far:`,
                  ...history,
                ].join('\n'),
              );
            }
          }
        }
      }

      await compare('before any vote');
      for (let step = 1; step <= STEPS; step++) {
        const poll = pick(polls);
        const voting = members.filter((member) => poll.participants.has(member.index));
        const switchable = voting.filter((member) => !member.changedWhileVoting.has(poll.name));
        const retracted = members.filter((member) => member.votedIn.has(poll.name) && !poll.participants.has(member.index));
        const fresh = members.filter((member) => !member.votedIn.has(poll.name));
        const roll = random();
        let description: string;
        if (roll < 0.35 || voting.length === 0) {
          // A member joins: a new one, or one who has not voted in this poll yet.
          let member: Member;
          if (fresh.length > 0 && random() < 0.35) member = pick(fresh);
          else {
            const industry = pick(INDUSTRIES);
            const size = pick(SIZES);
            const signedUp = await t.signUp({ industry, companySize: size });
            member = { index: members.length, token: signedUp.token, industry, size, changedWhileVoting: new Set(), votedIn: new Set(), past: [] };
            members.push(member);
          }
          const options = choice(poll, null);
          description = `join m${member.index} (${member.industry} / ${member.size}) -> ${poll.name} [${options}]`;
          await vote(poll, member, options);
        } else if (roll < 0.47 && switchable.length > 0) {
          const member = pick(switchable);
          const options = choice(poll, poll.participants.get(member.index)!.options);
          description = `switch m${member.index} -> ${poll.name} [${options}]`;
          await vote(poll, member, options);
        } else if (roll < 0.64) {
          const member = pick(voting);
          description = `retract m${member.index} from ${poll.name}`;
          await ok(t.gql(RETRACT_VOTE, { input: { pollId: poll.id } }, member.token), 'retractVote');
          poll.participants.delete(member.index);
          poll.version += 1;
          applyRules(poll);
        } else if (roll < 0.82 && retracted.length > 0) {
          const member = pick(retracted);
          const options = choice(poll, null);
          description = `re-vote m${member.index} (${member.industry} / ${member.size}) -> ${poll.name} [${options}]`;
          await vote(poll, member, options);
        } else {
          // A profile change: mostly of members who retracted (so that their next vote counts elsewhere), sometimes of one with a vote (which must not move it).
          const member = retracted.length > 0 && random() < 0.7 ? pick(retracted) : pick(voting);
          const back = member.past.length > 0 && random() < 0.5 ? pick(member.past) : null;
          const industry = back ? back.industry : pick(INDUSTRIES);
          const size = back ? back.size : pick(SIZES);
          member.past.push({ industry: member.industry, size: member.size });
          description = `profile m${member.index}: ${member.industry} / ${member.size} => ${industry} / ${size}`;
          await ok(t.gql(UPDATE_PROFILE, { input: { industry: industry ?? '', companySize: size } }, member.token), 'updateProfile');
          member.industry = industry;
          member.size = size;
          for (const each of polls) if (each.participants.has(member.index)) member.changedWhileVoting.add(each.name);
        }
        history.push(`  step ${step}: ${description}`);
        await compare(`step ${step} (${description})`);
      }

      for (const poll of polls) {
        await ok(t.gql(CLOSE_POLL, { input: { pollId: poll.id } }, author.token), 'closePoll');
        poll.closed = true;
        poll.version += 1;
        history.push(`  close ${poll.name}`);
        await compare(`after closing the ${poll.name}-choice poll`);
      }
    },
    60_000,
  );
});
