/**
 * Builds the TypeORM DataSource for the configured database. Entities and
 * migrations are passed in by the caller (src/modules/entities.ts), so this
 * file knows nothing of domains.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DataSource, DataSourceOptions, Logger as TypeOrmLogger, MixedList, EntitySchema } from 'typeorm';
import type { DatabaseConfig } from '../config';

export interface DataSourceParts {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  logger?: TypeOrmLogger;
}

export function createDataSource(database: DatabaseConfig, parts: DataSourceParts): DataSource {
  if (database.path !== ':memory:') fs.mkdirSync(path.dirname(database.path), { recursive: true });
  const options: DataSourceOptions = {
    type: 'sqlite',
    database: database.path,
    // WAL lets a backup or the sqlite3 CLI read while the server writes; the
    // busy timeout covers such outside readers. Neither helps with the one
    // shared in-process connection: that is Database's FIFO queue's job.
    enableWAL: true,
    busyTimeout: 5000,
    entities: parts.entities,
    migrations: parts.migrations,
    migrationsRun: false,
    synchronize: false,
    logging: parts.logger ? 'all' : false,
    logger: parts.logger,
  };
  return new DataSource(options);
}
