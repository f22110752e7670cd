/**
 * The demo community: members, topics, threads, polls and comments, written
 * for this project. It has the shape and the figures of a professional
 * community's discussion page (DEMO_FIGURES, below: a 463-view thread with
 * 15 comments, the 203-participant return-to-office poll, a 41k-view thread
 * with 319 comments), in our own words.
 *
 * This file is content only: no database, no clock. Everything that is
 * generated (most members, the popular thread's comments) comes from a seeded
 * PRNG, so every build of the demo is identical. load-demo.ts turns the
 * content into rows, with timestamps relative to the time it runs.
 */
import { CompanySize } from '../modules/member/company-size';
import type { ResultsVisibility } from '../modules/post/post.entity';

// ---------------------------------------------------------------------------
// Deterministic randomness
// ---------------------------------------------------------------------------

/** mulberry32: a tiny, fast 32-bit PRNG; same seed, same sequence, everywhere. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a: turns a label ("votes:<poll title>") into a seed, so each use has its own stable stream. */
export function seedFrom(label: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    hash ^= label.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export type Random = () => number;

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

export function pickWeighted<T>(random: Random, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((sum, [, weight]) => sum + weight, 0);
  let r = random() * total;
  for (const [item, weight] of items) {
    r -= weight;
    if (r < 0) return item;
  }
  return items[items.length - 1][0];
}

/** `count` distinct items, in random order (partial Fisher-Yates on a copy). */
export function sample<T>(random: Random, items: readonly T[], count: number): T[] {
  if (count > items.length) throw new Error(`cannot sample ${count} of ${items.length} items`);
  const copy = items.slice();
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, count);
}

// ---------------------------------------------------------------------------
// Content types
// ---------------------------------------------------------------------------

export interface DemoMember {
  /** Stable key that posts and comments use to name their author. */
  key: string;
  title: string;
  industry: string | null;
  companySize: CompanySize;
  joinedDaysAgo: number;
}

export interface DemoTopic {
  name: string;
  slug: string;
}

export interface DemoComment {
  /** Needed only when a reply or a test refers to this comment. */
  key?: string;
  author: string;
  /** Plain text; paragraphs are separated by a blank line. */
  body: string;
  /** Key of an earlier TOP-LEVEL comment of the same post. */
  replyTo?: string;
  /** How many members upvoted it (chosen by the loader, never its author). */
  upvotes?: number;
  /** The author edited it this many minutes after posting... */
  editedAfterMinutes?: number;
  /** ...and this was its text before (its revision 1; `body` is revision 2). */
  bodyBeforeEdit?: string;
}

interface DemoPostBase {
  title: string;
  author: string;
  /** Topic names, 1 to 4. */
  topics: string[];
  /** Age of the post when the demo is loaded. */
  ageHours: number;
  viewCount: number;
  /** How many members upvoted it (chosen by the loader, never its author). */
  upvotes: number;
  /** In the order they were posted; a reply comes after its parent. */
  comments: DemoComment[];
}

export interface DemoThread extends DemoPostBase {
  kind: 'THREAD';
  body: string;
}

export interface DemoPollOption {
  label: string;
  /** Single-choice polls: exactly this many members chose it. */
  votes?: number;
  /** Multiple-choice polls: relative popularity used to generate the choices. */
  weight?: number;
  /** Multiple-choice polls: a member who picks it picks nothing else ("None yet"). */
  exclusive?: boolean;
}

export interface DemoPoll extends DemoPostBase {
  kind: 'POLL';
  description: string | null;
  options: DemoPollOption[];
  allowsMultipleChoices: boolean;
  resultsVisibility: ResultsVisibility;
  /** Hours from load time until it closes: null for never, negative for a poll closed that long ago. */
  closesInHours: number | null;
  /** Multiple-choice polls: how many members voted (each picks 1 to `maxChoices` options). */
  participants?: number;
  maxChoices?: number;
  /** Options the demo account chose, when it voted (its vote is one of the counted votes). */
  demoChoices?: number[];
}

export type DemoPost = DemoThread | DemoPoll;

export interface DemoContent {
  members: DemoMember[];
  topics: DemoTopic[];
  posts: DemoPost[];
}

/** Key of the member that DEMO_ACCOUNT signs in as (see load-demo.ts). */
export const DEMO_MEMBER_KEY = 'demo';

export const MEMBER_COUNT = 240;

// ---------------------------------------------------------------------------
// Topics
// ---------------------------------------------------------------------------

/** "Remote Work" -> "remote-work": the lower-cased words joined by '-'. */
export function topicSlug(name: string): string {
  return name.trim().toLowerCase().split(/\s+/).join('-');
}

const TOPIC_NAMES = ['Leadership', 'Remote Work', 'Hiring', 'Cloud', 'Security', 'AI', 'Budgeting', 'Vendor Management', 'Data Strategy'];

// ---------------------------------------------------------------------------
// Members
// ---------------------------------------------------------------------------

const S = CompanySize;

/** Members who appear by name in the hand-written content. Bylines follow DOMAIN.md. */
const NAMED_MEMBERS: DemoMember[] = [
  { key: DEMO_MEMBER_KEY, title: 'VP of Engineering', industry: 'Software', companySize: S.EMPLOYEES_501_TO_1000, joinedDaysAgo: 212 },
  // The four bylines DOMAIN.md shows.
  { key: 'it-director-software', title: 'Director of IT', industry: 'Software', companySize: S.EMPLOYEES_201_TO_500, joinedDaysAgo: 640 },
  { key: 'cdo-media', title: 'Chief Data Officer', industry: 'Media', companySize: S.EMPLOYEES_2_TO_10, joinedDaysAgo: 381 },
  { key: 'cso-self', title: 'CSO', industry: null, companySize: S.SELF_EMPLOYED, joinedDaysAgo: 903 },
  { key: 'advisor-software', title: 'Senior Executive Advisor', industry: 'Software', companySize: S.EMPLOYEES_10001_PLUS, joinedDaysAgo: 1210 },
  // More of the same kinds, over the industries and size bands DOMAIN.md lists.
  { key: 'cio-banking', title: 'CIO', industry: 'Banking', companySize: S.EMPLOYEES_1001_TO_5000, joinedDaysAgo: 455 },
  { key: 'cto-health', title: 'CTO', industry: 'Healthcare and Biotech', companySize: S.EMPLOYEES_51_TO_200, joinedDaysAgo: 298 },
  { key: 'vp-it-goods', title: 'VP of IT', industry: 'Consumer Goods', companySize: S.EMPLOYEES_5001_TO_10000, joinedDaysAgo: 530 },
  { key: 'head-eng-services', title: 'Head of Engineering', industry: 'Services (non-Government)', companySize: S.EMPLOYEES_11_TO_50, joinedDaysAgo: 177 },
  { key: 'ciso-banking', title: 'CISO', industry: 'Banking', companySize: S.EMPLOYEES_10001_PLUS, joinedDaysAgo: 1022 },
  { key: 'coo-media', title: 'COO', industry: 'Media', companySize: S.EMPLOYEES_201_TO_500, joinedDaysAgo: 264 },
  { key: 'eng-manager-software', title: 'Engineering Manager', industry: 'Software', companySize: S.EMPLOYEES_501_TO_1000, joinedDaysAgo: 89 },
  { key: 'fractional-cto', title: 'Fractional CTO', industry: null, companySize: S.SELF_EMPLOYED, joinedDaysAgo: 744 },
  { key: 'it-manager-health', title: 'IT Manager', industry: 'Healthcare and Biotech', companySize: S.EMPLOYEES_201_TO_500, joinedDaysAgo: 143 },
  { key: 'cfo-goods', title: 'CFO', industry: 'Consumer Goods', companySize: S.EMPLOYEES_1001_TO_5000, joinedDaysAgo: 402 },
  { key: 'data-head-services', title: 'Head of Data', industry: 'Services (non-Government)', companySize: S.EMPLOYEES_501_TO_1000, joinedDaysAgo: 366 },
  { key: 'procurement-banking', title: 'Director of Procurement', industry: 'Banking', companySize: S.EMPLOYEES_5001_TO_10000, joinedDaysAgo: 588 },
  { key: 'infra-director-media', title: 'Director of Infrastructure', industry: 'Media', companySize: S.EMPLOYEES_1001_TO_5000, joinedDaysAgo: 811 },
  { key: 'people-vp-software', title: 'VP of People', industry: 'Software', companySize: S.EMPLOYEES_51_TO_200, joinedDaysAgo: 231 },
  { key: 'founder-software', title: 'Founder and CEO', industry: 'Software', companySize: S.EMPLOYEES_2_TO_10, joinedDaysAgo: 97 },
  {
    key: 'security-architect-health',
    title: 'Security Architect',
    industry: 'Healthcare and Biotech',
    companySize: S.EMPLOYEES_10001_PLUS,
    joinedDaysAgo: 615,
  },
  { key: 'cloud-head-goods', title: 'Head of Cloud Platform', industry: 'Consumer Goods', companySize: S.EMPLOYEES_10001_PLUS, joinedDaysAgo: 350 },
  {
    key: 'architect-services',
    title: 'Enterprise Architect',
    industry: 'Services (non-Government)',
    companySize: S.EMPLOYEES_1001_TO_5000,
    joinedDaysAgo: 488,
  },
  { key: 'consultant-self', title: 'Independent IT Consultant', industry: null, companySize: S.SELF_EMPLOYED, joinedDaysAgo: 1333 },
  { key: 'digital-chief-banking', title: 'Chief Digital Officer', industry: 'Banking', companySize: S.EMPLOYEES_1001_TO_5000, joinedDaysAgo: 275 },
];

const GENERATED_TITLES = [
  'CIO',
  'CTO',
  'CISO',
  'Chief Data Officer',
  'Chief Digital Officer',
  'VP of Engineering',
  'VP of IT',
  'VP of Infrastructure',
  'VP of Data',
  'Director of IT',
  'Director of Engineering',
  'Director of Information Security',
  'Director of IT Operations',
  'Director of Enterprise Architecture',
  'Head of Infrastructure',
  'Head of Data',
  'Head of IT',
  'Head of Digital Transformation',
  'Head of Service Delivery',
  'IT Manager',
  'Engineering Manager',
  'Enterprise Architect',
  'Security Architect',
  'Senior Executive Advisor',
  'CEO',
  'COO',
  'CFO',
  'Director of Procurement',
  'Director of Product',
  'VP of People',
  'IT Director',
  'Data Engineering Manager',
];

const SELF_EMPLOYED_TITLES = ['CSO', 'Fractional CIO', 'Fractional CTO', 'Independent Consultant', 'Board Advisor', 'Interim IT Director'];

const INDUSTRY_WEIGHTS: (readonly [string, number])[] = [
  ['Software', 24],
  ['Banking', 12],
  ['Healthcare and Biotech', 12],
  ['Services (non-Government)', 12],
  ['Consumer Goods', 9],
  ['Media', 8],
  ['Manufacturing', 6],
  ['Finance (non-banking)', 5],
  ['Education', 4],
  ['Government', 4],
  ['Telecommunication', 4],
];

const SIZE_WEIGHTS: (readonly [CompanySize, number])[] = [
  [S.EMPLOYEES_2_TO_10, 6],
  [S.EMPLOYEES_11_TO_50, 10],
  [S.EMPLOYEES_51_TO_200, 14],
  [S.EMPLOYEES_201_TO_500, 16],
  [S.EMPLOYEES_501_TO_1000, 14],
  [S.EMPLOYEES_1001_TO_5000, 16],
  [S.EMPLOYEES_5001_TO_10000, 10],
  [S.EMPLOYEES_10001_PLUS, 14],
];

function generateMembers(): DemoMember[] {
  const random = mulberry32(seedFrom('members'));
  const members = NAMED_MEMBERS.slice();
  for (let i = members.length; i < MEMBER_COUNT; i++) {
    const selfEmployed = random() < 0.08;
    const member: DemoMember = selfEmployed
      ? {
          key: `member-${i}`,
          title: pick(random, SELF_EMPLOYED_TITLES),
          // Most independents give no industry: "CSO, Self-employed".
          industry: random() < 0.7 ? null : pickWeighted(random, INDUSTRY_WEIGHTS),
          companySize: S.SELF_EMPLOYED,
          joinedDaysAgo: 0,
        }
      : {
          key: `member-${i}`,
          title: pick(random, GENERATED_TITLES),
          industry: random() < 0.04 ? null : pickWeighted(random, INDUSTRY_WEIGHTS),
          companySize: pickWeighted(random, SIZE_WEIGHTS),
          joinedDaysAgo: 0,
        };
    // Everyone joined before the oldest demo post (4 weeks), most of them long before.
    member.joinedDaysAgo = 35 + Math.floor(random() * random() * 1400);
    members.push(member);
  }
  return members;
}

// ---------------------------------------------------------------------------
// The three posts of DOMAIN.md
// ---------------------------------------------------------------------------

export const DEMO_FIGURES = {
  /** 463 views, 3 upvotes, 15 comments (12 comments, 3 replies). */
  discussionThreadTitle: 'Why do some leaders struggle to step back from hands-on technical work?',
  /** Six options, 85/65/26/20/2/5 votes, 203 participants, 1k views, 1 comment. */
  rtoPollTitle: 'What does your return-to-office policy look like right now?',
  /** 41k views, 131 upvotes, 319 comments. */
  popularThreadTitle: 'What is the one piece of advice you would give a first-time CIO?',
} as const;

const DISCUSSION_THREAD: DemoThread = {
  kind: 'THREAD',
  title: DEMO_FIGURES.discussionThreadTitle,
  body:
    'Several of our team leads were excellent engineers, and now that each of them runs a group of eight to twelve people ' +
    'they keep taking the hardest tickets for themselves. Their teams wait on them and their one-to-ones get cancelled.\n\n' +
    'I understand the pull; I felt it too. What helped you, or the leaders you coach, make the shift?',
  author: 'cto-health',
  topics: ['Leadership', 'Hiring'],
  ageHours: 6 * 24 + 5,
  viewCount: 463,
  upvotes: 3,
  comments: [
    {
      key: 'identity',
      author: 'it-director-software',
      upvotes: 3,
      body:
        'Because the hands-on work is where they earned their reputation, and it still feels like the safest way to prove ' +
        'their worth. Shipping a fix is rewarded the same afternoon; a good coaching conversation pays off months later, ' +
        'if anyone notices at all.\n\n' +
        'What worked for us was making the change explicit. When someone moves into a lead role we agree in writing which ' +
        'kinds of work they hand off, and we review that list together after 30, 60 and 90 days. Without the agreement ' +
        'the urgent ticket wins every time.',
    },
    {
      author: 'cdo-media',
      upvotes: 1,
      body: 'Identity. For years they were the person who knew the answer; now the job is making sure someone else knows it.',
    },
    {
      author: 'cso-self',
      body:
        'I see this constantly in security teams. The leader is often the only person who has been through a real incident ' +
        'from start to finish, so they jump in whenever an alert looks serious.\n\n' +
        'The fix is boring: run practice exercises until the team can handle the first hour without them, then let the ' +
        'team handle it.',
    },
    {
      author: 'cto-health',
      replyTo: 'identity',
      body: 'The 30/60/90 review is a good idea. Do you write the handoff list per person, or is there a standard one for the role?',
    },
    {
      author: 'advisor-software',
      body:
        'Most organizations promote people for technical excellence and then judge them on something else without ever ' +
        'saying so. If the performance review still rewards personal output, nobody should be surprised that new leaders ' +
        'keep producing personal output.\n\n' +
        'Listen to what your own calibration meetings celebrate. If the stories are about who stayed up all night fixing ' +
        'production, you are paying for the very behavior you want to stop.\n\n' +
        'Change the stories first. The behavior usually follows within a couple of review cycles.',
    },
    {
      author: 'it-director-software',
      replyTo: 'identity',
      editedAfterMinutes: 12,
      bodyBeforeEdit: 'A standard list for the role, then each person adds two or three items that are specific to their team.',
      body:
        'A standard list for the role, then each person adds two or three items that are specific to their team. ' + 'Keeping it short is what makes it stick.',
    },
    {
      author: 'vp-it-goods',
      body: 'Fear of losing technical credibility with their own team is a big part of it.',
    },
    {
      author: 'head-eng-services',
      body:
        'In a small company it is also a capacity problem. With eleven engineers, a lead who stops coding is a real loss, ' +
        'so we budget roughly 30% of their week for hands-on work and protect the rest from it.',
    },
    {
      author: 'ciso-banking',
      body:
        'Delegating is slower at first, because it genuinely is. Leaders who are measured week to week rarely get room ' + 'to absorb that short-term cost.',
    },
    {
      key: 'bottleneck',
      author: 'coo-media',
      body:
        'I would question whether every leader has to step back completely. Some of our best leads still review code ' +
        'every day, and their teams like it.\n\n' +
        'The trouble starts when they become the bottleneck. We watch one signal: how many changes are waiting for the ' +
        "lead's approval. When that number climbs, we have a conversation.",
    },
    {
      author: 'founder-software',
      replyTo: 'bottleneck',
      body: 'Same here. Reviewing is fine; being the only reviewer is not.',
    },
    {
      author: 'eng-manager-software',
      body: 'Nobody taught them how to lead, so they fall back on what they already know how to do.',
    },
    {
      author: 'people-vp-software',
      body:
        'From the people side: every newly promoted lead now goes through a short program on feedback, delegation and ' +
        'planning. It is not magic, but they tell us the peer group is what matters most. They find out everyone else ' +
        'is wrestling with the same thing.',
    },
    {
      author: 'digital-chief-banking',
      body:
        'Pair them with a mentor who made the same move two or three years ago. Advice from someone who just went ' +
        'through it lands better than advice from an executive.',
    },
    {
      author: 'fractional-cto',
      body:
        'Sometimes the honest answer is that the person does not want to lead, and the company has no senior technical ' +
        'track to offer them instead. Build that track and a few of these problems go away on their own.',
    },
  ],
};

const RTO_POLL: DemoPoll = {
  kind: 'POLL',
  title: DEMO_FIGURES.rtoPollTitle,
  description:
    'Curious where peers have landed after a few years of back and forth. Pick the option closest to your official ' +
    'policy, not to what people actually do.',
  author: 'people-vp-software',
  topics: ['Remote Work', 'Leadership'],
  ageHours: 9 * 24 + 3,
  viewCount: 1000,
  upvotes: 12,
  // 85/65/26/20/2/5 of 203: largest-remainder percentages 42/32/13/10/1/2.
  options: [
    { label: 'Hybrid, with office days set by the company', votes: 85 },
    { label: 'Hybrid, with each team choosing its own rhythm', votes: 65 },
    { label: 'Fully remote, meeting in person a few times a year', votes: 26 },
    { label: 'Back in the office five days a week', votes: 20 },
    { label: 'No policy yet, we are still deciding', votes: 2 },
    { label: 'Something else (tell us in the comments)', votes: 5 },
  ],
  allowsMultipleChoices: false,
  resultsVisibility: 'ALWAYS',
  closesInHours: null,
  demoChoices: [1],
  comments: [
    {
      author: 'cloud-head-goods',
      upvotes: 4,
      body:
        'Officially we are three fixed days, but on Fridays the office is close to empty. Our policy and our reality ' +
        'would be two different answers in this poll.',
    },
  ],
};

// ---------------------------------------------------------------------------
// The popular thread: 319 comments, most of them generated from fragments
// ---------------------------------------------------------------------------

const ADVICE_OPENERS = [
  'Congratulations on the new role.',
  'Welcome to the hardest and best job in IT.',
  'I wish someone had posted this thread before my first year.',
  'From someone who made most of the mistakes:',
  'Good question, and brave of you to ask it in public.',
  'I am in my third CIO role now, and this is still my answer.',
  'Coming from architecture myself, I can relate.',
  'One thing above all:',
  'Short version:',
  'Nobody told me this, so I will tell you.',
  'Speaking as someone who hires CIOs for a living:',
  'Having coached a few first-time CIOs:',
];

/**
 * One piece of advice per entry, with reasons and reactions that fit it; the
 * generic lists below fit any advice, so mixing them never reads oddly.
 */
interface Advice {
  text: string;
  /** Reasons that follow this advice naturally. */
  why: string[];
  /** Replies that react to this advice specifically. */
  replies?: string[];
}

const ADVICE: Advice[] = [
  {
    text: 'Spend your first ninety days listening before you change anything.',
    why: [
      'Nobody will trust your plan until they feel you understand their problems.',
      'The people who were there before you usually know exactly what is broken.',
    ],
    replies: [
      'A listening tour only works if you report back what you heard.',
      'Ninety days can be too long in a crisis; sometimes you have to act in week two.',
    ],
  },
  {
    text: 'Meet every member of the executive team one to one in your first month and ask what IT gets wrong.',
    why: [
      'You will hear the same three complaints from everyone, and that is your first agenda.',
      'It is the cheapest way to find out where your credibility starts.',
    ],
  },
  {
    text: 'Learn how the company makes money, in detail, before you talk about technology.',
    why: ['Every technology conversation changes once you speak the language of the business.'],
  },
  {
    text: 'Find the CFO early and become the person who never surprises them.',
    why: ['Everything else gets easier once that relationship works.', 'Budgets are approved long before the budget meeting.'],
    replies: ['The CFO relationship made or broke every transformation I have seen.'],
  },
  {
    text: 'Do not rebuild the architecture you would have designed; fix the one the business depends on.',
    why: ['A rewrite in your first year is a bet your whole tenure rides on.'],
  },
  {
    text: 'Hire a strong deputy who is good at the things you are not.',
    why: ['You cannot cover operations, strategy and the executive team alone.'],
    replies: ['My deputy covered all of my blind spots, and I would not have survived year one without her.'],
  },
  {
    text: 'Write down the three outcomes you will be judged on and agree them with your CEO.',
    why: ['Otherwise you will be judged on outcomes nobody told you about.'],
  },
  {
    text: 'Stop being the best architect in the room and start being the one who asks the best questions.',
    why: ['Your team needs room to be the experts now.'],
  },
  {
    text: 'Pick one visible quick win and deliver it within your first quarter.',
    why: ['Trust is built with small deliveries, not with strategy documents.', 'The business remembers who delivered, not who presented.'],
    replies: ['Quick wins matter, but pick one the business asked for, not one IT wants.'],
  },
  {
    text: 'Take security seriously from day one, because an incident in your first year will define you.',
    why: ['Find out when the last recovery test was run, and whether it worked.'],
  },
  {
    text: 'Get to know the account teams of your largest vendors before you need a favor.',
    why: ['The week of an outage is a bad time to make introductions.'],
  },
  {
    text: 'Read every contract that renews in the next eighteen months.',
    why: ['Renewals are where the easy savings hide, and they come around faster than you think.'],
    replies: ['Half of my first year was vendor contracts I did not know we had.'],
  },
  {
    text: 'Block time every week to walk around, in person or on video, with no agenda at all.',
    why: ['Otherwise your calendar fills up with urgent things and the important ones never happen.'],
  },
  {
    text: 'Say no to new projects until you know what your team is already carrying.',
    why: ['Most IT teams are running twice the work anyone has written down.'],
    replies: ['The hardest part for me was saying no to my own ideas.'],
  },
  {
    text: 'Measure how long it takes to get a small change into production.',
    why: ['That one number tells you more about the organization than any assessment.'],
  },
  {
    text: 'Treat your board updates like a product: short, clear, and tried on a friendly audience first.',
    why: ['Board members read the first page and the last one.'],
  },
  {
    text: 'Build a real relationship with the head of HR.',
    why: ['Most of your hardest problems will be people problems.'],
  },
  {
    text: 'Do not try to win every argument in the executive meeting.',
    why: ['Save your capital for the two or three decisions that really matter.'],
  },
  {
    text: 'Be honest about technical debt, but always bring a plan along with the bad news.',
    why: ['Bad news without a plan sounds like an excuse.'],
  },
  {
    text: 'Learn to explain every major initiative in two sentences without jargon.',
    why: ['If you cannot, the executive team will not fund it, and they will be right.'],
  },
  {
    text: 'Assess your leadership team quickly and act on what you find within six months.',
    why: ['Waiting longer makes every later change look like your own mistake.'],
  },
  {
    text: 'Keep a written log of your decisions and the reasons behind them.',
    why: ['Memory is generous to whoever is telling the story.'],
    replies: ['Writing decisions down also protects you when the people who made them have moved on.'],
  },
  {
    text: 'Sit with the service desk for a full day.',
    why: ['You will learn where the real pain is faster than from any report.'],
    replies: ['The service desk day is underrated. I still do it twice a year.'],
  },
  {
    text: 'Find a peer CIO outside your company whom you can call when things go wrong.',
    why: ['Some problems you cannot discuss with anyone inside.'],
  },
  {
    text: 'Do not promise first-year savings that depend on projects nobody has scoped.',
    why: ['Those numbers will follow you into every budget meeting.'],
  },
  {
    text: 'Make sure the business owns its projects; IT should never be the only sponsor.',
    why: ['A project nobody in the business owns is a project nobody in the business will defend.'],
  },
  {
    text: 'Look after your own energy, because the job does not get smaller if you burn out.',
    why: ['Decide now which evenings are off limits, before the job decides for you.'],
  },
  {
    text: 'Understand the state of your data before you promise anything about AI.',
    why: ['Every AI conversation eventually turns into a data quality conversation.'],
  },
  {
    text: 'Ask your team what they would fix first if they were in your seat.',
    why: ['The people who were there before you usually know exactly what is broken.'],
  },
  {
    text: 'Thank the people who keep the lights on, not only the ones on the shiny projects.',
    why: ['They are the ones who will save you at two in the morning.'],
  },
  {
    text: 'Map who really makes decisions in the company.',
    why: ['It is rarely the org chart.'],
  },
  {
    text: 'Kill one legacy project early, and explain clearly why.',
    why: ['It shows you can make hard calls, and it frees people for the work that matters.'],
  },
];

/** Reasons that follow any advice. */
const GENERIC_REASONS = [
  'I learned this the hard way in my first role.',
  'It saved me from at least two expensive mistakes.',
  'That is the lesson I paid the most for.',
  'You will be surprised how much goodwill it creates.',
  'It is much easier to get right early than to fix later.',
];

const ADVICE_SECOND_PARAGRAPHS = [
  'In my case it took most of a year to undo a reorganization I announced in week six. I would not do that again.',
  'We ran a simple survey of the business in my first month, ten questions, and it became the backbone of my first strategy.',
  'I kept a one-page list of what I heard in every meeting. After two months the patterns were obvious.',
  'Agree early with your CEO on how they want to hear bad news: in writing, in person, or both.',
  'Expect the first year to feel slower than your engineering years did. That is normal, not a sign you are failing.',
  'A mentor of mine put it simply: your job is to make decisions possible, not to make all of them.',
  'My first big mistake was assuming that what worked at my last company would work at the new one. The culture could not have been more different.',
  'Budget cycles matter more than you think. Find out when the next one starts and work backwards from it.',
  'None of this is glamorous, and all of it compounds.',
];

const ADVICE_CLOSERS = [
  'Good luck, you will do fine.',
  'Enjoy it.',
  'Best of luck with the new role.',
  'And get some sleep before you start.',
  'You are already asking the right questions.',
  'Come back in a year and tell us how it went.',
];

const REPLY_OPENERS = ['Agreed.', 'Strongly agree.', 'Seconded.', 'Exactly right.', 'This.', 'Well put.', 'From experience:', 'Worth repeating.'];

/** Reactions that fit any advice. */
const GENERIC_REPLIES = [
  'I did the opposite in my first role and regretted it within six months.',
  'This is the advice I give every new leader on my own team.',
  'Easy to say and hard to do when the inbox is on fire, but worth it.',
  'Saving this thread for the next time someone on my team is promoted.',
  'I would put this at the very top of the list.',
  'This matches my experience almost word for word.',
  'It depends a lot on company size, but the principle holds.',
  'It took me two roles to learn this one.',
  'Wish I had read this five years ago.',
  'We did exactly this and it changed how the executive team saw IT.',
  'Most people skip this because it is not exciting, which is exactly why it works.',
  'My first boss told me the same thing, and I ignored it for far too long.',
];

/** The thread's author answering a comment. */
const AUTHOR_THANKS = [
  'Thank you, this is exactly the kind of advice I was hoping for.',
  'Noted. I had not thought about this at all.',
  'Really helpful, thank you. It is going on my first-month plan.',
  'Thanks. This point keeps coming up in the thread, so I am taking it seriously.',
  'Appreciate it. Did you share that with your team, or keep it to yourself at first?',
  'Thank you. How did you decide what to stop doing?',
];

const AUTHOR_THANKS_TAILS = ['Much appreciated.', 'Noted for day one.', 'Very useful.'];

const POPULAR_THREAD_AUTHOR = 'architect-services';

function generatePopularComments(members: readonly DemoMember[], total: number): DemoComment[] {
  const random = mulberry32(seedFrom('popular-thread'));
  const commenters = members.filter((m) => m.key !== POPULAR_THREAD_AUTHOR).map((m) => m.key);

  const comments: DemoComment[] = [
    {
      key: 'popular-top',
      author: 'advisor-software',
      upvotes: 48,
      body:
        'Learn the business before you touch the technology. Sit in on sales calls, spend a day in a warehouse or a ' +
        'clinic, read the last three annual reports. Once you can explain how the company makes money better than most ' +
        'of your peers can, every technology conversation changes.',
    },
    {
      author: POPULAR_THREAD_AUTHOR,
      replyTo: 'popular-top',
      upvotes: 6,
      body: 'This is the one I keep coming back to. Thank you.',
    },
    {
      author: 'cfo-goods',
      replyTo: 'popular-top',
      upvotes: 11,
      body: 'Speaking as a CFO: the CIOs I trusted most were the ones who asked about margins before they asked about budgets.',
    },
  ];
  const used = new Set(comments.map((c) => c.body));
  /** Top-level comments so far, with the advice they gave (null: hand-written). */
  const topLevel: { key: string; author: string; advice: Advice | null }[] = [{ key: 'popular-top', author: 'advisor-software', advice: null }];

  // Every body is distinct, like real comments; the fragment lists are far larger than the draws.
  const unique = (make: () => string): string => {
    for (let attempt = 0; attempt < 1000; attempt++) {
      const body = make();
      if (!used.has(body)) {
        used.add(body);
        return body;
      }
    }
    throw new Error('demo content: not enough comment fragments for distinct bodies');
  };

  while (comments.length < total) {
    if (random() < 0.22) {
      // A reply: mostly to a recent comment, sometimes to any earlier one.
      const parent = random() < 0.6 ? pick(random, topLevel.slice(-12)) : pick(random, topLevel);
      let author = random() < 0.15 ? POPULAR_THREAD_AUTHOR : pick(random, commenters);
      while (author === parent.author) author = pick(random, commenters);
      const body = unique(() => {
        if (author === POPULAR_THREAD_AUTHOR) {
          const thanks = pick(random, AUTHOR_THANKS);
          return thanks.endsWith('?') || random() < 0.5 ? thanks : `${thanks} ${pick(random, AUTHOR_THANKS_TAILS)}`;
        }
        const specific = parent.advice?.replies ?? [];
        const reaction = specific.length > 0 && random() < 0.5 ? pick(random, specific) : pick(random, GENERIC_REPLIES);
        return `${pick(random, REPLY_OPENERS)} ${reaction}`;
      });
      comments.push({ author, replyTo: parent.key, body, upvotes: Math.floor(random() ** 5 * 9) });
    } else {
      const key = `popular-${comments.length + 1}`;
      const author = pick(random, commenters);
      const advice = pick(random, ADVICE);
      const body = unique(() => {
        const r = random();
        const reason = r < 0.5 ? pick(random, advice.why) : r < 0.75 ? pick(random, GENERIC_REASONS) : '';
        const first = [random() < 0.45 ? pick(random, ADVICE_OPENERS) : '', advice.text, reason].filter((part) => part !== '').join(' ');
        const paragraphs = [first];
        if (random() < 0.3) paragraphs.push(pick(random, ADVICE_SECOND_PARAGRAPHS));
        if (random() < 0.2) paragraphs.push(pick(random, ADVICE_CLOSERS));
        return paragraphs.join('\n\n');
      });
      comments.push({ key, author, body, upvotes: Math.floor(random() ** 5 * 30) });
      topLevel.push({ key, author, advice });
    }
  }
  return comments;
}

// ---------------------------------------------------------------------------
// More threads
// ---------------------------------------------------------------------------

const MORE_THREADS: DemoThread[] = [
  {
    kind: 'THREAD',
    title: 'How are you budgeting for AI pilots that may never reach production?',
    body:
      'Every business unit wants an AI pilot this year. Most of them will stay pilots, and I am fine with that, but I ' +
      'need a way to fund them that does not turn into twenty permanent line items. How are you structuring it?',
    author: 'cfo-goods',
    topics: ['AI', 'Budgeting'],
    ageHours: 3 * 24 + 2,
    viewCount: 1870,
    upvotes: 14,
    comments: [
      {
        key: 'ai-fund',
        author: 'cio-banking',
        upvotes: 7,
        body:
          'We set up one innovation fund with a fixed quarterly amount. A pilot gets at most twelve weeks and has to ' +
          'name its success measure up front.\n\n' +
          'Anything that wants to continue competes for normal budget in the next planning cycle, like any other project.',
      },
      { author: 'cfo-goods', replyTo: 'ai-fund', body: 'Who decides what "success" means, the business unit or your team?' },
      {
        author: 'data-head-services',
        upvotes: 3,
        body: 'Budget the data work separately. The model is the cheap part; cleaning up the data it needs is not.',
      },
      { author: 'founder-software', body: 'Watch the usage-based pricing. Our pilot bill tripled the week we opened it to a second team.' },
      {
        author: 'vp-it-goods',
        body:
          'We treat pilots as options, not investments. We expect most to expire worthless, and we say so in the budget ' +
          'paper so nobody is surprised at year end.',
      },
      {
        author: 'cio-banking',
        replyTo: 'ai-fund',
        body: 'The business unit proposes it, we check it can be measured, and finance signs off. It takes one meeting.',
      },
    ],
  },
  {
    kind: 'THREAD',
    title: 'What belongs in a SaaS contract so you can actually leave the vendor later?',
    body:
      'We are renewing a platform contract that touches most of our customer data. Last time we tried to leave a vendor ' +
      'it took fourteen months, mostly arguing about exports. What clauses do you insist on now?',
    author: 'procurement-banking',
    topics: ['Vendor Management', 'Cloud', 'Budgeting'],
    ageHours: 12 * 24 + 7,
    viewCount: 2240,
    upvotes: 22,
    comments: [
      {
        key: 'export',
        author: 'architect-services',
        upvotes: 9,
        body:
          'A data export in a documented, machine-readable format, at no extra cost, at any time, not only at ' +
          'termination. Then actually run an export once a year to prove it works.',
      },
      { author: 'cio-banking', replyTo: 'export', body: 'The yearly test export is the part everyone skips. Do not skip it.' },
      {
        author: 'ciso-banking',
        upvotes: 2,
        body: 'A deletion certificate after exit, and the right to see how backups are purged. Regulators will ask you about it.',
      },
      {
        author: 'consultant-self',
        body: 'Transition assistance at pre-agreed day rates. When you leave, you have no leverage left, so fix the price ' + 'while you still do.',
      },
      {
        key: 'caps',
        author: 'cfo-goods',
        upvotes: 4,
        body: 'Renewal price caps. A 5% cap has saved us more money than any discount we ever negotiated.',
      },
      { author: 'procurement-banking', replyTo: 'caps', body: 'We got 4% last year, but only by signing for three years.' },
      { author: 'fractional-cto', body: 'Keep the identity provider and the data warehouse outside the vendor. Then leaving is a project, not a crisis.' },
    ],
  },
  {
    kind: 'THREAD',
    title: 'How do you keep on-call sustainable for a platform team of five?',
    body:
      'Our platform team is five people supporting about forty services. The rotation is one week in five, which sounds ' +
      'fine on paper, but pages at night have doubled since spring and two people have told me they are tired. What has ' +
      'worked for teams this size?',
    author: DEMO_MEMBER_KEY,
    topics: ['Cloud', 'Leadership'],
    ageHours: 2 * 24 + 4,
    viewCount: 310,
    upvotes: 6,
    comments: [
      {
        key: 'noise',
        author: 'cloud-head-goods',
        upvotes: 5,
        body:
          'Start with the alerts, not the rotation. We found that 60% of our night pages needed no action at all. ' +
          'Deleting them did more for morale than any schedule change.',
      },
      { author: DEMO_MEMBER_KEY, replyTo: 'noise', body: 'That matches what I suspect. Did you review every alert by hand?' },
      {
        author: 'infra-director-media',
        upvotes: 1,
        body:
          'Give the service teams the first page for their own services. The platform team should be the second line, ' + 'not the front door for everything.',
      },
      { author: 'head-eng-services', body: 'Pay for it. A flat on-call allowance plus time off after a bad night changed the tone completely for us.' },
      {
        author: 'eng-manager-software',
        body: 'Follow-the-sun is not possible at five people, but moving one engineer to a later schedule covered most of our evening pages.',
      },
    ],
  },
  {
    kind: 'THREAD',
    title: 'Has anyone moved workloads from public cloud back to their own data centers?',
    body:
      'Our storage and egress bill has grown faster than our business for three years in a row. The finance team is ' +
      'asking whether some workloads should come back in house. If you did it, what moved, and was it worth it?',
    author: 'infra-director-media',
    topics: ['Cloud', 'Budgeting'],
    ageHours: 17 * 24 + 1,
    viewCount: 5120,
    upvotes: 37,
    comments: [
      {
        key: 'archive',
        author: 'cio-banking',
        upvotes: 12,
        body:
          'We moved archive storage and a large batch analytics cluster back. Both were steady, predictable loads, which ' +
          'is exactly what the cloud charges a premium for.\n\n' +
          'Everything customer-facing stayed where it was. The savings were real but smaller than the first estimate, ' +
          'once we counted the people.',
      },
      { author: 'cfo-goods', replyTo: 'archive', upvotes: 2, body: 'How much smaller? Our first estimate was suspiciously round.' },
      { author: 'cio-banking', replyTo: 'archive', body: 'About 40% of the original number after hardware refresh, staff and a second site.' },
      {
        author: 'cloud-head-goods',
        upvotes: 6,
        body: 'Before moving anything, we cut the bill by a third just by fixing storage tiers and deleting old snapshots.',
      },
      {
        author: 'advisor-software',
        body: 'Make sure you still have people who want to run hardware. That skill has left a lot of teams quietly.',
      },
      {
        author: DEMO_MEMBER_KEY,
        upvotes: 1,
        body: 'Egress was our biggest surprise too. Moving the analytics next to the data fixed most of it without leaving the cloud.',
      },
      { author: 'consultant-self', body: 'Look at colocation first. You get predictable costs without building a data center team from scratch.' },
      { author: 'it-director-software', body: 'We went the other way and never regretted it, but we are a software company with spiky traffic.' },
    ],
  },
  {
    kind: 'THREAD',
    title: 'How do you check for security judgment when hiring engineers?',
    body:
      'We screen for coding skill and system design, but some of our worst incidents came from good engineers making ' +
      'careless choices under pressure. Has anyone found a practical way to assess security judgment in an interview ' +
      'without turning it into a quiz?',
    author: 'security-architect-health',
    topics: ['Hiring', 'Security'],
    ageHours: 8 * 24 + 6,
    viewCount: 980,
    upvotes: 9,
    comments: [
      {
        key: 'review',
        author: 'ciso-banking',
        upvotes: 4,
        body:
          'Give them a short pull request to review with two planted problems, one obvious and one subtle. How they ' +
          'talk about the subtle one tells you more than any question.',
      },
      { author: 'security-architect-health', replyTo: 'review', body: 'Do you tell them in advance that there are security issues in it?' },
      {
        author: 'eng-manager-software',
        body: 'Ask about a time they pushed back on a deadline because something was not safe. Many candidates have no story.',
      },
      { author: 'cso-self', upvotes: 2, body: 'Judgment is learned on the job. Hire for curiosity and make sure your senior people model the behavior.' },
      { author: 'it-manager-health', body: 'In healthcare we also ask how they would handle patient data in logs. It filters people quickly.' },
    ],
  },
  {
    kind: 'THREAD',
    title: 'Which cyber risk metrics does your board actually read?',
    body:
      'I send the board a quarterly pack of around twenty security metrics, and the questions I get suggest nobody gets ' +
      'past page two. Which numbers have actually started a useful conversation with your board?',
    author: 'ciso-banking',
    topics: ['Security', 'Leadership'],
    ageHours: 20 * 24 + 9,
    viewCount: 3310,
    upvotes: 28,
    comments: [
      {
        key: 'three',
        author: 'advisor-software',
        upvotes: 8,
        body:
          'Three numbers, always the same three, with a trend line: time to patch critical systems, share of staff who ' +
          'reported the last phishing test, and time to recover a key system in the last exercise.\n\n' +
          'Boards like consistency. Twenty metrics that change every quarter read as noise.',
      },
      { author: 'ciso-banking', replyTo: 'three', body: 'Recovery time is a good one. It is the only metric that sounds like the business, not like IT.' },
      {
        author: 'digital-chief-banking',
        upvotes: 3,
        body: 'Translate each risk into money or customers affected. Our board responded to "two days of lost payments", not to severity scores.',
      },
      { author: 'cso-self', body: 'Include one thing that got worse. A dashboard that is all green loses trust fast.' },
      { author: 'coo-media', body: 'As a board member elsewhere: tell us what decision you want from us. Otherwise it is just reading material.' },
      { author: 'security-architect-health', body: 'We added third-party risk last year, and it got more questions than everything else combined.' },
    ],
  },
  {
    kind: 'THREAD',
    title: 'Where should the data team report: IT, finance or the business?',
    body:
      'Our data team has moved from IT to finance and back again in four years, and each move cost us about six months. ' +
      'We are discussing it again. Where does yours sit, and what made that work?',
    author: 'data-head-services',
    topics: ['Data Strategy', 'Leadership'],
    ageHours: 14 * 24 + 3,
    viewCount: 2675,
    upvotes: 19,
    comments: [
      {
        key: 'ceo',
        author: 'cdo-media',
        upvotes: 6,
        body:
          'Neither. Ours reports to the CEO, with a dotted line to IT for platforms. It only works because the CEO ' + 'actually uses the data in meetings.',
      },
      { author: 'data-head-services', replyTo: 'ceo', body: 'That is the part I cannot copy. Ours prefers instinct.' },
      {
        author: 'cio-banking',
        body: 'Platforms in IT, analysts embedded in the business, one shared set of definitions. The reporting line matters less than the definitions.',
      },
      {
        key: 'finance',
        author: 'cfo-goods',
        upvotes: 2,
        body: 'Finance works if the data team is allowed to say things finance does not want to hear. Be honest about whether that is true.',
      },
      { author: 'architect-services', replyTo: 'finance', body: 'This is the real test, whatever the org chart says.' },
      { author: 'consultant-self', body: 'Stop moving it. Pick one, commit for three years, and fix the problems in place.' },
    ],
  },
  {
    kind: 'THREAD',
    title: 'Do you still hire fully remote engineers outside your home country?',
    body:
      'We hired in four countries during the remote years. Payroll, tax and equipment have become a real overhead, and ' +
      'the board is asking whether we should consolidate. What are others doing now?',
    author: 'founder-software',
    topics: ['Hiring', 'Remote Work'],
    ageHours: 22 * 24 + 4,
    viewCount: 1540,
    upvotes: 11,
    comments: [
      { author: 'head-eng-services', upvotes: 3, body: 'We use an employer-of-record service. It costs more per head but removed almost all the admin.' },
      {
        author: 'people-vp-software',
        body:
          'We kept the countries where we have at least five people and stopped hiring elsewhere. One person alone in ' +
          'a country is the expensive case, legally and socially.',
      },
      { author: 'eng-manager-software', body: 'Time zones mattered more than borders for us. We hire within three hours of the core team.' },
      { author: 'fractional-cto', body: 'Ask your best remote people what they think before the board decides. You may lose them either way.' },
    ],
  },
  {
    kind: 'THREAD',
    title: 'Anyone using AI assistants for first-line IT support yet?',
    body:
      'Our service desk answers the same forty questions every week. I am looking at an assistant for first-line ' +
      'tickets. Has anyone put one in front of staff, and how did people react?',
    author: 'it-manager-health',
    topics: ['AI', 'Vendor Management'],
    ageHours: 5,
    viewCount: 42,
    upvotes: 1,
    comments: [
      { author: 'vp-it-goods', body: 'Password resets and printer questions went well. Anything involving access rights we send to a person.' },
      { author: 'it-director-software', body: 'Make sure it says clearly when it is handing over to a human. Our staff hated not knowing.' },
    ],
  },
];

// ---------------------------------------------------------------------------
// More polls
// ---------------------------------------------------------------------------

const MORE_POLLS: DemoPoll[] = [
  {
    kind: 'POLL',
    title: 'Which AI use cases are running in production at your company today?',
    description: 'Choose up to three. Production means real users every day, not a pilot.',
    author: 'cdo-media',
    topics: ['AI', 'Data Strategy'],
    ageHours: 4 * 24 + 6,
    viewCount: 1310,
    upvotes: 16,
    options: [
      { label: 'Code assistance for developers', weight: 34 },
      { label: 'Customer support chat or ticket triage', weight: 24 },
      { label: 'Document search and summaries', weight: 27 },
      { label: 'Fraud or anomaly detection', weight: 11 },
      { label: 'Drafting marketing content', weight: 15 },
      { label: 'None yet', weight: 9, exclusive: true },
    ],
    allowsMultipleChoices: true,
    participants: 74,
    maxChoices: 3,
    resultsVisibility: 'ALWAYS',
    closesInHours: null,
    demoChoices: [0, 2],
    comments: [
      { author: 'eng-manager-software', upvotes: 2, body: 'Code assistance was the easy one. Everything else needed a data cleanup first.' },
      {
        author: 'ciso-banking',
        body: 'Fraud detection has been in production for years; we just stopped calling it machine learning and started calling it AI.',
      },
      { author: 'cdo-media', body: 'Interesting that "None yet" is this low. I expected more honesty.' },
    ],
  },
  {
    kind: 'POLL',
    title: 'Roughly what share of your IT budget goes to security?',
    description: 'Count staff, tools and outside services. You will see the results once you have voted.',
    author: 'cso-self',
    topics: ['Security', 'Budgeting'],
    ageHours: 5 * 24 + 1,
    viewCount: 720,
    upvotes: 8,
    options: [
      { label: 'Less than 5%', votes: 9 },
      { label: '5 to 10%', votes: 24 },
      { label: '10 to 15%', votes: 18 },
      { label: 'More than 15%', votes: 7 },
      { label: 'We do not track it separately', votes: 6 },
    ],
    allowsMultipleChoices: false,
    resultsVisibility: 'ON_VOTE',
    closesInHours: null,
    comments: [
      { author: 'cfo-goods', body: "Finding the number was harder than I expected. Half of our security spend sits in other teams' budgets." },
      { author: 'security-architect-health', body: 'Healthcare tends to be at the high end, and it still does not feel like enough.' },
    ],
  },
  {
    kind: 'POLL',
    title: 'Which cloud provider will get most of your new spend next year?',
    description: 'New spend only, not what you already run. Results are revealed when the poll closes.',
    author: 'cloud-head-goods',
    topics: ['Cloud', 'Budgeting', 'Vendor Management'],
    ageHours: 4 * 24 + 2,
    viewCount: 640,
    upvotes: 5,
    options: [
      { label: 'Amazon Web Services', votes: 14 },
      { label: 'Microsoft Azure', votes: 17 },
      { label: 'Google Cloud', votes: 6 },
      { label: 'Another provider', votes: 3 },
      { label: 'Our own data centers', votes: 4 },
    ],
    allowsMultipleChoices: false,
    resultsVisibility: 'ON_CLOSE',
    closesInHours: 3 * 24,
    comments: [{ author: 'infra-director-media', body: 'Voted for our own data centers. Ask me again after the hardware quotes come in.' }],
  },
  {
    kind: 'POLL',
    title: 'How long does it take you to hire a senior engineer, from opening to signed offer?',
    description: null,
    author: 'head-eng-services',
    topics: ['Hiring'],
    ageHours: 18 * 24,
    viewCount: 890,
    upvotes: 7,
    options: [
      { label: 'Under a month', votes: 6 },
      { label: 'One to two months', votes: 21 },
      { label: 'Two to three months', votes: 17 },
      { label: 'More than three months', votes: 9 },
    ],
    allowsMultipleChoices: false,
    resultsVisibility: 'ALWAYS',
    // Ran for two weeks and closed four days ago.
    closesInHours: -4 * 24,
    comments: [
      {
        key: 'speed',
        author: 'people-vp-software',
        upvotes: 3,
        body: 'Our fastest hires all came from referrals. Everything through job boards took twice as long.',
      },
      { author: 'head-eng-services', replyTo: 'speed', body: 'Same. We now pay a referral bonus and it is the cheapest channel by far.' },
      { author: 'fractional-cto', body: 'Anything over two months and the best candidates are gone. Cut interview rounds before you cut the bar.' },
    ],
  },
  {
    kind: 'POLL',
    title: 'Do you allow personal phones to access company email?',
    description: 'We are reviewing our mobile policy and would like to know what is normal today.',
    author: 'it-director-software',
    topics: ['Security', 'Remote Work'],
    ageHours: 3,
    viewCount: 12,
    upvotes: 0,
    options: [
      { label: 'Yes, with a device management profile', votes: 0 },
      { label: 'Yes, but only through a dedicated app', votes: 0 },
      { label: 'No, company devices only', votes: 0 },
    ],
    allowsMultipleChoices: false,
    resultsVisibility: 'ALWAYS',
    closesInHours: null,
    comments: [],
  },
];

// ---------------------------------------------------------------------------
// Assembly
// ---------------------------------------------------------------------------

let cached: DemoContent | null = null;

/** The whole demo community; built once per process, identical every time. */
export function buildDemoContent(): DemoContent {
  if (cached) return cached;
  const members = generateMembers();
  const popularThread: DemoThread = {
    kind: 'THREAD',
    title: DEMO_FIGURES.popularThreadTitle,
    body:
      'I start my first CIO role next month, after twelve years in engineering and architecture. I have read the ' +
      'books. What I would really like is the advice you wish someone had given you in your first year in the seat.',
    author: POPULAR_THREAD_AUTHOR,
    topics: ['Leadership', 'Hiring', 'Budgeting'],
    ageHours: 26 * 24 + 8,
    viewCount: 41230,
    upvotes: 131,
    comments: generatePopularComments(members, 319),
  };
  // Oldest first: ids then follow creation order, like a live community.
  const posts: DemoPost[] = [DISCUSSION_THREAD, RTO_POLL, popularThread, ...MORE_THREADS, ...MORE_POLLS].sort((a, b) => b.ageHours - a.ageHours);
  cached = {
    members,
    topics: TOPIC_NAMES.map((name) => ({ name, slug: topicSlug(name) })),
    posts,
  };
  return cached;
}
