import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The initial SQLite schema: every table of src/modules/entities.ts.
 * Generated from the entity metadata, then reviewed; a test checks that the
 * migrated schema and the entities agree.
 */
export class InitialSchema1764100000000 implements MigrationInterface {
  name = 'InitialSchema1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "comments" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "post_id" integer NOT NULL, "parent_id" integer, "author_id" integer NOT NULL, "body" text NOT NULL, "seq" integer NOT NULL, "created_at" bigint NOT NULL, "edited_at" bigint, "deleted_at" bigint, "upvote_count" integer NOT NULL DEFAULT (0), "reply_count" integer NOT NULL DEFAULT (0))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_comments_author" ON "comments" ("author_id")`);
    await queryRunner.query(`CREATE INDEX "idx_comments_post_upvotes" ON "comments" ("post_id", "upvote_count")`);
    await queryRunner.query(`CREATE INDEX "idx_comments_parent_seq" ON "comments" ("parent_id", "seq")`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_comments_post_seq" ON "comments" ("post_id", "seq")`);
    await queryRunner.query(
      `CREATE TABLE "auth_tokens" ("token_hash" varchar(64) PRIMARY KEY NOT NULL, "member_id" integer NOT NULL, "created_at" bigint NOT NULL)`,
    );
    await queryRunner.query(`CREATE INDEX "idx_auth_tokens_member" ON "auth_tokens" ("member_id")`);
    await queryRunner.query(
      `CREATE TABLE "members" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "email" varchar(254), "password_hash" varchar(300), "title" varchar(400) NOT NULL, "industry" varchar(400), "company_size" varchar(32) NOT NULL, "joined_at" bigint NOT NULL, CONSTRAINT "UQ_2714af51e3f7dd42cf66eeb08d6" UNIQUE ("email"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "poll_options" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "poll_id" integer NOT NULL, "label" varchar(800) NOT NULL, "position" integer NOT NULL, "vote_count" integer NOT NULL DEFAULT (0))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_poll_options_position" ON "poll_options" ("poll_id", "position")`);
    await queryRunner.query(
      `CREATE TABLE "poll_votes" ("poll_id" integer NOT NULL, "member_id" integer NOT NULL, "option_id" integer NOT NULL, "created_at" bigint NOT NULL, PRIMARY KEY ("poll_id", "member_id", "option_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_poll_votes_option" ON "poll_votes" ("option_id")`);
    await queryRunner.query(
      `CREATE TABLE "poll_participants" ("poll_id" integer NOT NULL, "member_id" integer NOT NULL, "voted_at" bigint NOT NULL, PRIMARY KEY ("poll_id", "member_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "post_views" ("post_id" integer NOT NULL, "member_id" integer NOT NULL, "counted_at" bigint NOT NULL, PRIMARY KEY ("post_id", "member_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "posts" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "kind" varchar(16) NOT NULL, "title" varchar(1200) NOT NULL, "body" text, "description" text, "author_id" integer NOT NULL, "created_at" bigint NOT NULL, "view_count" integer NOT NULL DEFAULT (0), "upvote_count" integer NOT NULL DEFAULT (0), "comment_count" integer NOT NULL DEFAULT (0), "comment_seq" integer NOT NULL DEFAULT (0), "search_text" text NOT NULL DEFAULT (''), "allows_multiple_choices" boolean NOT NULL DEFAULT (0), "closes_at" bigint, "is_closed" boolean NOT NULL DEFAULT (0), "results_visibility" varchar(16) NOT NULL DEFAULT ('ALWAYS'), "participant_count" integer NOT NULL DEFAULT (0), "total_votes" integer NOT NULL DEFAULT (0), "results_version" integer NOT NULL DEFAULT (0), "results_updated_at" bigint NOT NULL)`,
    );
    await queryRunner.query(`CREATE INDEX "idx_posts_author" ON "posts" ("author_id")`);
    await queryRunner.query(`CREATE INDEX "idx_posts_poll_closing" ON "posts" ("kind", "is_closed", "closes_at")`);
    await queryRunner.query(`CREATE INDEX "idx_posts_created" ON "posts" ("created_at", "id")`);
    await queryRunner.query(
      `CREATE TABLE "topics" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "slug" varchar(120) NOT NULL, "name" varchar(200) NOT NULL, "post_count" integer NOT NULL DEFAULT (0), CONSTRAINT "UQ_97c66ab0029f49fde30517f8199" UNIQUE ("slug"))`,
    );
    await queryRunner.query(`CREATE TABLE "post_topics" ("post_id" integer NOT NULL, "topic_id" integer NOT NULL, PRIMARY KEY ("post_id", "topic_id"))`);
    await queryRunner.query(`CREATE INDEX "idx_post_topics_topic" ON "post_topics" ("topic_id", "post_id")`);
    await queryRunner.query(
      `CREATE TABLE "upvotes" ("member_id" integer NOT NULL, "subject_type" varchar(16) NOT NULL, "subject_id" integer NOT NULL, "created_at" bigint NOT NULL, PRIMARY KEY ("member_id", "subject_type", "subject_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_upvotes_subject" ON "upvotes" ("subject_type", "subject_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "upvotes"`);
    await queryRunner.query(`DROP TABLE "post_topics"`);
    await queryRunner.query(`DROP TABLE "topics"`);
    await queryRunner.query(`DROP TABLE "posts"`);
    await queryRunner.query(`DROP TABLE "post_views"`);
    await queryRunner.query(`DROP TABLE "poll_participants"`);
    await queryRunner.query(`DROP TABLE "poll_votes"`);
    await queryRunner.query(`DROP TABLE "poll_options"`);
    await queryRunner.query(`DROP TABLE "members"`);
    await queryRunner.query(`DROP TABLE "auth_tokens"`);
    await queryRunner.query(`DROP TABLE "comments"`);
  }
}
