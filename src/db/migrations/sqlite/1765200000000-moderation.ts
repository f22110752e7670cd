import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Moderation: member roles and suspensions, moderation state, locks and pins
 * of posts, moderation state of comments, reports (one OPEN report per
 * reporter and subject), the moderation queue's numbered changes and the
 * append-only moderation log.
 */
export class Moderation1765200000000 implements MigrationInterface {
  name = 'Moderation1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const add = (table: string, column: string) => queryRunner.query(`ALTER TABLE "${table}" ADD COLUMN ${column}`);
    await add('members', `"role" varchar(16) NOT NULL DEFAULT ('MEMBER')`);
    await add('members', `"suspended_at" bigint`);
    await add('members', `"suspended_until" bigint`);
    await add('members', `"suspension_reason" varchar(32)`);
    await add('members', `"suspension_note" text`);
    await add('members', `"suspended_by" integer`);
    await add('posts', `"moderation_state" varchar(16) NOT NULL DEFAULT ('VISIBLE')`);
    await add('posts', `"moderation_reason" varchar(32)`);
    await add('posts', `"pinned_at" bigint`);
    await add('posts', `"locked_at" bigint`);
    await add('posts', `"lock_reason" varchar(32)`);
    await queryRunner.query(`CREATE INDEX "idx_posts_pinned" ON "posts" ("pinned_at")`);
    await add('comments', `"moderation_state" varchar(16) NOT NULL DEFAULT ('VISIBLE')`);
    await add('comments', `"moderation_reason" varchar(32)`);
    await queryRunner.query(
      `CREATE TABLE "reports" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "reporter_id" integer NOT NULL, "subject_type" varchar(16) NOT NULL, "subject_id" integer NOT NULL, "reason" varchar(32) NOT NULL, "note" text, "status" varchar(16) NOT NULL DEFAULT ('OPEN'), "created_at" bigint NOT NULL, "resolved_at" bigint, "resolved_by" integer)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_reports_open_per_reporter" ON "reports" ("reporter_id", "subject_type", "subject_id") WHERE "status" = 'OPEN'`,
    );
    await queryRunner.query(`CREATE INDEX "idx_reports_subject_status" ON "reports" ("subject_type", "subject_id", "status")`);
    await queryRunner.query(`CREATE INDEX "idx_reports_status_created" ON "reports" ("status", "created_at", "id")`);
    await queryRunner.query(`CREATE INDEX "idx_reports_status_resolved" ON "reports" ("status", "resolved_at", "id")`);
    await queryRunner.query(
      `CREATE TABLE "report_queue_changes" ("seq" integer PRIMARY KEY NOT NULL, "report_id" integer NOT NULL, "status" varchar(16) NOT NULL, "created_at" bigint NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE TABLE "moderation_log" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "action" varchar(32) NOT NULL, "subject_type" varchar(16) NOT NULL, "subject_id" integer NOT NULL, "moderator_id" integer, "reason" varchar(32), "note" text, "role" varchar(16), "suspended_until" bigint, "resolution" varchar(16), "created_at" bigint NOT NULL)`,
    );
    await queryRunner.query(`CREATE INDEX "idx_moderation_log_subject" ON "moderation_log" ("subject_type", "subject_id", "id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "moderation_log"`);
    await queryRunner.query(`DROP TABLE "report_queue_changes"`);
    await queryRunner.query(`DROP TABLE "reports"`);
    await queryRunner.query(`DROP INDEX "idx_posts_pinned"`);
    for (const column of ['moderation_state', 'moderation_reason']) await queryRunner.query(`ALTER TABLE "comments" DROP COLUMN "${column}"`);
    for (const column of ['moderation_state', 'moderation_reason', 'pinned_at', 'locked_at', 'lock_reason']) {
      await queryRunner.query(`ALTER TABLE "posts" DROP COLUMN "${column}"`);
    }
    for (const column of ['role', 'suspended_at', 'suspended_until', 'suspension_reason', 'suspension_note', 'suspended_by']) {
      await queryRunner.query(`ALTER TABLE "members" DROP COLUMN "${column}"`);
    }
  }
}
