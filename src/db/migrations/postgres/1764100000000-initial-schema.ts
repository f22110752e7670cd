import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The initial PostgreSQL schema: every table of src/modules/entities.ts, the
 * same as the SQLite migration of the same name. Generated from the entity
 * metadata, then reviewed; a test checks that the migrated schema and the
 * entities agree.
 */
export class InitialSchema1764100000000 implements MigrationInterface {
  name = 'InitialSchema1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "comments" ("id" SERIAL NOT NULL, "post_id" integer NOT NULL, "parent_id" integer, "author_id" integer NOT NULL, "body" text NOT NULL, "seq" integer NOT NULL, "created_at" bigint NOT NULL, "edited_at" bigint, "deleted_at" bigint, "upvote_count" integer NOT NULL DEFAULT '0', "reply_count" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_8bf68bc960f2b69e818bdb90dcb" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_comments_author" ON "comments" ("author_id")`);
    await queryRunner.query(`CREATE INDEX "idx_comments_post_upvotes" ON "comments" ("post_id", "upvote_count")`);
    await queryRunner.query(`CREATE INDEX "idx_comments_parent_seq" ON "comments" ("parent_id", "seq")`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_comments_post_seq" ON "comments" ("post_id", "seq")`);
    await queryRunner.query(
      `CREATE TABLE "auth_tokens" ("token_hash" character varying(64) NOT NULL, "member_id" integer NOT NULL, "created_at" bigint NOT NULL, CONSTRAINT "PK_3a94cfa1eada85ac2bf6f3016b7" PRIMARY KEY ("token_hash"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_auth_tokens_member" ON "auth_tokens" ("member_id")`);
    await queryRunner.query(
      `CREATE TABLE "members" ("id" SERIAL NOT NULL, "email" character varying(254), "password_hash" character varying(300), "title" character varying(400) NOT NULL, "industry" character varying(400), "company_size" character varying(32) NOT NULL, "joined_at" bigint NOT NULL, CONSTRAINT "UQ_2714af51e3f7dd42cf66eeb08d6" UNIQUE ("email"), CONSTRAINT "PK_28b53062261b996d9c99fa12404" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "poll_options" ("id" SERIAL NOT NULL, "poll_id" integer NOT NULL, "label" character varying(800) NOT NULL, "position" integer NOT NULL, "vote_count" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_f52aac4865d291e3658dedf9083" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_poll_options_position" ON "poll_options" ("poll_id", "position")`);
    await queryRunner.query(
      `CREATE TABLE "poll_votes" ("poll_id" integer NOT NULL, "member_id" integer NOT NULL, "option_id" integer NOT NULL, "created_at" bigint NOT NULL, CONSTRAINT "PK_2ea9f98e392f1846e8a548822cc" PRIMARY KEY ("poll_id", "member_id", "option_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_poll_votes_option" ON "poll_votes" ("option_id")`);
    await queryRunner.query(
      `CREATE TABLE "poll_participants" ("poll_id" integer NOT NULL, "member_id" integer NOT NULL, "voted_at" bigint NOT NULL, CONSTRAINT "PK_4891aaea8af611a65f072b7fd2d" PRIMARY KEY ("poll_id", "member_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "post_views" ("post_id" integer NOT NULL, "member_id" integer NOT NULL, "counted_at" bigint NOT NULL, CONSTRAINT "PK_3f22776d818620d2d5b0d7956a1" PRIMARY KEY ("post_id", "member_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "posts" ("id" SERIAL NOT NULL, "kind" character varying(16) NOT NULL, "title" character varying(1200) NOT NULL, "body" text, "description" text, "author_id" integer NOT NULL, "created_at" bigint NOT NULL, "view_count" integer NOT NULL DEFAULT '0', "upvote_count" integer NOT NULL DEFAULT '0', "comment_count" integer NOT NULL DEFAULT '0', "comment_seq" integer NOT NULL DEFAULT '0', "search_text" text NOT NULL DEFAULT '', "allows_multiple_choices" boolean NOT NULL DEFAULT false, "closes_at" bigint, "is_closed" boolean NOT NULL DEFAULT false, "results_visibility" character varying(16) NOT NULL DEFAULT 'ALWAYS', "participant_count" integer NOT NULL DEFAULT '0', "total_votes" integer NOT NULL DEFAULT '0', "results_version" integer NOT NULL DEFAULT '0', "results_updated_at" bigint NOT NULL, CONSTRAINT "PK_2829ac61eff60fcec60d7274b9e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_posts_author" ON "posts" ("author_id")`);
    await queryRunner.query(`CREATE INDEX "idx_posts_poll_closing" ON "posts" ("kind", "is_closed", "closes_at")`);
    await queryRunner.query(`CREATE INDEX "idx_posts_created" ON "posts" ("created_at", "id")`);
    await queryRunner.query(
      `CREATE TABLE "topics" ("id" SERIAL NOT NULL, "slug" character varying(120) NOT NULL, "name" character varying(200) NOT NULL, "post_count" integer NOT NULL DEFAULT '0', CONSTRAINT "UQ_97c66ab0029f49fde30517f8199" UNIQUE ("slug"), CONSTRAINT "PK_e4aa99a3fa60ec3a37d1fc4e853" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "post_topics" ("post_id" integer NOT NULL, "topic_id" integer NOT NULL, CONSTRAINT "PK_84b60a9c7aea7d3c828c26f6d18" PRIMARY KEY ("post_id", "topic_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_post_topics_topic" ON "post_topics" ("topic_id", "post_id")`);
    await queryRunner.query(
      `CREATE TABLE "upvotes" ("member_id" integer NOT NULL, "subject_type" character varying(16) NOT NULL, "subject_id" integer NOT NULL, "created_at" bigint NOT NULL, CONSTRAINT "PK_0098db32b156bf9b534bd1d306c" PRIMARY KEY ("member_id", "subject_type", "subject_id"))`,
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
