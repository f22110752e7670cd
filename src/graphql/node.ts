/**
 * The Relay Node and Upvotable interfaces. Every node class exposes its
 * opaque global ID as the `globalId` property (the GraphQL field `id`) and
 * its GraphQL type name as `typeName`, so one resolveType serves every
 * interface and database ids never leak as GraphQL ids.
 */
import { Field, ID, Int, InterfaceType } from 'type-graphql';

export interface NodeLike {
  readonly globalId: string;
  readonly typeName: string;
}

export const resolveNodeType = (value: NodeLike) => value.typeName;

@InterfaceType('Node', { description: 'An object with an opaque, globally unique ID.', resolveType: resolveNodeType })
export abstract class Node {
  @Field(() => ID, { name: 'id', description: 'Opaque, globally unique ID; pass it to Query.node to fetch the object again.' })
  readonly globalId: string;
}

@InterfaceType('Upvotable', { description: 'Anything members can upvote: posts and comments.', resolveType: resolveNodeType })
export abstract class Upvotable {
  @Field(() => ID, { name: 'id', description: 'Opaque, globally unique ID.' })
  readonly globalId: string;

  @Field(() => Int, { description: 'Members who upvoted it; each member counts once.' })
  upvoteCount: number;

  @Field(() => Boolean, { description: 'False for anonymous viewers.' })
  viewerHasUpvoted: boolean;
}
