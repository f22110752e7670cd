import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Authoring: edit and delete marks on posts, the former-member mark on
 * members, indexes for Member.posts and Member.comments, and the revisions
 * table. Existing posts and comments get their version 1 from their current
 * text (an earlier comment edit kept no history: its current text is its
 * first version).
 */
export class Authoring1765000000000 implements MigrationInterface {
  name = 'Authoring1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "posts" ADD COLUMN "edited_at" bigint`);
    await queryRunner.query(`ALTER TABLE "posts" ADD COLUMN "deleted_at" bigint`);
    await queryRunner.query(`ALTER TABLE "members" ADD COLUMN "deleted_at" bigint`);
    await queryRunner.query(`DROP INDEX "idx_posts_author"`);
    await queryRunner.query(`CREATE INDEX "idx_posts_author_id" ON "posts" ("author_id", "id")`);
    await queryRunner.query(`DROP INDEX "idx_comments_author"`);
    await queryRunner.query(`CREATE INDEX "idx_comments_author_id" ON "comments" ("author_id", "id")`);
    await queryRunner.query(
      `CREATE TABLE "revisions" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "subject_type" varchar(16) NOT NULL, "subject_id" integer NOT NULL, "number" integer NOT NULL, "editor_id" integer NOT NULL, "created_at" bigint NOT NULL, "title" varchar(1200), "body" text, "option_labels" text)`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_revisions_subject_number" ON "revisions" ("subject_type", "subject_id", "number")`);
    await queryRunner.query(
      `INSERT INTO "revisions" ("subject_type", "subject_id", "number", "editor_id", "created_at", "title", "body", "option_labels") ` +
        `SELECT 'POST', p."id", 1, p."author_id", p."created_at", p."title", COALESCE(p."body", p."description"), ` +
        `CASE WHEN p."kind" = 'POLL' THEN (SELECT json_group_array("label") FROM (SELECT o."label" FROM "poll_options" o WHERE o."poll_id" = p."id" ORDER BY o."position")) END ` +
        `FROM "posts" p`,
    );
    await queryRunner.query(
      `INSERT INTO "revisions" ("subject_type", "subject_id", "number", "editor_id", "created_at", "title", "body", "option_labels") ` +
        `SELECT 'COMMENT', c."id", 1, c."author_id", c."created_at", NULL, c."body", NULL FROM "comments" c`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "revisions"`);
    await queryRunner.query(`DROP INDEX "idx_comments_author_id"`);
    await queryRunner.query(`CREATE INDEX "idx_comments_author" ON "comments" ("author_id")`);
    await queryRunner.query(`DROP INDEX "idx_posts_author_id"`);
    await queryRunner.query(`CREATE INDEX "idx_posts_author" ON "posts" ("author_id")`);
    await queryRunner.query(`ALTER TABLE "members" DROP COLUMN "deleted_at"`);
    await queryRunner.query(`ALTER TABLE "posts" DROP COLUMN "deleted_at"`);
    await queryRunner.query(`ALTER TABLE "posts" DROP COLUMN "edited_at"`);
  }
}
