/**
 * The DataSource for the TypeORM CLI, e.g.
 *   npx typeorm -d dist/ormconfig.js migration:show
 * It reads DATABASE_URL like the server does.
 */
import 'reflect-metadata';
import { loadConfig } from './src/config';
import { createDataSource } from './src/db/data-source';
import { MIGRATIONS } from './src/db/migrations';
import { ENTITIES } from './src/modules/entities';

export const dataSource = createDataSource(loadConfig().database, { entities: ENTITIES, migrations: MIGRATIONS });
