/**
 * Relay cursor connections as one generic shape (TypeGraphQL's
 * examples/generic-types): a module names its edge and connection types and
 * says what a node is; the fields, their nullability and their descriptions
 * are written here once, for every list of the API.
 *
 *   @ObjectType('PostEdge', { description: 'A post and its position in a list.' })
 *   export class PostEdge extends Edge<Post>(() => PostInterface, { one: 'post' }) {}
 *
 *   @ObjectType('PostConnection', { description: 'A page of posts (Relay cursor connection).' })
 *   export class PostConnection extends Connection<Post, PostEdge>(() => PostEdge, () => PostInterface, {...}) {}
 */
import { Field, Int, ObjectType } from 'type-graphql';
import type { ClassType } from 'type-graphql';
import { PageInfo } from './pagination';

/** The GraphQL type of the nodes, as TypeGraphQL takes it: an object type or interface class (abstract ones too). */
type NodeType = () => object;

/** How the descriptions name one node. */
export interface EdgeTexts {
  /** One node, e.g. 'post'. */
  one: string;
}

/** The edge of a list: a node and its cursor. `TNode` is the value the node resolves from (e.g. an entity). */
export function Edge<TNode>(nodeType: NodeType, texts: EdgeTexts) {
  @ObjectType()
  abstract class EdgeClass {
    @Field(() => String, { description: `Pass as \`after\` to continue the list after this ${texts.one}.` })
    cursor: string;

    @Field(nodeType, { description: `The ${texts.one}.` })
    node: TNode;
  }
  return EdgeClass;
}

/** How the descriptions name the nodes of a page, and what totalCount counts. */
export interface ConnectionTexts {
  /** Several nodes, e.g. 'posts'. */
  many: string;
  /** What totalCount counts, e.g. 'Posts matching the filters, over all pages.' */
  totalCount: string;
}

/** A page of a list: its edges, its nodes, where it sits, and the total, counted only when asked for. */
export function Connection<TNode, TEdge extends object>(edgeType: () => ClassType<TEdge>, nodeType: NodeType, texts: ConnectionTexts) {
  @ObjectType()
  abstract class ConnectionClass {
    @Field(() => [edgeType()], { description: `The ${texts.many} of this page with their cursors.` })
    edges: TEdge[];

    @Field(() => [nodeType()], { description: `The ${texts.many} of this page.` })
    nodes: TNode[];

    @Field(() => PageInfo, { description: 'Where this page sits in the list.' })
    pageInfo: PageInfo;

    /** Counting is a query of its own: run only when totalCount is asked for. */
    countTotal: () => Promise<number> | number;

    @Field(() => Int, { description: texts.totalCount })
    totalCount(): Promise<number> | number {
      return this.countTotal();
    }
  }
  return ConnectionClass;
}
