/**
 * The token check of every request: which member a session token's hash belongs to, read from
 * the database each time (a session ended on any instance is refused at once, and the member
 * comes with the role and profile as they are now).
 *
 * Requests that arrive together share one statement: the lookups asked for during one turn of
 * the event loop are answered by one `token_hash IN (...)` read, issued in the check phase right
 * after the turn that received them. Each request is still answered by a read that started after
 * it arrived, so it sees every commit before it (a logOut, a role set from the command line). Why:
 * under load every request paid its own trip through the database driver (a thread-pool hop and
 * a wake-up, expensive on this kind of virtual machine) for a one-row read; batching turns 50
 * concurrent trips into a few.
 */
import type { DataSource, EntityManager, EntityMetadata } from 'typeorm';
import type { Database } from '../../db/database';
import type { DomainEvent } from '../events';
import { AuthToken } from './auth-token.entity';
import { Member } from './member.entity';

/** Properties of Member that only sign-in and password checks read: every other read leaves them out. */
export const CREDENTIALS: ReadonlySet<string> = new Set<keyof Member>(['email', 'passwordHash']);

/**
 * Batch sizes: a batch is padded to the next of these (repeating a hash it already asks for), so
 * the statement texts stay few and each is prepared once per connection.
 */
const BATCH_SIZES = [1, 2, 4, 8, 16, 32, 64] as const;
const MAX_BATCH = BATCH_SIZES[BATCH_SIZES.length - 1];

/** The lookup statement for one batch size, and how a row of it becomes a Member. */
interface LookupStatement {
  sql: string;
  hydrate(row: Record<string, unknown>): Member;
}

const TOKEN_HASH_ALIAS = 'session_token_hash';
const statements = new WeakMap<DataSource, Map<number, LookupStatement>>();

/**
 * Built once per data source and size rather than by the query builder on every request (that
 * building, and the entity transformer after it, were a tenth of the CPU of a signed-in
 * `{ __typename }`). The session joined with its member: every column of the member but its
 * credentials (from the entity's metadata, so a column added later is read too), each read back
 * through the column's own conversion (timestamps) as TypeORM hydrates it.
 */
function lookupStatement(manager: EntityManager, size: number): LookupStatement {
  let bySize = statements.get(manager.connection);
  if (!bySize) statements.set(manager.connection, (bySize = new Map()));
  const known = bySize.get(size);
  if (known) return known;
  const { driver } = manager.connection;
  const members = manager.connection.getMetadata(Member);
  const sessions = manager.connection.getMetadata(AuthToken);
  const column = (metadata: EntityMetadata, property: string) => driver.escape(metadata.findColumnWithPropertyName(property)?.databaseName ?? property);
  const columns = members.columns.filter((each) => !CREDENTIALS.has(each.propertyName));
  const parameters = Array.from({ length: size }, (_, index) => driver.createParameter(`tokenHash${index}`, index));
  const sql =
    `SELECT s.${column(sessions, 'tokenHash')} AS ${driver.escape(TOKEN_HASH_ALIAS)}, ` +
    columns.map((each) => `m.${driver.escape(each.databaseName)} AS ${driver.escape(each.databaseName)}`).join(', ') +
    ` FROM ${driver.escape(members.tableName)} m INNER JOIN ${driver.escape(sessions.tableName)} s ON s.${column(sessions, 'memberId')} = m.${column(members, 'id')}` +
    ` WHERE s.${column(sessions, 'tokenHash')} IN (${parameters.join(', ')})` +
    // A former member is never the viewer (deleteAccount removes the tokens too; this holds whatever raced it).
    ` AND m.${column(members, 'deletedAt')} IS NULL`;
  const statement: LookupStatement = {
    sql,
    hydrate: (row) => {
      const member = members.create(undefined, { fromDeserializer: true }) as Member;
      for (const each of columns) each.setEntityValue(member, driver.prepareHydratedValue(row[each.databaseName], each));
      return member;
    },
  };
  bySize.set(size, statement);
  return statement;
}

interface PendingLookup {
  tokenHash: string;
  resolve(member: Member | null): void;
  reject(error: unknown): void;
}

export class SessionLookups {
  private pending: PendingLookup[] = [];
  private flushScheduled = false;

  constructor(private readonly db: Database<DomainEvent>) {}

  /** The member whose session `tokenHash` is, as stored now; null for an unknown or revoked token. */
  memberOf(tokenHash: string): Promise<Member | null> {
    return new Promise((resolve, reject) => {
      this.pending.push({ tokenHash, resolve, reject });
      if (this.flushScheduled) return;
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    const byHash = new Map<string, PendingLookup[]>();
    for (const lookup of batch) byHash.set(lookup.tokenHash, [...(byHash.get(lookup.tokenHash) ?? []), lookup]);
    const hashes = [...byHash.keys()];
    for (let start = 0; start < hashes.length; start += MAX_BATCH) void this.lookUp(hashes.slice(start, start + MAX_BATCH), byHash);
  }

  private async lookUp(hashes: string[], waiting: Map<string, PendingLookup[]>): Promise<void> {
    try {
      const size = BATCH_SIZES.find((each) => each >= hashes.length) ?? MAX_BATCH;
      const parameters = [...hashes, ...Array<string>(size - hashes.length).fill(hashes[0])];
      const rows = await this.db.read(async (manager) => {
        const statement = lookupStatement(manager, size);
        const found: Array<Record<string, unknown>> = await manager.query(statement.sql, parameters);
        return { found, statement };
      });
      const rowByHash = new Map(rows.found.map((row) => [String(row[TOKEN_HASH_ALIAS]), row]));
      for (const hash of hashes) {
        const row = rowByHash.get(hash);
        // Each request gets a Member of its own: nothing one request does to it reaches another.
        for (const lookup of waiting.get(hash) ?? []) lookup.resolve(row ? rows.statement.hydrate(row) : null);
      }
    } catch (error) {
      for (const hash of hashes) for (const lookup of waiting.get(hash) ?? []) lookup.reject(error);
    }
  }
}
