import { Column, DataSource, Entity, PrimaryColumn, QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { timestampColumn } from './columns';
import { insertIgnoringDuplicate, isDatabaseUnavailable } from './dialect';

/** A TypeORM QueryFailedError around a driver error, as the query runners throw them. */
function queryFailed(driverError: Error & { code?: string }): QueryFailedError {
  return new QueryFailedError('SELECT 1', [], driverError);
}

const withCode = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});

describe('isDatabaseUnavailable: every way the database cannot serve is SERVICE_UNAVAILABLE', () => {
  it.each([
    ['a released query runner (its PostgreSQL connection emitted an error mid-request)', new QueryRunnerAlreadyReleasedError()],
    ['a raw query on a released query runner (EntityManager.query)', new QueryRunnerProviderAlreadyReleasedError()],
    ['administrator shutdown (57P01)', queryFailed(withCode('terminating connection due to administrator command', '57P01'))],
    ['crash shutdown (57P02)', queryFailed(withCode('terminating connection due to crash of another server process', '57P02'))],
    ['the database is starting or shutting down (57P03)', queryFailed(withCode('the database system is shutting down', '57P03'))],
    ['too many connections (53300)', queryFailed(withCode('sorry, too many clients already', '53300'))],
    ['a connection exception (class 08)', queryFailed(withCode('connection failure', '08006'))],
    ['connection reset', queryFailed(withCode('read ECONNRESET', 'ECONNRESET'))],
    ['connection refused', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a connection terminated mid-query', queryFailed(new Error('Connection terminated unexpectedly'))],
    ['a client already closed', queryFailed(new Error('Client was closed and is not queryable'))],
    ['no pool connection within the connect timeout', new Error('timeout exceeded when trying to connect')],
    ['SQLite busy', queryFailed(withCode('SQLITE_BUSY: database is locked', 'SQLITE_BUSY'))],
    ['SQLite disk full', queryFailed(withCode('SQLITE_FULL: database or disk is full', 'SQLITE_FULL'))],
    ['SQLite I/O error', queryFailed(withCode('SQLITE_IOERR: disk I/O error', 'SQLITE_IOERR'))],
  ])('%s', (_case, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', queryFailed(withCode('duplicate key value violates unique constraint', '23505'))],
    ['a syntax error', queryFailed(withCode('syntax error at or near "SELEC"', '42601'))],
    ['a SQLite constraint', queryFailed(withCode('SQLITE_CONSTRAINT: UNIQUE constraint failed', 'SQLITE_CONSTRAINT'))],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
  ])('not %s', (_case, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

@Entity('spec_marks')
class Mark {
  @PrimaryColumn({ name: 'owner_id', type: 'integer' })
  ownerId: number;

  @PrimaryColumn({ name: 'target_key', type: 'varchar', length: 16 })
  targetKey: string;

  @Column(timestampColumn('marked_at'))
  markedAt: Date;
}

describe('insertIgnoringDuplicate: entity properties in, the mapped columns out', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await new DataSource({ type: 'sqlite', database: ':memory:', entities: [Mark], synchronize: true }).initialize();
  });

  afterAll(() => dataSource.destroy());

  it('inserts once, reports whether it did, and converts values as the entity says', async () => {
    const markedAt = new Date(1_700_000_000_123);
    const first = await dataSource.transaction((manager) => insertIgnoringDuplicate(manager, Mark, { ownerId: 1, targetKey: 'a', markedAt }));
    const again = await dataSource.transaction((manager) => insertIgnoringDuplicate(manager, Mark, { ownerId: 1, targetKey: 'a', markedAt }));
    expect([first, again]).toEqual([true, false]);
    expect(await dataSource.query('SELECT owner_id, target_key, marked_at FROM spec_marks')).toEqual([
      { owner_id: 1, target_key: 'a', marked_at: 1_700_000_000_123 },
    ]);
  });

  it('refuses a property that is no column, before sending anything', async () => {
    const row = { ownerId: 2, targetKey: 'b', markedAt: new Date(), nickname: 'x' } as Partial<Mark>;
    await expect(dataSource.transaction((manager) => insertIgnoringDuplicate(manager, Mark, row))).rejects.toThrow(
      'Mark has no column for the property nickname',
    );
  });
});
