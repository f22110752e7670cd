/**
 * Document limits (LIMIT_DEPTH, LIMIT_ALIASES, LIMIT_DIRECTIVES, LIMIT_TOKENS,
 * LIMIT_CHARACTERS, LIMIT_COST) over HTTP and over the WebSocket alike: a
 * document just at a limit runs, one past it is refused before anything
 * executes with GRAPHQL_VALIDATION_FAILED, extensions.limit and a message
 * naming the variable. The README's documents and the thread page fit.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  buildSchema,
  DocumentNode,
  GraphQLInputType,
  GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  Kind,
  parse,
  specifiedRules,
  typeFromAST,
  validate,
} from 'graphql';
import { loadConfig } from '../src/config';
import { checkSource, costOf, documentRules } from '../src/graphql/document-limits';
import { Frame, RawSocket, rawSocket } from './helpers/live';
import { codesOf, GraphQLResponse, startTestServer, TestServer } from './helpers/server';

type Limit = 'LIMIT_DEPTH' | 'LIMIT_ALIASES' | 'LIMIT_DIRECTIVES' | 'LIMIT_TOKENS' | 'LIMIT_CHARACTERS' | 'LIMIT_COST';

/** `k` nested Comment.parent levels around an id. */
const parents = (k: number) => `${'parent { '.repeat(k)}id${' }'.repeat(k)}`;
const aliases = (n: number, field: string) => Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ');
/**
 * `{`, `}` and `n - 2` tokens of selections (`aN: __typename` is 3 tokens; an aliased __typename is
 * not counted by LIMIT_ALIASES, and distinct names spare graphql-js's field-merging check).
 */
const typenames = (n: number) => {
  const aliased = Math.floor((n - 2) / 3);
  return `${Array.from({ length: aliased }, (_, i) => `t${i}: __typename`).join(' ')} ${'__typename '.repeat(n - 2 - 3 * aliased)}`;
};
/** Pads `document` with a comment to exactly `length` characters. */
const padTo = (document: string, length: number) => `${document}\n#${'x'.repeat(length - document.length - 2)}`;

// HTTP documents, each with its size as the argument.
const HTTP = {
  depth: (depth: number) => `query ($id: ID!) { post(id: $id) { comments(first: 1) { nodes { ${parents(depth - 4)} } } } }`,
  aliases: (n: number) => `{ ${aliases(n, 'topics { slug }')} }`,
  directives: (n: number) => `{ ${'__typename @include(if: true) '.repeat(n)}}`,
  tokens: (n: number) => `{ ${typenames(n)} }`,
  characters: (n: number) => padTo('{ __typename }', n),
};
/** replies(first: $c) under 100 posts x 11 comments: cost 2401 + 2200 c. */
const COSTLY = `query ($c: Int) { posts(first: 100) { nodes { comments(first: 11) { nodes { replies(first: $c) { nodes { id } } } } } } }`;

// WebSocket documents: the same limits on subscriptions.
const STATS = (selection: string) => `subscription ($id: ID!) { postStatsUpdated(postId: $id) { ${selection} } }`;
const WS = {
  depth: (depth: number) => `subscription ($id: ID!) { commentAdded(postId: $id) { node { ${parents(depth - 3)} } } }`,
  aliases: (n: number) => STATS(aliases(n, 'viewCount')),
  directives: (n: number) => STATS('viewCount @include(if: true) '.repeat(n)),
  // 19 tokens around the selection, which has 2 of its own braces already.
  tokens: (n: number) => STATS(typenames(n - 19 + 2)),
  characters: (n: number) => padTo(STATS('viewCount'), n),
};
/** Three levels of replies under one new comment: cost 20203 + 20000 c. */
const WS_COSTLY = `subscription ($id: ID!, $c: Int) { commentAdded(postId: $id) { node {
  replies(first: 100) { nodes { replies(first: 100) { nodes { replies(first: $c) { nodes { id } } } } } } } } }`;

function refusedFor(response: Pick<GraphQLResponse, 'errors' | 'data'>, limit: Limit): void {
  expect(response.errors).toHaveLength(1);
  expect(response.errors![0].extensions).toEqual(expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED', limit }));
  expect(response.errors![0].message).toContain(limit);
  expect(response.data).toBeUndefined();
}

describe('document limits', () => {
  let t: TestServer;
  let member: { token: string; id: string };
  let threadId: string;
  const sockets: RawSocket[] = [];

  beforeAll(async () => {
    t = await startTestServer();
    member = await t.signUp();
    const created = await t.gql(`mutation { createThread(input: { title: "Limits", body: "B" }) { thread { id } } }`, {}, member.token);
    threadId = created.data.createThread.thread.id;
    await t.gql(`mutation ($i: AddCommentInput!) { addComment(input: $i) { comment { id } } }`, { i: { postId: threadId, body: 'first' } }, member.token);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.socket.terminate();
    await t.stop();
  });

  describe('over HTTP', () => {
    const cases: Array<[string, Limit, (size: number) => string, number]> = [
      ['depth, counted from the root field to the leaf', 'LIMIT_DEPTH', HTTP.depth, 10],
      ['aliases', 'LIMIT_ALIASES', HTTP.aliases, 15],
      ['directives', 'LIMIT_DIRECTIVES', HTTP.directives, 50],
      ['tokens', 'LIMIT_TOKENS', HTTP.tokens, 1000],
      ['characters', 'LIMIT_CHARACTERS', HTTP.characters, 15000],
    ];
    it.each(cases)('%s: accepted at the limit, refused one past it (%s)', async (_name, limit, document, max) => {
      const accepted = await t.gql(document(max), { id: threadId });
      expect(accepted.status).toBe(200);
      expect(accepted.errors).toBeUndefined();
      const refused = await t.gql(document(max + 1), { id: threadId });
      expect(refused.status).toBe(400);
      refusedFor(refused, limit);
    });

    it('counts depth through fragments, like the same fields written inline', async () => {
      const viaFragments = (k: number) =>
        `query ($id: ID!) { post(id: $id) { ...P } } fragment P on Post { comments(first: 1) { nodes { ...C } } } fragment C on Comment { ${parents(k)} }`;
      expect((await t.gql(viaFragments(6), { id: threadId })).errors).toBeUndefined();
      refusedFor(await t.gql(viaFragments(7), { id: threadId }), 'LIMIT_DEPTH');
    });

    it('a 13-level Comment.parent chain does not execute', async () => {
      refusedFor(await t.gql(HTTP.depth(13), { id: threadId }), 'LIMIT_DEPTH');
    });

    it('cost: nested pages multiply; accepted just under LIMIT_COST (reporting its cost), refused just over', async () => {
      const accepted = await t.gql(COSTLY, { c: 21 });
      expect(accepted.errors).toBeUndefined();
      expect(accepted.extensions?.cost).toBe(48601);
      const refused = await t.gql(COSTLY, { c: 22 });
      expect(refused.status).toBe(400);
      refusedFor(refused, 'LIMIT_COST');
      expect(refused.errors![0].extensions!.cost).toBe(50801);
    });

    it('cost without variables: the same on every request of the same document, and one over LIMIT_COST refused every time', async () => {
      const inline = (c: number) => COSTLY.replace('query ($c: Int)', 'query').replace('$c', String(c));
      for (let round = 0; round < 3; round++) {
        const accepted = await t.gql(inline(21));
        expect(accepted.errors).toBeUndefined();
        expect(accepted.extensions?.cost).toBe(48601);
        const refused = await t.gql(inline(22));
        expect(refused.status).toBe(400);
        refusedFor(refused, 'LIMIT_COST');
        expect(refused.errors![0].extensions!.cost).toBe(50801);
      }
    });

    it('refuses 3,000 aliases of topics before touching the database', async () => {
      const response = await t.gql(`{ ${aliases(3000, 'topics { name }')} }`);
      expect(response.status).toBe(400);
      expect(codesOf(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(response.data).toBeUndefined();
    });
  });

  describe('over the WebSocket', () => {
    async function socket(): Promise<RawSocket> {
      const raw = await rawSocket(t);
      sockets.push(raw);
      raw.send({ type: 'connection_init', payload: {} });
      await raw.frame((frame) => frame.type === 'connection_ack');
      return raw;
    }

    /**
     * Subscribes `id`, then a snapshot subscription after it: the server handles one socket's
     * subscribes in order, so once the snapshot's first message is in, `id` was answered if refused.
     */
    async function subscribe(raw: RawSocket, id: string, query: string, variables: Record<string, unknown>): Promise<Frame[]> {
      raw.send({ id, type: 'subscribe', payload: { query, variables } });
      raw.send({ id: `${id}-after`, type: 'subscribe', payload: { query: STATS('viewCount'), variables: { id: threadId } } });
      await raw.frame((frame) => frame.id === `${id}-after` && frame.type === 'next');
      return raw.frames.filter((frame) => frame.id === id);
    }

    const cases: Array<[string, Limit, (size: number) => string, number]> = [
      ['depth', 'LIMIT_DEPTH', WS.depth, 10],
      ['aliases', 'LIMIT_ALIASES', WS.aliases, 15],
      ['directives', 'LIMIT_DIRECTIVES', WS.directives, 50],
      ['tokens', 'LIMIT_TOKENS', WS.tokens, 1000],
      ['characters', 'LIMIT_CHARACTERS', WS.characters, 15000],
    ];
    it.each(cases)('%s: accepted at the limit, refused one past it with an error for that operation only (%s)', async (name, limit, document, max) => {
      const raw = await socket();
      const accepted = await subscribe(raw, `${name}-ok`, document(max), { id: threadId });
      // Snapshot subscriptions answer at once; commentAdded (depth) waits for a comment: no error is the proof.
      expect(accepted.filter((frame) => frame.type === 'error')).toEqual([]);
      const refused = await subscribe(raw, `${name}-over`, document(max + 1), { id: threadId });
      expect(refused).toHaveLength(1);
      expect(refused[0].type).toBe('error');
      refusedFor({ errors: refused[0].payload }, limit);
      expect(raw.socket.readyState).toBe(raw.socket.OPEN);
    });

    it('cost: accepted under LIMIT_COST and live, refused over it', async () => {
      const raw = await socket();
      expect(await subscribe(raw, 'cost-ok', WS_COSTLY, { id: threadId, c: 1 })).toEqual([]);
      const refused = await subscribe(raw, 'cost-over', WS_COSTLY, { id: threadId, c: 2 });
      expect(refused[0].type).toBe('error');
      refusedFor({ errors: refused[0].payload }, 'LIMIT_COST');
      // The accepted one is live: a new comment reaches it.
      await t.gql(`mutation ($i: AddCommentInput!) { addComment(input: $i) { comment { id } } }`, { i: { postId: threadId, body: 'live' } }, member.token);
      const next = await raw.frame((frame) => frame.id === 'cost-ok' && frame.type === 'next');
      expect(next.payload.errors).toBeUndefined();
      expect(next.payload.data.commentAdded.node.replies.nodes).toEqual([]);
    });
  });

  describe("the README's documents", () => {
    const schema = buildSchema(fs.readFileSync(path.join(__dirname, '..', 'schema', 'schema.graphql'), 'utf8'));
    const limits = loadConfig({}).limits;
    const rules = [...specifiedRules, ...documentRules(limits, { allowIntrospection: false })];

    // Checked with the committed schema and the very functions both transports use, at the defaults.
    it('all fit every limit (a sample value for each variable)', () => {
      const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
      const blocks = [
        ...[...readme.matchAll(/```graphql\n([\s\S]*?)```/g), ...readme.matchAll(/query: `(subscription[\s\S]*?)`/g)].map((match) => match[1]),
        // The documents of the curl examples in "Using the API" and "Live API" (the query string of their JSON bodies);
        // "Security and operations" shows documents that are refused on purpose.
        ...[...readme.slice(0, readme.indexOf('\n## Security and operations')).matchAll(/"query":\s*"((?:[^"\\]|\\.)*)"/g)].map(
          (match) => JSON.parse(`"${match[1]}"`) as string,
        ),
      ];
      expect(blocks.length).toBeGreaterThanOrEqual(20);
      let operations = 0;
      for (const block of blocks) {
        expect(checkSource(block, limits)).toBeNull();
        for (const definition of parse(block).definitions) {
          if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
          operations += 1;
          const document: DocumentNode = { kind: Kind.DOCUMENT, definitions: [definition] };
          expect(validate(schema, document, rules)).toEqual([]);
          const variables = Object.fromEntries(
            (definition.variableDefinitions ?? []).map((variable) => [
              variable.variable.name.value,
              sampleValue(schema, typeFromAST(schema, variable.type) as GraphQLInputType),
            ]),
          );
          const cost = costOf(schema, document, definition, variables, limits);
          expect(cost).toBeGreaterThan(0);
          expect(cost).toBeLessThanOrEqual(limits.cost);
        }
      }
      expect(operations).toBeGreaterThanOrEqual(12);
    });
  });
});

/** A value of `type` for the cost check: ids and strings an id, numbers 1, enums their first value, input objects their required fields. */
function sampleValue(schema: GraphQLSchema, type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sampleValue(schema, type.ofType);
  if (isListType(type)) return [sampleValue(schema, type.ofType)];
  if (isEnumType(type)) return type.getValues()[0].value;
  if (isInputObjectType(type)) {
    const required = Object.values(type.getFields()).filter((field) => isNonNullType(field.type) && field.defaultValue === undefined);
    return Object.fromEntries(required.map((field) => [field.name, sampleValue(schema, field.type)]));
  }
  if (type.name === 'Int' || type.name === 'Float') return 1;
  if (type.name === 'Boolean') return true;
  if (type.name === 'DateTime') return new Date(Date.now() + 3_600_000).toISOString();
  return 'VGhyZWFkOjE';
}
