/**
 * GraphQL shapes of editable content: the Editable interface (threads, polls
 * and comments implement it) and the list of a text's versions. The fields
 * that need the viewer or the database (revisions, viewerCanEdit,
 * viewerCanDelete) are resolved in revision.resolver.ts.
 */
import { Field, InterfaceType, ObjectType } from 'type-graphql';
import { Connection, Edge } from '../../graphql/connection';
import { Node, resolveNodeType } from '../../graphql/node';
import { Revision } from './revision.entity';

@InterfaceType('Editable', {
  implements: Node,
  description: 'Content whose text its author may change: threads, polls and comments.\nEvery change of the text is kept as a revision.',
  resolveType: resolveNodeType,
})
export abstract class Editable {
  // `id` comes from Node (implements), with the description every node's id has.

  @Field(() => Date, {
    nullable: true,
    description:
      'When the text last changed (title, body, description or, for a poll, its options); null while it was never edited. ' +
      'Changing only the topics does not set it.',
  })
  editedAt: Date | null;
}

@ObjectType('RevisionEdge', { description: 'A version in a list of revisions.' })
export class RevisionEdge extends Edge<Revision>(() => Revision, { one: 'version' }) {}

@ObjectType('RevisionConnection', { description: 'Versions of a text, newest first.' })
export class RevisionConnection extends Connection<Revision, RevisionEdge>(
  () => RevisionEdge,
  () => Revision,
  {
    many: 'versions',
    totalCount: 'All versions the viewer may read: the number of edits plus one, or 0 when the text is withheld.',
  },
) {}
