/**
 * `npm run member -- role <email> <MEMBER|MODERATOR|ADMIN>`: sets a member's role from the command
 * line, which is how a community gets its first admin. It uses the server's environment (.env and
 * DATABASE_URL, through config.ts) and works while the server runs:
 * - on SQLite, the write is one BEGIN IMMEDIATE transaction of this process's own connection: it
 *   waits out the server's writes (busy timeout), and a database still busy after that is tried
 *   again, so the command does not fail because the server was busy for a moment;
 * - on PostgreSQL, it is one transaction under the member's row lock, like setMemberRole.
 * The running server needs no restart: it reads the viewer's role from the database on every
 * request. The change is logged (SET_ROLE) with a null moderator. This process has no event bus, so
 * it publishes no memberRoleChanged: live subscriptions see the new role when they next read it.
 *
 * Prints one line, "<member id> <ROLE>", and exits 0; an unknown e-mail or role exits 1 with a
 * message on stderr and changes nothing; wrong usage or configuration exits 2.
 */
import 'reflect-metadata';
import { loadConfig, loadEnvFile } from '../config';
import { createDataSource } from '../db/data-source';
import { Database } from '../db/database';
import { MIGRATIONS } from '../db/migrations';
import { NotFoundError, ServiceUnavailableError } from '../graphql/errors';
import { createLogger } from '../logger';
import { ENTITIES } from '../modules/entities';
import type { DomainEvent } from '../modules/events';
import { MemberService } from '../modules/member/member.service';
import { MemberModerationService } from '../modules/moderation/member-moderation.service';
import { ModerationLogService } from '../modules/moderation/moderation-log.service';
import { MemberRole } from '../modules/moderation/moderation.enums';
import { Refusal, runCommand } from './command';

const USAGE = 'usage: npm run member -- role <email> <MEMBER|MODERATOR|ADMIN>';

/** How often a write refused by a database still busy after the busy timeout (5 s each) is tried again. */
const BUSY_ATTEMPTS = 6;

function parseRole(value: string): MemberRole {
  const role = Object.values(MemberRole).find((known) => known === value.toUpperCase());
  if (!role) throw new Error(`unknown role "${value}": use MEMBER, MODERATOR or ADMIN. Nothing was changed.`);
  return role;
}

async function setRole(email: string, role: MemberRole): Promise<string> {
  loadEnvFile();
  const config = loadConfig();
  const dataSource = createDataSource(config.database, { entities: ENTITIES, migrations: MIGRATIONS });
  // No event bus in this process: the server reads roles per request (see above).
  const db = new Database<DomainEvent>(dataSource, { publish: () => undefined }, createLogger('silent'));
  await db.connect();
  try {
    if (await dataSource.showMigrations()) throw new Error('the database is not set up (or not up to date): start the server once first. Nothing was changed.');
    const service = new MemberModerationService(db, new MemberService(db), new ModerationLogService(db));
    for (let attempt = 1; ; attempt++) {
      try {
        const member = await service.setRoleByEmail(email, role);
        return `${member.globalId} ${member.role}`;
      } catch (error) {
        if (error instanceof NotFoundError) throw new Error(`no member has the e-mail ${email}. Nothing was changed.`);
        if (!(error instanceof ServiceUnavailableError) || attempt >= BUSY_ATTEMPTS) throw error;
      }
    }
  } finally {
    await db.close();
  }
}

async function member(args: string[]): Promise<string> {
  if (args.length !== 3 || args[0] !== 'role') throw new Refusal(USAGE);
  const [, email, roleName] = args;
  // Checked before the database is opened: an unknown role changes nothing.
  return setRole(email, parseRole(roleName));
}

runCommand('member', () => member(process.argv.slice(2)));
