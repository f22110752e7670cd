import { createDataSource } from '../src/db/data-source';
import { MIGRATIONS } from '../src/db/migrations';
import { SQLITE_MIGRATIONS } from '../src/db/migrations/sqlite';
import { ENTITIES } from '../src/modules/entities';

describe('SQLite migrations', () => {
  it('produce exactly the schema the entities describe (nothing left for synchronize to do)', async () => {
    const dataSource = createDataSource({ type: 'sqlite', path: ':memory:' }, { entities: ENTITIES, migrations: MIGRATIONS });
    await dataSource.initialize();
    try {
      expect((await dataSource.runMigrations()).length).toBe(SQLITE_MIGRATIONS.length);
      const pending = await dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((query) => query.query)).toEqual([]);
      // And they can be undone, newest first.
      for (let i = 0; i < SQLITE_MIGRATIONS.length; i++) await dataSource.undoLastMigration();
      const tables = await dataSource.query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('migrations', 'sqlite_sequence')`);
      expect(tables).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});
