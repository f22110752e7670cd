/**
 * What HTTP checks before executing, for one `subscribe` message, with the same document limits
 * (characters and tokens, then depth, aliases, directives and introspection as validation rules,
 * then the cost): a document that parses and validates, a subscription (queries and mutations
 * belong to HTTP), variables of the right types (BAD_USER_INPUT). "Did you mean" hints are
 * dropped in production by formatError, as over HTTP.
 *
 * Cached, because thousands of clients subscribe with the same few documents: the source checks,
 * parse and validation once per document text, the cost once per document and variables. The
 * cached DocumentNode is shared by every subscription of that text (an AST per subscriber was a
 * third of its memory). Only the variables' coercion runs for every subscribe (it is cheap, and
 * its result is not kept). Both caches are bounded (least recently used out) and keep only documents
 * within the size limits that passed, so a client sending endless distinct documents costs bounded memory.
 */
import { DocumentNode, getOperationAST, getVariableValues, GraphQLError, GraphQLSchema, parse, validate, ValidationRule } from 'graphql';
import type { DocumentLimits } from '../config';
import { checkSource, costOf } from '../graphql/document-limits';
import { BadRequestError, ErrorCode } from '../graphql/errors';
import type { LiveOperation } from './cohort-payloads';

/** How many document texts, and document + variables pairs, the checks remember. */
const CACHED_DOCUMENTS = 500;
/**
 * Longest operation key (text + variables) the cost cache keeps: with the character limit on
 * documents (15,000 by default) both caches hold a few MB at most; a subscribe with huge variables
 * is checked every time instead of pinning them.
 */
const CACHED_KEY_CHARACTERS = 20_000;

export interface SubscribePayload {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

/**
 * A subscribe that passed every check: what its subscription executes (the shared document; `key`,
 * the same for everyone subscribing with the same text, operation and variables, makes the live
 * API's cohorts), and the document text and variables as first received. One object for all the
 * subscribers of a key (while cached), so that none keeps copies of its own.
 */
export interface CheckedOperation extends LiveOperation {
  query: string;
  variableValues: Record<string, unknown>;
}

const coded = (error: GraphQLError, code: string) =>
  new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { ...error.extensions, code } });

/** A Map that forgets its least recently used entry beyond `capacity`. */
class BoundedCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  /** The cached value of `key`, or `compute()`'s, remembered only when `keep` says so. */
  get(key: string, compute: () => V, keep: (value: V) => boolean = () => true): V {
    const found = this.entries.get(key);
    if (found !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, found);
      return found;
    }
    const value = compute();
    if (!keep(value)) return value;
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    return value;
  }
}

export class OperationChecks {
  /** Per document text: its parsed, validated document, or the errors refusing it. */
  private readonly documents = new BoundedCache<{ document: DocumentNode } | { errors: readonly GraphQLError[] }>(CACHED_DOCUMENTS);
  /** Per operation key: the cost check's refusal, or the checked operation (one object shared by its subscribers). */
  private readonly costs = new BoundedCache<{ error: GraphQLError } | { checked: CheckedOperation }>(CACHED_DOCUMENTS);

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly limits: DocumentLimits,
    private readonly validationRules: readonly ValidationRule[],
  ) {}

  check(payload: SubscribePayload): CheckedOperation | { errors: readonly GraphQLError[] } {
    // A refused document (oversized, unparsable, invalid) is never kept: the caches hold only
    // documents within the limits that passed (bounded memory whatever a client sends).
    const parsed = this.documents.get(
      payload.query,
      () => this.parseAndValidate(payload.query),
      (result) => !('errors' in result),
    );
    if ('errors' in parsed) return parsed;
    const { document } = parsed;
    const operation = getOperationAST(document, payload.operationName);
    if (!operation) return { errors: [new BadRequestError('Unable to identify the operation to run.')] };
    if (operation.operation !== 'subscription') {
      return { errors: [new BadRequestError('Only subscriptions are served over WebSocket; send queries and mutations as HTTP POST to /graphql.')] };
    }
    // Variables that do not fit their types are the client's input error (BAD_USER_INPUT, as Apollo
    // answers over HTTP); left to subscribe() they would come back uncoded and be masked as internal.
    const variables = payload.variables ?? {};
    const coerced = getVariableValues(this.schema, operation.variableDefinitions ?? [], variables, { maxErrors: 50 });
    if (coerced.errors) return { errors: coerced.errors.map((error) => coded(error, ErrorCode.BAD_USER_INPUT)) };
    const operationName = payload.operationName ?? null;
    const operationKey = JSON.stringify([operationName, variables, payload.query]);
    const cost = this.costs.get(
      operationKey,
      () => {
        try {
          costOf(this.schema, document, operation, variables, this.limits);
        } catch (error) {
          return { error: error as GraphQLError };
        }
        const checked = { schema: this.schema, document, operationName, variableValues: variables, key: operationKey, query: payload.query };
        return { checked };
      },
      () => operationKey.length <= CACHED_KEY_CHARACTERS,
    );
    if ('error' in cost) return { errors: [cost.error] };
    return cost.checked;
  }

  private parseAndValidate(query: string): { document: DocumentNode } | { errors: readonly GraphQLError[] } {
    const oversized = checkSource(query, this.limits);
    if (oversized) return { errors: [oversized] };
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (error) {
      return { errors: [coded(error as GraphQLError, 'GRAPHQL_PARSE_FAILED')] };
    }
    const invalid = validate(this.schema, document, this.validationRules);
    if (invalid.length > 0) return { errors: invalid.map((error) => coded(error, 'GRAPHQL_VALIDATION_FAILED')) };
    return { document };
  }
}
