/**
 * The limits every GraphQL document must fit before anything executes, one
 * implementation for both transports: Apollo over HTTP (src/app/apollo.ts)
 * and graphql-ws over the WebSocket (src/realtime/ws-server.ts).
 *
 * A public endpoint is sent deep, wide and aliased documents; on SQLite's
 * single connection one expensive request stalls everybody. So, in order:
 * 1. the source: characters (LIMIT_CHARACTERS), then tokens (LIMIT_TOKENS,
 *    counted by graphql-js's own lexer, as parse's maxTokens counts them),
 *    before anything is parsed;
 * 2. validation rules next to graphql-js's: depth counted through fragments
 *    (LIMIT_DEPTH), aliases (LIMIT_ALIASES), directives (LIMIT_DIRECTIVES),
 *    graphql-armor's rules, and no introspection in production;
 * 3. once the operation and its variables are known, its cost (LIMIT_COST,
 *    graphql-query-complexity): every field counts 1, multiplied by the
 *    `first` (given, or its schema default) of every enclosing field that
 *    takes `first`; plain lists without `first` (options, topics,
 *    viewerChoices) count once, like GitHub's node limit.
 *
 * Every refusal is GRAPHQL_VALIDATION_FAILED, with a message and
 * extensions.limit naming the variable that sets the limit: the client must
 * change its document (or its page sizes), retrying as is never helps.
 */
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { DocumentNode, GraphQLError, GraphQLSchema, Lexer, OperationDefinitionNode, Source, TokenKind, ValidationContext, ValidationRule } from 'graphql';
import { ComplexityEstimator, getComplexity } from 'graphql-query-complexity';
import type { DocumentLimits } from '../config';
import { ClientError, ErrorCode } from './errors';

export type LimitName = 'LIMIT_DEPTH' | 'LIMIT_ALIASES' | 'LIMIT_DIRECTIVES' | 'LIMIT_TOKENS' | 'LIMIT_CHARACTERS' | 'LIMIT_COST';

/** A document over one of the limits: GRAPHQL_VALIDATION_FAILED; the message and extensions.limit name the variable. */
export class DocumentLimitError extends ClientError {
  constructor(limit: LimitName, message: string, extensions: Record<string, unknown> = {}) {
    super(message, ErrorCode.GRAPHQL_VALIDATION_FAILED, { limit, ...extensions });
  }
}

/** Characters, then tokens, of a document's text; null when it fits. Syntax errors are left to the parser. */
export function checkSource(source: string, limits: DocumentLimits): DocumentLimitError | null {
  if (source.length > limits.characters) {
    return new DocumentLimitError('LIMIT_CHARACTERS', `The document has ${source.length} characters; LIMIT_CHARACTERS allows ${limits.characters}.`);
  }
  const lexer = new Lexer(new Source(source));
  let tokens = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) {
      if (++tokens > limits.tokens)
        return new DocumentLimitError('LIMIT_TOKENS', `The document has more than ${limits.tokens} tokens; LIMIT_TOKENS allows ${limits.tokens}.`);
    }
  } catch {
    return null; // not lexically valid: parse() reports where
  }
  return null;
}

/**
 * graphql-armor reports a rejection by throwing out of validate() unless told otherwise: report it
 * as a validation error instead, reworded to name the variable (armor's text starts "Syntax Error").
 */
function reportAs(limit: LimitName) {
  return [
    (context: ValidationContext | null, error: GraphQLError) =>
      context?.reportError(new DocumentLimitError(limit, `${error.message.replace(/^Syntax Error: /, '').replace(/\.$/, '')} (${limit}).`)),
  ];
}

/**
 * No introspection (production): __schema and __type are the only ways in, refused once each
 * (graphql-js's NoSchemaIntrospectionCustomRule would report every field below them as well).
 */
const NoIntrospection: ValidationRule = (context) => ({
  Field(node) {
    if (node.name.value === '__schema' || node.name.value === '__type') {
      context.reportError(new GraphQLError(`Introspection is disabled on this server (${node.name.value}).`, { nodes: [node] }));
    }
  },
});

/** Validation rules added to graphql-js's own, over HTTP and the WebSocket alike. */
export function documentRules(limits: DocumentLimits, options: { allowIntrospection: boolean }): ValidationRule[] {
  const rejection = { propagateOnRejection: false, exposeLimits: true };
  return [
    // flattenFragments: a fragment counts as the fields it holds, not as an extra level.
    maxDepthRule({ n: limits.depth, flattenFragments: true, ...rejection, onReject: reportAs('LIMIT_DEPTH') }) as unknown as ValidationRule,
    maxAliasesRule({ n: limits.aliases, ...rejection, onReject: reportAs('LIMIT_ALIASES') }) as unknown as ValidationRule,
    maxDirectivesRule({ n: limits.directives, ...rejection, onReject: reportAs('LIMIT_DIRECTIVES') }) as unknown as ValidationRule,
    ...(options.allowIntrospection ? [] : [NoIntrospection]),
  ];
}

/**
 * 1 for the field, plus its selection; a field that takes `first` (a connection or a `first`-taking
 * list) multiplies its selection by that page size, so nested pages multiply.
 */
const pageCost: ComplexityEstimator = ({ field, args, childComplexity }) => {
  const first = field.args.find((argument) => argument.name === 'first');
  if (!first) return 1 + childComplexity;
  const given = typeof args.first === 'number' ? args.first : first.defaultValue;
  return 1 + childComplexity * Math.max(0, typeof given === 'number' ? given : 1);
};

/**
 * The cost of `operation` with its variables; a DocumentLimitError when it is over LIMIT_COST.
 * null when the variables do not fit their types: nothing can run then, and the executor's
 * variable coercion tells the client what is wrong (BAD_USER_INPUT).
 */
export function costOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  limits: DocumentLimits,
): number | null {
  let cost: number;
  try {
    cost = getComplexity({
      schema,
      query: document,
      operationName: operation.name?.value,
      variables,
      estimators: [pageCost],
      // Fragments spread many times can make a short document expand to many fields: past this, it is over.
      maxQueryNodes: Math.max(10_000, limits.cost),
    });
  } catch (error) {
    if (error instanceof GraphQLError && /maximum allowed number of nodes/.test(error.message)) {
      throw new DocumentLimitError('LIMIT_COST', `The operation expands to too many fields to count; LIMIT_COST allows ${limits.cost}.`);
    }
    if (error instanceof GraphQLError) return null;
    throw error;
  }
  if (cost > limits.cost) {
    throw new DocumentLimitError(
      'LIMIT_COST',
      `The operation may cost ${cost} (every field 1, times the \`first\` of each enclosing list); LIMIT_COST allows ${limits.cost}: ask for smaller pages of nested lists.`,
      { cost },
    );
  }
  return cost;
}
