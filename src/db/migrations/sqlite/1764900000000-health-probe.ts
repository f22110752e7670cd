import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A one-row table that /healthz writes to while writes are failing (a full
 * disk, an I/O error), to learn when a COMMIT succeeds again without waiting
 * for a member's write. No entity: only src/db/database.ts touches it.
 */
export class HealthProbe1764900000000 implements MigrationInterface {
  name = 'HealthProbe1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "health_probe" ("id" integer PRIMARY KEY NOT NULL, "probed_at" bigint NOT NULL)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "health_probe"`);
  }
}
