import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../src/config';
import { createDataSource } from '../src/db/data-source';
import { MIGRATIONS } from '../src/db/migrations';
import { POSTGRES_MIGRATIONS } from '../src/db/migrations/postgres';
import { SQLITE_MIGRATIONS } from '../src/db/migrations/sqlite';
import { ENTITIES } from '../src/modules/entities';
import { SCALE_DATABASE_URL, describeWithScaleServers } from './helpers/scale';
import { adminQuery } from './helpers/server';

/**
 * Migrates a database as an older release left it (every migration before the authoring one) with
 * a poll and a comment in it, then runs the authoring migration and those after it; returns the migrated data source.
 */
async function migrateWithContentBeforeAuthoring(database: DatabaseConfig): Promise<DataSource> {
  const dialect = database.type;
  const authoring = MIGRATIONS[dialect].findIndex((migration) => migration.name.startsWith('Authoring'));
  const before = createDataSource(database, { entities: [], migrations: { ...MIGRATIONS, [dialect]: MIGRATIONS[dialect].slice(0, authoring) } });
  await before.initialize();
  try {
    await before.runMigrations();
    await addOldContent(before);
  } finally {
    await before.destroy();
  }
  const dataSource = createDataSource(database, { entities: ENTITIES, migrations: MIGRATIONS });
  await dataSource.initialize();
  expect((await dataSource.runMigrations()).length).toBe(MIGRATIONS[dialect].length - authoring);
  return dataSource;
}

async function addOldContent(dataSource: DataSource): Promise<void> {
  await dataSource.query(`INSERT INTO members (email, title, company_size, joined_at) VALUES ('a@example.com', 'CIO', 'EMPLOYEES_11_TO_50', 1)`);
  await dataSource.query(
    `INSERT INTO posts (kind, title, description, author_id, created_at, results_updated_at) VALUES ('POLL', 'Which cloud?', NULL, 1, 1000, 1000)`,
  );
  await dataSource.query(`INSERT INTO poll_options (poll_id, label, position) VALUES (1, 'Beta', 1), (1, 'Alpha', 0)`);
  await dataSource.query(`INSERT INTO comments (post_id, author_id, body, seq, created_at) VALUES (1, 1, 'First!', 1, 2000)`);
}

async function expectFirstVersionsBackfilled(dataSource: DataSource): Promise<void> {
  const rows = await dataSource.query(
    `SELECT subject_type, subject_id, number, editor_id, title, body, option_labels FROM revisions ORDER BY subject_type DESC`,
  );
  expect(
    rows.map((row: Record<string, unknown>) => ({ ...row, option_labels: row.option_labels === null ? null : JSON.parse(String(row.option_labels)) })),
  ).toEqual([
    { subject_type: 'POST', subject_id: 1, number: 1, editor_id: 1, title: 'Which cloud?', body: null, option_labels: ['Alpha', 'Beta'] },
    { subject_type: 'COMMENT', subject_id: 1, number: 1, editor_id: 1, title: null, body: 'First!', option_labels: null },
  ]);
}

describe('SQLite migrations', () => {
  it('produce exactly the schema the entities describe (nothing left for synchronize to do), and give existing content its first revision', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
    const dataSource = await migrateWithContentBeforeAuthoring({ type: 'sqlite', path: path.join(dir, 'db.sqlite') });
    try {
      await expectFirstVersionsBackfilled(dataSource);
      const pending = await dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((query) => query.query)).toEqual([]);
      // And they can be undone, newest first.
      for (let i = 0; i < SQLITE_MIGRATIONS.length; i++) await dataSource.undoLastMigration();
      const tables = await dataSource.query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('migrations', 'sqlite_sequence')`);
      expect(tables).toEqual([]);
    } finally {
      await dataSource.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Run in both CI passes (the SQLite one too) against the scale-out PostgreSQL; skipped with a visible line only where none is reachable outside CI.
const admin = SCALE_DATABASE_URL;
describeWithScaleServers('PostgreSQL migrations')('PostgreSQL migrations', () => {
  it('produce exactly the schema the entities describe, and give existing content its first revision', async () => {
    const name = `test_migrations_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    await adminQuery(admin, `CREATE DATABASE ${name}`);
    const url = new URL(admin);
    url.pathname = `/${name}`;
    let dataSource: DataSource | null = null;
    try {
      dataSource = await migrateWithContentBeforeAuthoring({ type: 'postgres', url: url.toString(), poolSize: 2 });
      await expectFirstVersionsBackfilled(dataSource);
      const pending = await dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((query) => query.query)).toEqual([]);
      for (let i = 0; i < POSTGRES_MIGRATIONS.length; i++) await dataSource.undoLastMigration();
    } finally {
      await dataSource?.destroy();
      await adminQuery(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  });
});
