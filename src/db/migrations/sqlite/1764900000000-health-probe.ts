import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A one-row table that /healthz writes to while writes are failing (a full
 * disk, an I/O error), to learn when a COMMIT succeeds again without waiting
 * for a member's write. The payload (64 KB per probe) makes the probe need
 * room like a long comment does. No entity: only src/db/database.ts uses it.
 */
export class HealthProbe1764900000000 implements MigrationInterface {
  name = 'HealthProbe1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "health_probe" ("id" integer PRIMARY KEY NOT NULL, "probed_at" bigint NOT NULL, "payload" blob NOT NULL)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "health_probe"`);
  }
}
