import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Insights: each participant's groups as of their vote (industry, company size), the published
 * state of breakdowns, and the versions a viewer who may not see the tallies gets. Existing votes
 * take their member's current profile; existing polls start with nothing published (the next vote
 * that joins an open poll publishes its `other` bucket, whose participants are all new).
 */
export class Insights1765400000000 implements MigrationInterface {
  name = 'Insights1765400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "poll_breakdown_buckets" ("poll_id" integer NOT NULL, "dimension" character varying(16) NOT NULL, "bucket" character varying(400) NOT NULL, "participant_count" integer NOT NULL, "option_votes" text NOT NULL, "new_count" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_e6eeb9b07cf88284d8aa9c9b87d" PRIMARY KEY ("poll_id", "dimension", "bucket"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "poll_breakdown_members" ("poll_id" integer NOT NULL, "dimension" character varying(16) NOT NULL, "bucket" character varying(400) NOT NULL, "member_id" integer NOT NULL, CONSTRAINT "PK_df6f9204dab29606beecb3b1fe7" PRIMARY KEY ("poll_id", "dimension", "bucket", "member_id"))`,
    );
    await queryRunner.query(`ALTER TABLE "poll_participants" ADD "industry_group" character varying(400)`);
    await queryRunner.query(`ALTER TABLE "poll_participants" ADD "company_size" character varying(32)`);
    await queryRunner.query(
      `UPDATE "poll_participants" SET "industry_group" = (SELECT CASE WHEN m."industry" IS NULL OR TRIM(m."industry") = '' OR LOWER(TRIM(m."industry")) = 'other' THEN NULL ELSE m."industry" END FROM "members" m WHERE m."id" = "poll_participants"."member_id"), "company_size" = (SELECT m."company_size" FROM "members" m WHERE m."id" = "poll_participants"."member_id")`,
    );
    await queryRunner.query(`ALTER TABLE "posts" ADD "hidden_results_version" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "posts" ADD "breakdown_version" integer NOT NULL DEFAULT '1'`);
    await queryRunner.query(`ALTER TABLE "posts" ADD "participation_changed_at" bigint`);
    // Existing polls: a hidden viewer keeps the version they had (no backwards step); the breakdown's own counter starts there too.
    await queryRunner.query(
      `UPDATE "posts" SET "hidden_results_version" = "results_version", "breakdown_version" = "results_version" + 1, "participation_changed_at" = "results_updated_at"`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of ['hidden_results_version', 'breakdown_version', 'participation_changed_at'])
      await queryRunner.query(`ALTER TABLE "posts" DROP COLUMN "${column}"`);
    for (const column of ['industry_group', 'company_size']) await queryRunner.query(`ALTER TABLE "poll_participants" DROP COLUMN "${column}"`);
    await queryRunner.query(`DROP TABLE "poll_breakdown_members"`);
    await queryRunner.query(`DROP TABLE "poll_breakdown_buckets"`);
  }
}
