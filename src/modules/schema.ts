/** The executable GraphQL schema: every module's resolvers, built by TypeGraphQL. */
import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema, ContainerType, PubSub } from 'type-graphql';
import { DateTimeScalar } from '../graphql/scalars';
import { CommentFieldResolver, CommentResolver } from './comment/comment.resolver';
import { MemberResolver } from './member/member.resolver';
import { MemberHistoryResolver } from './member/member-history.resolver';
import { NodeResolver } from './node.resolver';
import { PollFieldResolver, PollResolver } from './poll/poll.resolver';
import { BreakdownFieldResolver } from './insights/breakdown.resolver';
import { RecommendationResolver } from './insights/recommendation.resolver';
import { ResultsCsvFieldResolver } from './insights/results-csv.resolver';
import { PostFieldResolver, PostResolver } from './post/post.resolver';
import { LiveResolver } from './live.resolver';
import { TopicResolver } from './topic/topic.resolver';
import type { Services } from './services';
import { UpvoteResolver } from './upvote/upvote.resolver';
import { EditableFieldResolver, RevisionFieldResolver } from './revision/revision.resolver';
import { ReportableFieldResolver, ReportFieldResolver, ReportResolver } from './report/report.resolver';
import {
  MemberModerationFieldResolver,
  MemberSuspensionFieldResolver,
  ModerationControlResolver,
  PostControlFieldResolver,
} from './moderation/moderation-control.resolver';
import { ModerationLogEntryFieldResolver } from './moderation/moderation-log.resolver';
import { ContentModerationResolver, ModeratableFieldResolver } from './moderation/moderation.resolver';
import { PollTextResolver, ThreadTextResolver } from './moderation/withheld-text.resolver';

export const RESOLVERS = [
  NodeResolver,
  MemberResolver,
  TopicResolver,
  PostResolver,
  PostFieldResolver,
  CommentResolver,
  CommentFieldResolver,
  PollResolver,
  PollFieldResolver,
  UpvoteResolver,
  LiveResolver,
  MemberHistoryResolver,
  EditableFieldResolver,
  RevisionFieldResolver,
  ReportableFieldResolver,
  ReportFieldResolver,
  ReportResolver,
  ModerationControlResolver,
  MemberModerationFieldResolver,
  MemberSuspensionFieldResolver,
  PostControlFieldResolver,
  ModerationLogEntryFieldResolver,
  ContentModerationResolver,
  ModeratableFieldResolver,
  ThreadTextResolver,
  PollTextResolver,
  BreakdownFieldResolver,
  RecommendationResolver,
  ResultsCsvFieldResolver,
] as const;

/**
 * TypeGraphQL insists on a pubSub when there are subscriptions, but every
 * @Subscription here brings its own `subscribe` (the live feeds): topics are
 * never used, and using one is a bug, so it fails loudly.
 */
const NO_TOPICS: PubSub = {
  publish: () => {
    throw new Error('topic-based subscriptions are not used: publish domain events (src/realtime/domain-events.ts)');
  },
  subscribe: () => {
    throw new Error('topic-based subscriptions are not used: give the @Subscription a `subscribe` (a live feed)');
  },
};

/**
 * The resolvers with their services, constructor-injected (TypeGraphQL's
 * `container` hands these instances out), so resolvers never look services up
 * in the request context.
 */
function resolversContainer(services: Services | null): ContainerType {
  const instances = new Map<unknown, object>(
    services
      ? [
          [NodeResolver, new NodeResolver(services.settings.minGroupSize)],
          [MemberResolver, new MemberResolver(services.members)],
          [TopicResolver, new TopicResolver(services.topics)],
          [PostResolver, new PostResolver(services.posts, services.postLists, services.postAuthoring)],
          [PostFieldResolver, new PostFieldResolver()],
          [CommentResolver, new CommentResolver(services.comments)],
          [CommentFieldResolver, new CommentFieldResolver()],
          [PollResolver, new PollResolver(services.polls)],
          [PollFieldResolver, new PollFieldResolver()],
          [UpvoteResolver, new UpvoteResolver(services.upvotes)],
          [LiveResolver, new LiveResolver()],
          [MemberHistoryResolver, new MemberHistoryResolver()],
          [EditableFieldResolver, new EditableFieldResolver()],
          [RevisionFieldResolver, new RevisionFieldResolver()],
          [ReportableFieldResolver, new ReportableFieldResolver()],
          [ReportFieldResolver, new ReportFieldResolver()],
          [ReportResolver, new ReportResolver(services.reports)],
          [ModerationControlResolver, new ModerationControlResolver(services.memberModeration, services.postControl, services.moderationLog)],
          [MemberModerationFieldResolver, new MemberModerationFieldResolver()],
          [MemberSuspensionFieldResolver, new MemberSuspensionFieldResolver()],
          [PostControlFieldResolver, new PostControlFieldResolver()],
          [ModerationLogEntryFieldResolver, new ModerationLogEntryFieldResolver()],
          [ContentModerationResolver, new ContentModerationResolver(services.contentModeration)],
          [ModeratableFieldResolver, new ModeratableFieldResolver()],
          [ThreadTextResolver, new ThreadTextResolver()],
          [PollTextResolver, new PollTextResolver()],
          [BreakdownFieldResolver, new BreakdownFieldResolver(services.settings.minGroupSize)],
          [RecommendationResolver, new RecommendationResolver(services.postLists)],
          [ResultsCsvFieldResolver, new ResultsCsvFieldResolver()],
        ]
      : [],
  );
  return {
    get: (resolverClass: { name?: string }) => {
      const instance = instances.get(resolverClass);
      if (!instance) throw new Error(`no ${resolverClass.name ?? 'resolver'} instance: build the schema with the services to execute it`);
      return instance;
    },
  };
}

/** The schema; `services` null builds it for printing only (npm run schema, the schema test). */
export async function buildAppSchema(services: Services | null): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: RESOLVERS,
    container: resolversContainer(services),
    // The contract names its date scalar DateTime (TypeGraphQL's default is DateTimeISO).
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    // Input is checked by the services (they name the offending field); no class-validator.
    validate: false,
    emitSchemaFile: false,
    pubSub: NO_TOPICS,
  });
  // TypeGraphQL has no option for the root types' descriptions.
  describe(schema.getQueryType(), 'Reads: posts, comments, polls, topics and the signed-in member.');
  describe(schema.getMutationType(), 'Writes. Each takes one `input` object and returns a payload; errors carry extensions.code.');
  describe(schema.getSubscriptionType(), 'Live updates over WebSocket (graphql-transport-ws).');
  return schema;
}

function describe(type: { description?: string | null } | null | undefined, description: string): void {
  if (type) type.description = description;
}

/** The SDL committed as schema/schema.graphql: sorted, so diffs stay readable. */
export function printAppSchema(schema: GraphQLSchema): string {
  return (
    '# Emitted from the code by `npm run schema` (src/emit-schema.ts). Do not edit by hand:\n' +
    '# a test fails when this file and the code disagree.\n\n' +
    printSchema(lexicographicSortSchema(schema)) +
    '\n'
  );
}
