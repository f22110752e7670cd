/**
 * Builds the TypeORM DataSource for the configured database. Entities and
 * migrations are passed in by the caller (src/modules/entities.ts), so this
 * file knows nothing of domains. Migrations are kept per dialect.
 */
import fs from 'node:fs';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { DataSource, DataSourceOptions, EntitySchema, Logger as TypeOrmLogger, MixedList } from 'typeorm';
import type { DatabaseConfig } from '../config';
import { bindNumericParameters } from './sqlite-parameters';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Classes = MixedList<Function | string | EntitySchema>;

export interface DataSourceParts {
  entities: Classes;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: { sqlite: MixedList<Function | string>; postgres: MixedList<Function | string> };
  logger?: TypeOrmLogger;
}

/**
 * How long a request waits for a PostgreSQL connection before SERVICE_UNAVAILABLE: to connect,
 * and (the same pg-pool setting) for a free connection of the pool. A refused or reset connection
 * fails at once; this bounds a server that does not answer, and a burst: 300 votes at once on one
 * poll serialize on its row lock, and at 3 s the last ones in the pool's queue were shed on a
 * lightly loaded 2-core machine.
 */
export const CONNECT_TIMEOUT_MS = 10_000;
/** Longest a single SQL statement may run on PostgreSQL. */
export const STATEMENT_TIMEOUT_MS = 15_000;

/**
 * The sqlite3 module as TypeORM's SQLite driver gets it: TypeORM calls `verbose()` on the module it
 * loads, which wraps every statement method of sqlite3 to capture a stack trace and `util.inspect`
 * its arguments on each call (long stack traces for errors): measured at about 14% of the thread
 * page's throughput. Errors keep their own message, code and TypeORM's query; only sqlite3's extra
 * trace is left out. The module itself is untouched, so nothing else in the process is affected.
 */
export const QUIET_SQLITE3: typeof sqlite3 = Object.create(sqlite3, {
  verbose: {
    value(this: typeof sqlite3) {
      return this;
    },
  },
});

export function createDataSource(database: DatabaseConfig, parts: DataSourceParts): DataSource {
  const common = {
    entities: parts.entities,
    migrationsRun: false,
    synchronize: false,
    logging: parts.logger ? ('all' as const) : false,
    logger: parts.logger,
  };
  if (database.type === 'postgres') {
    const options: DataSourceOptions = {
      ...common,
      type: 'postgres',
      url: database.url,
      poolSize: database.poolSize,
      migrations: parts.migrations.postgres,
      // Fail fast when the database is unreachable instead of queueing requests forever;
      // the pool reconnects by itself when it comes back.
      connectTimeoutMS: CONNECT_TIMEOUT_MS,
      // A database that stops answering (network black hole) must not hang requests either:
      // statements give up after STATEMENT_TIMEOUT_MS and TCP keep-alive notices dead peers.
      extra: {
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        idleTimeoutMillis: 30_000,
        statement_timeout: STATEMENT_TIMEOUT_MS,
        query_timeout: STATEMENT_TIMEOUT_MS + 2000,
        keepAlive: true,
      },
    };
    return new DataSource(options);
  }
  if (database.path !== ':memory:') fs.mkdirSync(path.dirname(database.path), { recursive: true });
  const options: DataSourceOptions = {
    ...common,
    type: 'sqlite',
    database: database.path,
    migrations: parts.migrations.sqlite,
    driver: QUIET_SQLITE3,
    // WAL lets a backup or the sqlite3 CLI read while the server writes; the
    // busy timeout covers such outside readers. Neither helps with the one
    // shared in-process connection: that is Database's FIFO queue's job.
    enableWAL: true,
    busyTimeout: 5000,
  };
  const source = new DataSource(options);
  bindNumericParameters(source);
  return source;
}
