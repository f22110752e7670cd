/**
 * Authors edit their threads, polls and comments (authoring part of the API): editThread,
 * editPoll, editComment, the Editable fields (editedAt, revisions, viewerCanEdit/Delete) and
 * node(Revision). Every rule of their descriptions, and the two races: concurrent edits of one
 * post land as revisions in commit order, and a vote racing the first editPoll of options gets
 * POLL_HAS_VOTES or a vote on the new options, never a vote on an option that no longer exists.
 */
import type { DomainEvent } from '../src/modules/events';
import { Revision } from '../src/modules/revision/revision.entity';
import { ADD_COMMENT, CAST_VOTE, CLOSE_POLL, CREATE_POLL, CREATE_THREAD, dbId, DELETE_COMMENT, RETRACT_VOTE, typed } from './helpers/documents';
import { DELETE_POST } from './helpers/delete-documents';
import { codesOf, GraphQLResponse, startTestServer, TestServer } from './helpers/server';

type Member = { token: string; id: string };

/** A well-formed ID of the given kind that names nothing (IDs are base64url "<Type>:<id>"). */
const unknownId = (type: string) => Buffer.from(`${type}:999999`, 'utf8').toString('base64url');

describe('editing threads, polls and comments, with revisions', () => {
  let t: TestServer;
  let alice: Member;
  let bob: Member;
  let events: DomainEvent[];

  beforeAll(async () => {
    t = await startTestServer();
    [alice, bob] = await Promise.all([t.signUp({ title: 'CTO' }), t.signUp({ title: 'CISO' })]);
    events = [];
    t.probe.events.subscribe((event) => events.push(event));
  });

  async function newThread(input: { title?: string; body?: string; topics?: string[] } = {}, token = alice.token): Promise<string> {
    const result = await t.gql(CREATE_THREAD, { input: { title: 'Original title', body: 'Original body.', ...input } }, token);
    if (!result.data?.createThread) throw new Error(`createThread failed: ${JSON.stringify(result.errors)}`);
    return result.data.createThread.thread.id;
  }

  async function newPoll(input: Record<string, unknown> = {}, token = alice.token): Promise<{ id: string; optionIds: string[] }> {
    const result = await t.gql(CREATE_POLL, { input: { title: 'Which cloud?', options: ['AWS', 'Azure'], ...input } }, token);
    if (!result.data?.createPoll) throw new Error(`createPoll failed: ${JSON.stringify(result.errors)}`);
    return { id: result.data.createPoll.poll.id, optionIds: result.data.createPoll.poll.options.map((option) => option.id) };
  }

  async function editable(id: string, args: { first?: number; after?: string } = {}, token?: string): Promise<EditableFields> {
    const result = await t.gql(EDITABLE, { id, ...args }, token);
    expect(result.errors).toBeUndefined();
    return result.data!.node!;
  }

  function expectBadInput(result: GraphQLResponse, field: string): void {
    expect(codesOf(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors![0].extensions.field).toBe(field);
  }

  function expectCode(result: GraphQLResponse, code: string, field?: string): void {
    expect(codesOf(result)).toEqual([code]);
    if (field) expect(result.errors![0].extensions.field).toBe(field);
  }

  /** The events published since `from` (an index into `events`), of one type. */
  function eventsSince<T extends DomainEvent['type']>(from: number, type: T): Array<Extract<DomainEvent, { type: T }>> {
    return events.slice(from).filter((event): event is Extract<DomainEvent, { type: T }> => event.type === type);
  }

  describe('editThread', () => {
    it('replaces title and body (trimmed), sets editedAt, keeps the old text as revision 1, and announces the change', async () => {
      const id = await newThread();
      const before = events.length;
      const result = await t.gql(EDIT_THREAD, { input: { threadId: id, title: '  New title ', body: 'New body.\r\n\r\nSecond paragraph.' } }, alice.token);
      expect(result.errors).toBeUndefined();
      const thread = result.data!.editThread!.thread;
      expect(thread).toMatchObject({ id, title: 'New title', body: 'New body.\n\nSecond paragraph.', viewerCanEdit: true, viewerCanDelete: true });
      expect(thread.editedAt).not.toBeNull();
      expect(thread.revisions.totalCount).toBe(2);
      expect(thread.revisions.nodes.map((revision) => [revision.number, revision.title, revision.body, revision.optionLabels])).toEqual([
        [2, 'New title', 'New body.\n\nSecond paragraph.', null],
        [1, 'Original title', 'Original body.', null],
      ]);
      expect(thread.revisions.nodes.every((revision) => revision.editor.id === alice.id && revision.editor.byline.startsWith('CTO'))).toBe(true);
      expect(thread.revisions.nodes[0].createdAt).toBe(thread.editedAt);
      expect(eventsSince(before, 'postChanged')).toEqual([{ type: 'postChanged', postId: dbId(id) }]);

      // Search reads the new text only.
      const found = await t.gql(SEARCH, { search: 'second paragraph' });
      expect(found.data!.posts.nodes.map((post) => post.id)).toContain(id);
      const stale = await t.gql(SEARCH, { search: 'original body' });
      expect(stale.data!.posts.nodes.map((post) => post.id)).not.toContain(id);
    });

    it('leaves omitted and null fields as they were', async () => {
      const id = await newThread({ topics: ['Omitted Fields'] });
      const result = await t.gql(EDIT_THREAD, { input: { threadId: id, title: 'Only the title', body: null, topics: null } }, alice.token);
      expect(result.data!.editThread!.thread).toMatchObject({ title: 'Only the title', body: 'Original body.', topics: [{ slug: 'omitted-fields' }] });
      expect(result.data!.editThread!.thread.revisions.nodes[0]).toMatchObject({ number: 2, title: 'Only the title', body: 'Original body.' });
    });

    it('records nothing for the same text again or topics alone: no revision, editedAt unchanged', async () => {
      const id = await newThread();
      const before = events.length;
      const same = await t.gql(EDIT_THREAD, { input: { threadId: id, title: ' Original title', body: 'Original body.' } }, alice.token);
      expect(same.data!.editThread!.thread).toMatchObject({ editedAt: null, revisions: { totalCount: 1 } });
      expect(eventsSince(before, 'postChanged')).toEqual([]);

      const topicsOnly = await t.gql(EDIT_THREAD, { input: { threadId: id, topics: ['Only Topics'] } }, alice.token);
      expect(topicsOnly.data!.editThread!.thread).toMatchObject({ editedAt: null, revisions: { totalCount: 1 }, topics: [{ slug: 'only-topics' }] });
      expect(eventsSince(before, 'postChanged')).toEqual([{ type: 'postChanged', postId: dbId(id) }]);

      // After a real edit, the same text again leaves editedAt at that edit.
      const edited = await t.gql(EDIT_THREAD, { input: { threadId: id, body: 'Changed.' } }, alice.token);
      const editedAt = edited.data!.editThread!.thread.editedAt;
      expect(editedAt).not.toBeNull();
      const again = await t.gql(EDIT_THREAD, { input: { threadId: id, body: 'Changed.' } }, alice.token);
      expect(again.data!.editThread!.thread).toMatchObject({ editedAt, revisions: { totalCount: 2 } });
    });

    it('replaces topics and keeps every topic postCount exact; [] removes them all', async () => {
      const id = await newThread({ topics: ['Keep Me', 'Drop Me'] });
      const other = await newThread({ topics: ['Drop Me'] });
      const counts = async () => {
        const result = await t.gql(TOPIC_COUNTS, {});
        return Object.fromEntries(result.data!.topics.map((topic) => [topic.slug, topic.postCount]));
      };
      expect(await counts()).toMatchObject({ 'keep-me': 1, 'drop-me': 2 });

      const result = await t.gql(EDIT_THREAD, { input: { threadId: id, topics: ['keep me', 'Brand New'] } }, alice.token);
      expect(result.data!.editThread!.thread.topics.map((topic) => topic.slug).sort()).toEqual(['brand-new', 'keep-me']);
      expect(await counts()).toMatchObject({ 'keep-me': 1, 'drop-me': 1, 'brand-new': 1 });
      const underDropped = await t.gql(BY_TOPIC, { slug: 'drop-me' });
      expect(underDropped.data!.posts).toMatchObject({ totalCount: 1, nodes: [{ id: other }] });

      const cleared = await t.gql(EDIT_THREAD, { input: { threadId: id, topics: [] } }, alice.token);
      expect(cleared.data!.editThread!.thread.topics).toEqual([]);
      expect(await counts()).toMatchObject({ 'keep-me': 0, 'drop-me': 1, 'brand-new': 0 });
    });

    it('is UNAUTHENTICATED anonymously, FORBIDDEN for another member, NOT_FOUND for a poll or unknown id; nothing changes', async () => {
      const id = await newThread();
      const poll = await newPoll();
      expectCode(await t.gql(EDIT_THREAD, { input: { threadId: id, title: 'Anonymous' } }), 'UNAUTHENTICATED');
      expectCode(await t.gql(EDIT_THREAD, { input: { threadId: id, title: 'Hijacked' } }, bob.token), 'FORBIDDEN');
      expectCode(await t.gql(EDIT_THREAD, { input: { threadId: poll.id, title: 'A poll' } }, alice.token), 'NOT_FOUND', 'input.threadId');
      expectCode(await t.gql(EDIT_THREAD, { input: { threadId: unknownId('Thread'), title: 'Nothing' } }, alice.token), 'NOT_FOUND', 'input.threadId');
      expectBadInput(await t.gql(EDIT_THREAD, { input: { threadId: 'not an id!', title: 'Nothing' } }, alice.token), 'input.threadId');
      expect(await editable(id)).toMatchObject({ editedAt: null, revisions: { totalCount: 1 } });
    });

    it('is NOT_FOUND for a deleted thread', async () => {
      const id = await newThread();
      await deletePost(id);
      expectCode(await t.gql(EDIT_THREAD, { input: { threadId: id, title: 'Too late' } }, alice.token), 'NOT_FOUND', 'input.threadId');
    });

    it.each([
      ['a blank title', 'input.title', { title: '   ' }],
      ['a 301-character title', 'input.title', { title: 'x'.repeat(301) }],
      ['a title with a line break', 'input.title', { title: 'line\nbreak' }],
      ['an empty body', 'input.body', { body: '' }],
      ['a 20,001-character body', 'input.body', { body: 'y'.repeat(20_001) }],
      ['11 topics', 'input.topics', { topics: Array.from({ length: 11 }, (_, i) => `Topic ${i}`) }],
      ['a topic without letters', 'input.topics[1]', { topics: ['Fine', '!!!'] }],
    ])('refuses %s with BAD_USER_INPUT on %s and changes nothing', async (_label, field, change) => {
      const id = await newThread();
      expectBadInput(await t.gql(EDIT_THREAD, { input: { threadId: id, ...change } }, alice.token), field);
      expect(await editable(id)).toMatchObject({ editedAt: null, revisions: { totalCount: 1 } });
    });

    it('accepts the limits: a 300-character title and a 20,000-character body', async () => {
      const id = await newThread();
      const result = await t.gql(EDIT_THREAD, { input: { threadId: id, title: 't'.repeat(300), body: 'b'.repeat(20_000) } }, alice.token);
      expect(result.errors).toBeUndefined();
    });
  });

  describe('revisions', () => {
    it('pages newest first with opaque cursors, pageInfo and totalCount', async () => {
      const id = await newThread();
      for (let i = 2; i <= 6; i++) await t.gql(EDIT_THREAD, { input: { threadId: id, body: `Version ${i}` } }, alice.token);
      const numbers: number[] = [];
      let after: string | undefined;
      for (let page = 0; page < 5; page++) {
        const { revisions } = await editable(id, { first: 2, ...(after ? { after } : {}) });
        expect(revisions.totalCount).toBe(6);
        expect(revisions.pageInfo.hasPreviousPage).toBe(after !== undefined);
        expect(revisions.edges.map((edge) => edge.node.number)).toEqual(revisions.nodes.map((node) => node.number));
        expect(revisions.pageInfo.startCursor).toBe(revisions.edges[0].cursor);
        numbers.push(...revisions.nodes.map((node) => node.number));
        if (!revisions.pageInfo.hasNextPage) break;
        after = revisions.pageInfo.endCursor!;
      }
      expect(numbers).toEqual([6, 5, 4, 3, 2, 1]);
      // A cursor of the middle of the list continues from there, whatever was edited meanwhile.
      const all = await editable(id, { first: 100 });
      const cursorOf3 = all.revisions.edges.find((edge) => edge.node.number === 3)!.cursor;
      await t.gql(EDIT_THREAD, { input: { threadId: id, body: 'Version 7' } }, alice.token);
      expect((await editable(id, { after: cursorOf3 })).revisions.nodes.map((node) => node.number)).toEqual([2, 1]);
      expect(all.revisions.nodes.map((node) => node.body)).toEqual(['Version 6', 'Version 5', 'Version 4', 'Version 3', 'Version 2', 'Original body.']);
    });

    it('refuses first outside 1..100 and cursors of other lists (BAD_USER_INPUT)', async () => {
      const id = await newThread();
      for (const first of [0, -1, 101]) expectBadInput(await t.gql(EDITABLE, { id, first }), 'first');
      expectBadInput(await t.gql(EDITABLE, { id, after: 'garbage!' }), 'after');
      const posts = await t.gql(SEARCH, { search: 'original' });
      expectBadInput(await t.gql(EDITABLE, { id, after: posts.data!.posts.pageInfo.endCursor }), 'after');
    });

    it('viewerCanEdit and viewerCanDelete: true for the author only, false for other members and anonymous viewers', async () => {
      const id = await newThread();
      const { id: commentId } = (await t.gql(ADD_COMMENT, { input: { postId: id, body: 'By Bob' } }, bob.token)).data!.addComment.comment;
      expect(await editable(id, {}, alice.token)).toMatchObject({ viewerCanEdit: true, viewerCanDelete: true });
      expect(await editable(id, {}, bob.token)).toMatchObject({ viewerCanEdit: false, viewerCanDelete: false });
      expect(await editable(id)).toMatchObject({ viewerCanEdit: false, viewerCanDelete: false });
      expect(await editable(commentId, {}, bob.token)).toMatchObject({ viewerCanEdit: true, viewerCanDelete: true });
      expect(await editable(commentId, {}, alice.token)).toMatchObject({ viewerCanEdit: false, viewerCanDelete: false });
      expect(await editable(commentId)).toMatchObject({ viewerCanEdit: false, viewerCanDelete: false });
    });

    it('node(id) returns a revision while its content exists, null once the post is deleted', async () => {
      const id = await newThread();
      await t.gql(EDIT_THREAD, { input: { threadId: id, title: 'Second' } }, alice.token);
      const { revisions } = await editable(id);
      for (const revision of revisions.nodes) {
        const node = await t.gql(REVISION_NODE, { id: revision.id });
        expect(node.data!.node).toEqual(revision);
      }
      expect((await t.gql(REVISION_NODE, { id: unknownId('Revision') })).data!.node).toBeNull();
      await deletePost(id);
      expect((await t.gql(REVISION_NODE, { id: revisions.nodes[0].id })).data!.node).toBeNull();
    });
  });

  describe('editPoll', () => {
    it('changes title, description and options: new option ids, a revision with the labels, results version + 1', async () => {
      const poll = await newPoll({ description: 'Context' });
      const before = events.length;
      const result = await t.gql(
        EDIT_POLL,
        { input: { pollId: poll.id, title: 'Which cloud, really?', description: ' More context ', options: ['AWS', 'GCP', ' Azure '] } },
        alice.token,
      );
      expect(result.errors).toBeUndefined();
      const edited = result.data!.editPoll!.poll;
      expect(edited).toMatchObject({ title: 'Which cloud, really?', description: 'More context', results: { version: 1, totalVotes: 0 } });
      expect(edited.options.map((option) => option.label)).toEqual(['AWS', 'GCP', 'Azure']);
      expect(edited.options.some((option) => poll.optionIds.includes(option.id))).toBe(false);
      expect(edited.editedAt).not.toBeNull();
      expect(edited.revisions.nodes.map((revision) => [revision.number, revision.title, revision.body, revision.optionLabels])).toEqual([
        [2, 'Which cloud, really?', 'More context', ['AWS', 'GCP', 'Azure']],
        [1, 'Which cloud?', 'Context', ['AWS', 'Azure']],
      ]);
      expect(eventsSince(before, 'pollResultsChanged')).toEqual([{ type: 'pollResultsChanged', pollId: dbId(poll.id), version: 1 }]);
      expect(eventsSince(before, 'postChanged')).toEqual([{ type: 'postChanged', postId: dbId(poll.id) }]);
      // The old options name nothing now; the new ones take votes.
      expectCode(await t.gql(CAST_VOTE, { input: { pollId: poll.id, optionIds: [poll.optionIds[0]] } }, bob.token), 'NOT_FOUND', 'input.optionIds[0]');
      expect((await t.gql(CAST_VOTE, { input: { pollId: poll.id, optionIds: [edited.options[1].id] } }, bob.token)).errors).toBeUndefined();
    });

    it('removes the description with "", leaves options and results version alone when they are not given', async () => {
      const poll = await newPoll({ description: 'Context' });
      const result = await t.gql(EDIT_POLL, { input: { pollId: poll.id, description: '' } }, alice.token);
      const edited = result.data!.editPoll!.poll;
      expect(edited).toMatchObject({ description: null, results: { version: 0 } });
      expect(edited.options.map((option) => option.id)).toEqual(poll.optionIds);
      expect(edited.revisions.nodes[0]).toMatchObject({ number: 2, body: null, optionLabels: ['AWS', 'Azure'] });
    });

    it('records nothing for the same options again (same ids, same version)', async () => {
      const poll = await newPoll();
      const result = await t.gql(EDIT_POLL, { input: { pollId: poll.id, options: ['AWS', 'Azure'] } }, alice.token);
      expect(result.data!.editPoll!.poll).toMatchObject({ editedAt: null, results: { version: 0 }, revisions: { totalCount: 1 } });
      expect(result.data!.editPoll!.poll.options.map((option) => option.id)).toEqual(poll.optionIds);
    });

    it('refuses options on a closed poll (POLL_CLOSED, before POLL_HAS_VOTES) and on a poll with votes (POLL_HAS_VOTES)', async () => {
      const poll = await newPoll();
      await t.gql(CAST_VOTE, { input: { pollId: poll.id, optionIds: [poll.optionIds[0]] } }, bob.token);
      expectCode(await t.gql(EDIT_POLL, { input: { pollId: poll.id, options: ['X', 'Y'] } }, alice.token), 'POLL_HAS_VOTES');
      // Title, description and topics stay editable once it has votes, and once it is closed.
      const retitled = await t.gql(EDIT_POLL, { input: { pollId: poll.id, title: 'Still editable', topics: ['Cloud'] } }, alice.token);
      expect(retitled.data!.editPoll!.poll).toMatchObject({ title: 'Still editable', results: { version: 1, totalVotes: 1 } });
      await t.gql(CLOSE_POLL, { input: { pollId: poll.id } }, alice.token);
      expectCode(await t.gql(EDIT_POLL, { input: { pollId: poll.id, options: ['X', 'Y'] } }, alice.token), 'POLL_CLOSED');
      const closedEdit = await t.gql(EDIT_POLL, { input: { pollId: poll.id, description: 'Closed but described' } }, alice.token);
      expect(closedEdit.data!.editPoll!.poll).toMatchObject({ description: 'Closed but described', revisions: { totalCount: 3 } });

      const unvoted = await newPoll();
      await t.gql(CLOSE_POLL, { input: { pollId: unvoted.id } }, alice.token);
      expectCode(await t.gql(EDIT_POLL, { input: { pollId: unvoted.id, options: ['X', 'Y'] } }, alice.token), 'POLL_CLOSED');
    });

    it('allows new options again once the only vote is retracted (participantCount 0)', async () => {
      const poll = await newPoll();
      await t.gql(CAST_VOTE, { input: { pollId: poll.id, optionIds: [poll.optionIds[0]] } }, bob.token);
      await t.gql(RETRACT_VOTE, { input: { pollId: poll.id } }, bob.token);
      const result = await t.gql(EDIT_POLL, { input: { pollId: poll.id, options: ['X', 'Y'] } }, alice.token);
      expect(result.data!.editPoll!.poll).toMatchObject({ options: [{ label: 'X' }, { label: 'Y' }], results: { version: 3, participantCount: 0 } });
    });

    it.each([
      ['one option', 'input.options', { options: ['Only one'] }],
      ['21 options', 'input.options', { options: Array.from({ length: 21 }, (_, i) => `Option ${i}`) }],
      ['a repeated option (case-insensitively)', 'input.options[2]', { options: ['AWS', 'GCP', 'aws'] }],
      ['a blank option', 'input.options[1]', { options: ['AWS', '  '] }],
      ['a 201-character option', 'input.options[1]', { options: ['AWS', 'o'.repeat(201)] }],
      ['an empty title', 'input.title', { title: '' }],
      ['a 5,001-character description', 'input.description', { description: 'd'.repeat(5_001) }],
      ['a topic without letters', 'input.topics[0]', { topics: ['%%%'] }],
    ])('refuses %s with BAD_USER_INPUT on %s and changes nothing', async (_label, field, change) => {
      const poll = await newPoll();
      expectBadInput(await t.gql(EDIT_POLL, { input: { pollId: poll.id, ...change } }, alice.token), field);
      const after = await t.gql(POLL_STATE, { id: poll.id });
      expect(after.data!.node).toMatchObject({ editedAt: null, title: 'Which cloud?', results: { version: 0 }, revisions: { totalCount: 1 } });
      expect(after.data!.node!.options.map((option) => option.id)).toEqual(poll.optionIds);
    });

    it('is UNAUTHENTICATED anonymously, FORBIDDEN for another member, NOT_FOUND for a thread id or a deleted poll', async () => {
      const poll = await newPoll();
      const threadId = await newThread();
      expectCode(await t.gql(EDIT_POLL, { input: { pollId: poll.id, title: 'Anonymous' } }), 'UNAUTHENTICATED');
      expectCode(await t.gql(EDIT_POLL, { input: { pollId: poll.id, options: ['X', 'Y'] } }, bob.token), 'FORBIDDEN');
      expectCode(await t.gql(EDIT_POLL, { input: { pollId: threadId, title: 'A thread' } }, alice.token), 'NOT_FOUND', 'input.pollId');
      await deletePost(poll.id);
      expectCode(await t.gql(EDIT_POLL, { input: { pollId: poll.id, title: 'Gone' } }, alice.token), 'NOT_FOUND', 'input.pollId');
    });
  });

  describe('editComment', () => {
    async function newComment(postId: string): Promise<string> {
      return (await t.gql(ADD_COMMENT, { input: { postId, body: 'First words' } }, bob.token)).data!.addComment.comment.id;
    }

    it('records a revision for a new body only, and announces it', async () => {
      const postId = await newThread();
      const id = await newComment(postId);
      const before = events.length;
      const edited = await t.gql(EDIT_COMMENT, { input: { commentId: id, body: 'Second words' } }, bob.token);
      const comment = edited.data!.editComment!.comment;
      expect(comment.editedAt).not.toBeNull();
      expect(comment.revisions.nodes.map((revision) => [revision.number, revision.title, revision.body, revision.optionLabels])).toEqual([
        [2, null, 'Second words', null],
        [1, null, 'First words', null],
      ]);
      expect(eventsSince(before, 'commentChanged')).toEqual([{ type: 'commentChanged', postId: dbId(postId), commentId: dbId(id) }]);

      const again = await t.gql(EDIT_COMMENT, { input: { commentId: id, body: ' Second words ' } }, bob.token);
      expect(again.data!.editComment!.comment).toMatchObject({ editedAt: comment.editedAt, revisions: { totalCount: 2 } });
      expect(eventsSince(before, 'commentChanged')).toHaveLength(1);
    });

    it('a deleted comment: no revisions (totalCount 0), nobody may edit it, its revisions are no nodes, editComment is NOT_FOUND', async () => {
      const postId = await newThread();
      const id = await newComment(postId);
      const revisionId = (await editable(id)).revisions.nodes[0].id;
      expect((await t.gql(REVISION_NODE, { id: revisionId })).data!.node).not.toBeNull();
      await t.gql(DELETE_COMMENT, { input: { commentId: id } }, bob.token);
      expect(await editable(id, {}, bob.token)).toMatchObject({ viewerCanEdit: false, viewerCanDelete: false, revisions: { totalCount: 0, nodes: [] } });
      expect((await t.gql(REVISION_NODE, { id: revisionId })).data!.node).toBeNull();
      expectCode(await t.gql(EDIT_COMMENT, { input: { commentId: id, body: 'Back' } }, bob.token), 'NOT_FOUND', 'input.commentId');
      expectCode(await t.gql(EDIT_COMMENT, { input: { commentId: id, body: 'Back' } }, alice.token), 'NOT_FOUND', 'input.commentId');
    });

    it('is NOT_FOUND for a comment of a deleted post, FORBIDDEN for another member', async () => {
      const postId = await newThread();
      const id = await newComment(postId);
      expectCode(await t.gql(EDIT_COMMENT, { input: { commentId: id, body: 'Mine now' } }, alice.token), 'FORBIDDEN');
      await deletePost(postId);
      expectCode(await t.gql(EDIT_COMMENT, { input: { commentId: id, body: 'Too late' } }, bob.token), 'NOT_FOUND', 'input.commentId');
    });
  });

  describe('concurrency', () => {
    it('concurrent edits of one thread all land as revisions, numbered in commit order', async () => {
      const id = await newThread();
      const titles = Array.from({ length: 12 }, (_, i) => `Concurrent title ${i}`);
      const results = await Promise.all(titles.map((title) => t.gql(EDIT_THREAD, { input: { threadId: id, title } }, alice.token)));
      expect(results.flatMap(codesOf)).toEqual([]);
      const { revisions, editedAt } = await editable(id, { first: 100 });
      expect(revisions.totalCount).toBe(13);
      expect(revisions.nodes.map((revision) => revision.number)).toEqual(Array.from({ length: 13 }, (_, i) => 13 - i));
      expect(
        revisions.nodes
          .slice(0, 12)
          .map((revision) => revision.title)
          .sort(),
      ).toEqual([...titles].sort());
      // Commit order: the newest revision is the current text, and the versions' times never go backwards.
      const current = await t.gql(THREAD_TITLE, { id });
      expect(current.data!.post!.title).toBe(revisions.nodes[0].title);
      expect(editedAt).toBe(revisions.nodes[0].createdAt);
      const times = revisions.nodes.map((revision) => Date.parse(revision.createdAt));
      expect(times).toEqual([...times].sort((a, b) => b - a));
    });

    it('edits racing a deletePost: the post ends deleted, and only edits committed before the delete left revisions', async () => {
      for (let round = 0; round < 4; round++) {
        const id = await newThread({ topics: ['Race D'] });
        const edits = Array.from(
          { length: 8 },
          (_, i) => () => t.gql(EDIT_THREAD, { input: { threadId: id, title: `Racing ${round}.${i}`, topics: ['Race E'] } }, alice.token),
        );
        const remove = () => t.gql(DELETE_POST, { input: { postId: id } }, alice.token);
        const calls = [...edits.slice(0, round * 2), remove, ...edits.slice(round * 2)];
        const responses = await Promise.all(calls.map((call) => call()));
        const deleteResponse = responses[round * 2];
        expect(deleteResponse.errors).toBeUndefined();
        const editResponses = responses.filter((response) => response !== deleteResponse);
        // An edit either committed before the delete or found the post gone: nothing else.
        for (const response of editResponses) expect([[], ['NOT_FOUND']]).toContainEqual(codesOf(response));
        const landed = editResponses.filter((response) => response.errors === undefined).length;
        expect((await t.gql(THREAD_TITLE, { id })).data!.post).toBeNull();
        const stored = await t.probe.db.read((manager) =>
          manager.getRepository(Revision).find({ where: { subjectType: 'POST', subjectId: dbId(id) }, order: { number: 'ASC' } }),
        );
        expect(stored.map((revision) => revision.number)).toEqual(Array.from({ length: landed + 1 }, (_, i) => i + 1));
      }
      // The deleted posts count under no topic.
      const topics = Object.fromEntries((await t.gql(TOPIC_COUNTS, {})).data!.topics.map((topic) => [topic.slug, topic.postCount]));
      expect(topics['race-d'] ?? 0).toBe(0);
      expect(topics['race-e'] ?? 0).toBe(0);
    });

    it('concurrent topic changes of many posts keep every postCount exact', async () => {
      const ids = await Promise.all(Array.from({ length: 8 }, () => newThread({ topics: ['Race A'] })));
      const results = await Promise.all(
        ids.map((threadId, i) => t.gql(EDIT_THREAD, { input: { threadId, topics: i % 2 === 0 ? ['Race B', 'Race C'] : ['Race C', 'Race A'] } }, alice.token)),
      );
      expect(results.flatMap(codesOf)).toEqual([]);
      const topics = Object.fromEntries((await t.gql(TOPIC_COUNTS, {})).data!.topics.map((topic) => [topic.slug, topic.postCount]));
      expect(topics).toMatchObject({ 'race-a': 4, 'race-b': 4, 'race-c': 8 });
      for (const slug of ['race-a', 'race-b', 'race-c']) expect((await t.gql(BY_TOPIC, { slug })).data!.posts.totalCount).toBe(topics[slug]);
    });

    it('a vote racing the first editPoll of options: POLL_HAS_VOTES, or the vote meets the new options; never a vote on a removed option', async () => {
      const voters = await Promise.all(Array.from({ length: 6 }, () => t.signUp()));
      const outcomes = new Set<string>();
      for (let round = 0; round < 6; round++) {
        const poll = await newPoll();
        const edit = () => t.gql(EDIT_POLL, { input: { pollId: poll.id, options: ['New X', 'New Y', 'New Z'] } }, alice.token);
        const votes = voters.map((voter) => () => t.gql(CAST_VOTE, { input: { pollId: poll.id, optionIds: [poll.optionIds[round % 2]] } }, voter.token));
        // The edit goes first in some rounds and last in others, so both orders happen.
        const calls = round % 2 === 0 ? [edit, ...votes] : [...votes, edit];
        const responses = await Promise.all(calls.map((call) => call()));
        const editResponse = round % 2 === 0 ? responses[0] : responses[responses.length - 1];
        const voteResponses = round % 2 === 0 ? responses.slice(1) : responses.slice(0, -1);
        const state = (await t.gql(POLL_STATE, { id: poll.id })).data!.node!;
        const counted = state.results.options.reduce((sum, option) => sum + (option.voteCount ?? 0), 0);
        expect(counted).toBe(state.results.totalVotes);

        if (editResponse.errors === undefined) {
          outcomes.add('edited');
          // The edit committed before any vote: every vote met the new options and named a removed one.
          expect(voteResponses.map(codesOf)).toEqual(voteResponses.map(() => ['NOT_FOUND']));
          expect(state.options.map((option) => option.label)).toEqual(['New X', 'New Y', 'New Z']);
          expect(state.results).toMatchObject({ participantCount: 0, totalVotes: 0, version: 1 });
          const fresh = await t.gql(CAST_VOTE, { input: { pollId: poll.id, optionIds: [state.options[2].id] } }, voters[0].token);
          expect(fresh.errors).toBeUndefined();
        } else {
          outcomes.add('has votes');
          expect(codesOf(editResponse)).toEqual(['POLL_HAS_VOTES']);
          expect(voteResponses.flatMap(codesOf)).toEqual([]);
          expect(state.options.map((option) => option.id)).toEqual(poll.optionIds);
          expect(state.results).toMatchObject({ participantCount: voters.length, totalVotes: voters.length, version: voters.length });
          expect(state.revisions.totalCount).toBe(1);
        }
      }
      expect(outcomes.size).toBeGreaterThan(0);
    });
  });

  describe('batching', () => {
    it('reads the revisions of a page of posts and of their comments in a constant number of statements', async () => {
      const statementsFor = async (topic: string, count: number) => {
        for (let i = 0; i < count; i++) {
          const id = await newThread({ topics: [topic] });
          await t.gql(EDIT_THREAD, { input: { threadId: id, body: `Edited ${i}` } }, alice.token);
          const commentId = (await t.gql(ADD_COMMENT, { input: { postId: id, body: 'A comment' } }, bob.token)).data!.addComment.comment.id;
          await t.gql(EDIT_COMMENT, { input: { commentId, body: 'An edited comment' } }, bob.token);
        }
        t.probe.queryLog.captured = [];
        const page = await t.gql(PAGE_WITH_REVISIONS, { slug: topic }, alice.token);
        const sent = t.probe.queryLog.captured;
        t.probe.queryLog.captured = null;
        expect(page.errors).toBeUndefined();
        const posts = page.data!.posts.nodes;
        expect(posts).toHaveLength(count);
        expect(posts.every((post) => post.revisions.totalCount === 2 && post.revisions.nodes[0].editor.id === alice.id)).toBe(true);
        expect(posts.every((post) => post.comments.nodes[0].revisions.nodes.map((revision) => revision.number).join() === '2,1')).toBe(true);
        return { all: sent.length, revisions: sent.filter((sql) => /revisions/i.test(sql)).length };
      };
      const small = await statementsFor('Batch Small', 2);
      const large = await statementsFor('Batch Large', 12);
      // Pages and counts of the posts' revisions, then of the comments': one statement each, however many items.
      expect(large.revisions).toBe(small.revisions);
      expect(large.revisions).toBeLessThanOrEqual(4);
      expect(large.all).toBeLessThanOrEqual(small.all + 2);
    });
  });

  /** Deletes one of alice's posts with deletePost. */
  async function deletePost(globalId: string): Promise<void> {
    const response = await t.gql(DELETE_POST, { input: { postId: globalId } }, alice.token);
    expect(response.errors).toBeUndefined();
  }
});

// --- documents ---------------------------------------------------------------

const REVISION_FIELDS = `id number createdAt title body optionLabels editor { id byline }`;
interface RevisionFields {
  id: string;
  number: number;
  createdAt: string;
  title: string | null;
  body: string | null;
  optionLabels: string[] | null;
  editor: { id: string; byline: string };
}
interface RevisionPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  edges: Array<{ cursor: string; node: RevisionFields }>;
  nodes: RevisionFields[];
}
interface EditableFields {
  id: string;
  editedAt: string | null;
  viewerCanEdit: boolean;
  viewerCanDelete: boolean;
  revisions: RevisionPage;
}
const PAGE_FIELDS = `totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { ${REVISION_FIELDS} } } nodes { ${REVISION_FIELDS} }`;

const EDITABLE = typed<{ node: EditableFields | null }>(`
  query Editable($id: ID!, $first: Int, $after: String) {
    node(id: $id) { ... on Editable { id editedAt viewerCanEdit viewerCanDelete revisions(first: $first, after: $after) { ${PAGE_FIELDS} } } }
  }`);
const REVISION_NODE = typed<{ node: RevisionFields | null }>(`query RevisionNode($id: ID!) { node(id: $id) { ... on Revision { ${REVISION_FIELDS} } } }`);

interface ThreadFields extends EditableFields {
  title: string;
  body: string;
  topics: Array<{ slug: string; name: string; postCount: number }>;
}
const EDIT_THREAD = typed<{ editThread: { thread: ThreadFields } | null }>(`
  mutation EditThread($input: EditThreadInput!) {
    editThread(input: $input) {
      thread { id title body editedAt viewerCanEdit viewerCanDelete topics { slug name postCount } revisions { ${PAGE_FIELDS} } }
    }
  }`);

interface PollFields extends EditableFields {
  title: string;
  description: string | null;
  options: Array<{ id: string; label: string }>;
  results: { version: number; participantCount: number; totalVotes: number | null; options: Array<{ optionId: string; voteCount: number | null }> };
}
const POLL_SELECTION = `id title description editedAt viewerCanEdit viewerCanDelete options { id label }
  results { version participantCount totalVotes options { optionId voteCount } } revisions { ${PAGE_FIELDS} }`;
const EDIT_POLL = typed<{ editPoll: { poll: PollFields } | null }>(`
  mutation EditPoll($input: EditPollInput!) { editPoll(input: $input) { poll { ${POLL_SELECTION} } } }`);
const POLL_STATE = typed<{ node: PollFields | null }>(`query PollState($id: ID!) { node(id: $id) { ... on Poll { ${POLL_SELECTION} } } }`);

const EDIT_COMMENT = typed<{ editComment: { comment: EditableFields & { body: string } } | null }>(`
  mutation EditComment($input: EditCommentInput!) {
    editComment(input: $input) { comment { id body editedAt viewerCanEdit viewerCanDelete revisions { ${PAGE_FIELDS} } } }
  }`);

const THREAD_TITLE = typed<{ post: { title: string } | null }>(`query ThreadTitle($id: ID!) { post(id: $id) { title } }`);
const SEARCH = typed<{ posts: { nodes: Array<{ id: string }>; pageInfo: { endCursor: string | null } } }>(
  `query Search($search: String!) { posts(search: $search, first: 100) { nodes { id } pageInfo { endCursor } } }`,
);
const TOPIC_COUNTS = typed<{ topics: Array<{ slug: string; postCount: number }> }>(`query TopicCounts { topics { slug postCount } }`);
const BY_TOPIC = typed<{ posts: { totalCount: number; nodes: Array<{ id: string }> } }>(
  `query ByTopic($slug: String!) { posts(topicSlug: $slug, first: 100) { totalCount nodes { id } } }`,
);
const PAGE_WITH_REVISIONS = typed<{
  posts: {
    nodes: Array<{
      revisions: { totalCount: number; nodes: Array<{ number: number; editor: { id: string } }> };
      comments: { nodes: Array<{ revisions: { nodes: Array<{ number: number }> } }> };
    }>;
  };
}>(`
  query PageWithRevisions($slug: String!) {
    posts(topicSlug: $slug, first: 50) {
      nodes {
        revisions(first: 5) { totalCount nodes { number editor { id byline } } }
        comments(first: 5) { nodes { revisions { totalCount nodes { number title body } } } }
      }
    }
  }`);
