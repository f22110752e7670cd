/**
 * Editable's fields on threads, polls and comments (their versions and what
 * the viewer may do), Revision's own fields, and node(id) for a Revision.
 * Who may read a text may read its versions: a deleted comment, and a
 * comment or post whose post is deleted, show none.
 */
import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { pageSize } from '../../graphql/input-validation';
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, PageInfo } from '../../graphql/pagination';
import type { RequestContext } from '../context';
import type { Loaders } from '../loaders';
import { Member } from '../member/member.entity';
import { Revision } from './revision.entity';
import { RevisionSubject, revisionCursorNumber } from './revision.service';
import { Editable, RevisionConnection } from './revision.types';
import { ModerationState } from '../moderation/moderation.enums';
import { contentViewerOf, isWithheldFrom } from '../moderation/visibility';

/** What Editable's fields read of a thread or poll (a Post row) or a comment. */
export interface EditableContent {
  id: number;
  authorId: number;
  /** Set once the post or comment is deleted: nobody edits it, and its versions are withheld. */
  deletedAt: Date | null;
  typeName: string;
  /** HIDDEN or REMOVED content's versions are withheld as its text is (moderation.graphql). */
  moderationState: string;
}

function subjectOf(content: EditableContent): RevisionSubject {
  return { type: content.typeName === 'Comment' ? 'COMMENT' : 'POST', id: content.id };
}

/** Only the author edits or deletes, and only what is not deleted; anonymous viewers never. */
function isAuthorOfLive(content: EditableContent, context: RequestContext): boolean {
  return context.viewer !== null && context.viewer.id === content.authorId && content.deletedAt === null;
}

@Resolver(() => Editable)
export class EditableFieldResolver {
  @FieldResolver(() => RevisionConnection, {
    description:
      'Every version of the text, newest first: the first is the current text, the last (number 1) the text as first posted, ' +
      'so a never-edited item has exactly one and totalCount - 1 is the number of edits. Everyone who may read the text may read ' +
      'its revisions; the list is empty (totalCount 0) for a deleted comment. `first` is 1..100.',
  })
  async revisions(
    @Root() content: EditableContent,
    @Ctx() context: RequestContext,
    @Arg('first', () => Int, {
      nullable: true,
      defaultValue: PAGE_SIZE_DEFAULT,
      description: `How many versions to return, 1..${PAGE_SIZE_MAX} (BAD_USER_INPUT on first otherwise).`,
    })
    first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'A cursor from this list: the versions after it (older ones).' }) after: string | null,
  ): Promise<RevisionConnection> {
    const request = { subject: subjectOf(content), first: pageSize(first), after: after ?? null };
    // Checked here, not in the batch: one bad cursor must not fail the other lists of the request.
    revisionCursorNumber(request.after);
    if (content.deletedAt !== null) return emptyConnection(request.after !== null);
    if (content.moderationState !== ModerationState.VISIBLE && isWithheldFrom(await contentViewerOf(context), content))
      return emptyConnection(request.after !== null);
    const page = await context.loaders.revisionPageByRequest.load(request);
    return Object.assign(new RevisionConnection(), page, { countTotal: () => context.loaders.revisionCountBySubject.load(request.subject) });
  }

  @FieldResolver(() => Boolean, {
    description: 'True when the viewer is the author (and may call editThread, editPoll or editComment); false for everyone else, anonymous viewers included.',
  })
  viewerCanEdit(@Root() content: EditableContent, @Ctx() context: RequestContext): boolean {
    return isAuthorOfLive(content, context);
  }

  @FieldResolver(() => Boolean, {
    description: 'True when the viewer is the author (and may call deletePost or deleteComment); false for everyone else, anonymous viewers included.',
  })
  viewerCanDelete(@Root() content: EditableContent, @Ctx() context: RequestContext): boolean {
    return isAuthorOfLive(content, context);
  }
}

function emptyConnection(hasAfter: boolean): RevisionConnection {
  const pageInfo = Object.assign(new PageInfo(), { hasNextPage: false, hasPreviousPage: hasAfter, startCursor: null, endCursor: null });
  return Object.assign(new RevisionConnection(), { edges: [], nodes: [], pageInfo, countTotal: () => 0 });
}

@Resolver(() => Revision)
export class RevisionFieldResolver {
  @FieldResolver(() => Member, {
    description: 'Who wrote this version: the author (only authors edit), or the former-member stand-in once the account is deleted.',
  })
  async editor(@Root() revision: Revision, @Ctx() context: RequestContext): Promise<Member> {
    const editor = await context.loaders.memberById.load(revision.editorId);
    if (!editor) throw new Error(`revision ${revision.id} has no editor ${revision.editorId}`);
    return editor;
  }

  @FieldResolver(() => [String], { nullable: true, description: "The poll's option labels in this version, in display order; null for threads and comments." })
  optionLabels(@Root() revision: Revision): string[] | null {
    return revision.optionLabels === null ? null : (JSON.parse(revision.optionLabels) as string[]);
  }
}

/**
 * node(id) for a Revision: the version, to whoever may read its content's versions; null when the
 * content is gone (a deleted comment, a deleted post, or a comment of a deleted post).
 */
export async function readableRevision(id: number, loaders: Loaders): Promise<Revision | null> {
  const revision = await loaders.revisionById.load(id);
  if (!revision) return null;
  let postId = revision.subjectId;
  if (revision.subjectType === 'COMMENT') {
    const comment = await loaders.commentById.load(revision.subjectId);
    if (!comment || comment.deletedAt !== null) return null;
    postId = comment.postId;
  }
  const post = await loaders.postById.load(postId);
  return post && post.deletedAt === null ? revision : null;
}
