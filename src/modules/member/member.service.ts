/**
 * Members and their sessions: sign-up, log-in, token checks, log-out, and
 * what a member changes of their own account (profile, password, deletion).
 * Tokens are opaque random strings; only their SHA-256 is stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import { EntityManager, In, IsNull, Not } from 'typeorm';
import type { Database, UnitOfWork } from '../../db/database';
import { affectedRows, isUniqueViolation, lockRowForUpdate } from '../../db/dialect';
import { plainEntity, plainRows } from '../../db/plain-rows';
import { BadUserInputError, UnauthenticatedError } from '../../graphql/errors';
import { cleanOptionalText, cleanText } from '../../graphql/input-validation';
import type { DomainEvent } from '../events';
import { AuthToken } from './auth-token.entity';
import { CompanySize } from './company-size';
import { MemberRole } from '../moderation/moderation.enums';
import { FORMER_MEMBER_TITLE, Member } from './member.entity';
import { SuspendedError, WrongPasswordError } from './member.errors';
import { CREDENTIALS, SessionLookups } from './session-lookups';
import { hashPassword, verifyPassword } from './password';

export interface SignUpData {
  email: string;
  password: string;
  title: string;
  industry?: string | null;
  companySize: CompanySize;
}

/** What updateProfile may change; an omitted (undefined) or null field stays as it is. */
export interface ProfileChanges {
  title?: string | null;
  /** "" removes the industry. */
  industry?: string | null;
  companySize?: CompanySize | null;
}

export interface Session {
  token: string;
  member: Member;
}

export const MIN_PASSWORD_LENGTH = 10;
// Long enough for passphrases, short enough that nobody makes scrypt chew megabytes.
export const MAX_PASSWORD_LENGTH = 256;
export const MEMBER_TITLE_MAX = 100;
export const MEMBER_INDUSTRY_MAX = 100;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function normaliseEmail(value: string, field: string): string {
  const email = cleanText(value, field, { min: 1, max: 254 }).toLowerCase();
  if (!EMAIL_PATTERN.test(email)) throw new BadUserInputError(field, 'is not an e-mail address.');
  return email;
}

function checkPassword(password: string, field: string): void {
  if (typeof password !== 'string' || [...password].length < MIN_PASSWORD_LENGTH) {
    throw new BadUserInputError(field, `must be at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  if ([...password].length > MAX_PASSWORD_LENGTH) throw new BadUserInputError(field, `must be at most ${MAX_PASSWORD_LENGTH} characters.`);
}

export class MemberService {
  private readonly sessions: SessionLookups;

  constructor(private readonly db: Database<DomainEvent>) {
    this.sessions = new SessionLookups(db);
  }

  async signUp(data: SignUpData): Promise<Session> {
    const email = normaliseEmail(data.email, 'email');
    checkPassword(data.password, 'password');
    const title = cleanText(data.title, 'title', { min: 1, max: MEMBER_TITLE_MAX });
    const industry = cleanOptionalText(data.industry, 'industry', { max: MEMBER_INDUSTRY_MAX });
    if (!Object.values(CompanySize).includes(data.companySize)) throw new BadUserInputError('companySize', 'is not a company size.');

    // Hash outside the unit of work: scrypt takes tens of milliseconds and
    // must not hold the serialized database path.
    const passwordHash = await hashPassword(data.password);
    const token = randomBytes(32).toString('base64url');
    try {
      const member = await this.db.write(async ({ manager }) => {
        const taken = await manager.getRepository(Member).exist({ where: { email } });
        if (taken) throw new BadUserInputError('email', 'is already in use.');
        const created = await manager
          .getRepository(Member)
          .save(manager.getRepository(Member).create({ email, passwordHash, title, industry, companySize: data.companySize, joinedAt: new Date() }));
        await manager.getRepository(AuthToken).insert({ tokenHash: hashToken(token), memberId: created.id, createdAt: new Date() });
        return created;
      });
      return { token, member };
    } catch (error) {
      // Two sign-ups with one address at once: the unique index decides, the loser gets the same answer.
      if (isUniqueViolation(error)) throw new BadUserInputError('email', 'is already in use.');
      throw error;
    }
  }

  async logIn(emailInput: string, password: string): Promise<Session> {
    const email = typeof emailInput === 'string' ? emailInput.trim().toLowerCase() : '';
    const member = await this.db.read((manager) => manager.getRepository(Member).findOne({ where: { email } }));
    // Always run scrypt, so unknown e-mails and wrong passwords look alike, in answer and in time.
    const matches = await verifyPassword(typeof password === 'string' ? password.slice(0, MAX_PASSWORD_LENGTH * 4) : '', member?.passwordHash ?? null);
    if (!member || !matches) throw new UnauthenticatedError('Unknown e-mail or wrong password.');
    const token = randomBytes(32).toString('base64url');
    await this.db.write(async ({ manager }) => {
      // The member's row lock, as suspendMember takes it: a suspension either committed first (refused
      // here) or revokes this new token in its own transaction; no session slips between the two.
      await lockRowForUpdate(manager, Member, member.id);
      const current = await manager.getRepository(Member).findOne({ where: { id: member.id, deletedAt: IsNull() } });
      // The account may have been deleted while scrypt ran: a former member never gets a session.
      if (!current) throw new UnauthenticatedError('Unknown e-mail or wrong password.');
      // Only now, with the right password: a guesser never learns that the account is suspended.
      if (current.isSuspendedAt(new Date())) throw new SuspendedError(current.suspendedUntil);
      await manager.getRepository(AuthToken).insert({ tokenHash: hashToken(token), memberId: member.id, createdAt: new Date() });
    });
    return { token, member };
  }

  /**
   * The member a bearer token belongs to; UNAUTHENTICATED when it is unknown or revoked. Every
   * request asks the database (the session and the member together, read after the request
   * arrived; requests arriving together share the statement, see ./session-lookups): a session
   * ended on any instance, or by a revocation whose event was lost, is refused at once, and the
   * member comes with the role and profile as they are now.
   */
  async authenticate(token: string): Promise<{ member: Member; tokenHash: string }> {
    const tokenHash = hashToken(token);
    const member = await this.sessions.memberOf(tokenHash);
    if (!member) throw new UnauthenticatedError('The token is invalid or has been revoked.');
    return { member, tokenHash };
  }

  /**
   * Revokes one token everywhere at once: the row is the only proof of the session, so HTTP
   * requests fail from the commit on, and the event (after the commit) closes the sockets
   * already open with it, on every instance.
   */
  async logOut(session: { memberId: number; tokenHash: string }): Promise<boolean> {
    await this.db.write(async ({ manager, publishAfterCommit }) => {
      await manager.getRepository(AuthToken).delete({ tokenHash: session.tokenHash });
      publishAfterCommit({ type: 'sessionsRevoked', memberId: session.memberId, tokenHashes: [session.tokenHash] });
    });
    return true;
  }

  /**
   * Changes the member's own profile. Bylines are read from the member, so the change shows on
   * everything they ever wrote at once. Nothing to change: the member as stored, untouched.
   */
  async updateProfile(member: Member, changes: ProfileChanges): Promise<Member> {
    const patch: Partial<Pick<Member, 'title' | 'industry' | 'companySize'>> = {};
    if (changes.title !== undefined && changes.title !== null) patch.title = cleanText(changes.title, 'title', { min: 1, max: MEMBER_TITLE_MAX });
    if (changes.industry !== undefined && changes.industry !== null) {
      patch.industry = cleanOptionalText(changes.industry, 'industry', { max: MEMBER_INDUSTRY_MAX });
    }
    if (changes.companySize !== undefined && changes.companySize !== null) {
      if (!Object.values(CompanySize).includes(changes.companySize)) throw new BadUserInputError('companySize', 'is not a company size.');
      patch.companySize = changes.companySize;
    }
    return this.db.write(async ({ manager }) => {
      const members = manager.getRepository(Member);
      // Never on a former member's stand-in (an account deleted while this request ran).
      if (Object.keys(patch).length > 0) await members.update({ id: member.id, deletedAt: IsNull() }, patch);
      return members.findOneByOrFail({ id: member.id });
    });
  }

  /**
   * Changes the password after checking the current one, and revokes every other session of the
   * member (a stolen token stops working the moment its owner changes the password); the session
   * of this request stays. The revoked sessions' sockets close on every instance (after commit).
   * Returns how many sessions were revoked.
   */
  async changePassword(session: { member: Member; tokenHash: string }, currentPassword: string, newPassword: string): Promise<number> {
    checkPassword(newPassword, 'newPassword');
    const memberId = session.member.id;
    const stored = await this.db.read((manager) => manager.getRepository(Member).findOneByOrFail({ id: memberId }));
    const current = typeof currentPassword === 'string' ? currentPassword.slice(0, MAX_PASSWORD_LENGTH * 4) : '';
    if (!(await verifyPassword(current, stored.passwordHash))) throw new WrongPasswordError('currentPassword');
    // Hash outside the unit of work, as signUp does: scrypt must not hold the serialized database path.
    const passwordHash = await hashPassword(newPassword);
    return this.db.write(async ({ manager, publishAfterCommit }) => {
      const tokens = manager.getRepository(AuthToken);
      const others = { memberId, tokenHash: Not(session.tokenHash) };
      const revoked = (await tokens.find({ select: { tokenHash: true }, where: others })).map((row) => row.tokenHash);
      // Never on a former member's stand-in (deleteAccount committed while scrypt ran): its password is gone for good.
      const changed = await manager.getRepository(Member).update({ id: memberId, deletedAt: IsNull() }, { passwordHash });
      if (affectedRows(changed) !== 1) throw new UnauthenticatedError('The token is invalid or has been revoked.');
      await tokens.delete(others);
      if (revoked.length > 0) publishAfterCommit({ type: 'sessionsRevoked', memberId, tokenHashes: revoked });
      return revoked.length;
    });
  }

  /**
   * Deletes the member's own account after checking the password (scrypt outside the unit of
   * work, as changePassword). In one transaction: every token of the member goes (HTTP refuses them
   * from the commit on) and the member becomes the former-member stand-in: profile erased (title
   * "Former member", industry null), e-mail released for a new sign-up, no password; companySize
   * and joinedAt stay. Content, votes, upvotes and views are not touched, so they keep their author
   * (the stand-in) and every counter stays as it was. After the commit, `sessionsRevoked` for every
   * session closes the member's open sockets on every instance.
   */
  async deleteAccount(member: Member, password: string): Promise<void> {
    const stored = await this.db.read((manager) => manager.getRepository(Member).findOneByOrFail({ id: member.id }));
    const given = typeof password === 'string' ? password.slice(0, MAX_PASSWORD_LENGTH * 4) : '';
    if (!(await verifyPassword(given, stored.passwordHash))) throw new WrongPasswordError('password');
    await this.db.write(async ({ manager, publishAfterCommit }) => {
      const erased = await manager
        .createQueryBuilder()
        .update(Member)
        .set({ deletedAt: new Date(), title: FORMER_MEMBER_TITLE, role: MemberRole.MEMBER, industry: null, email: null, passwordHash: null })
        .where('id = :id AND deleted_at IS NULL', { id: member.id })
        .execute();
      // The same password check passed twice at once: the second finds the account gone.
      if (affectedRows(erased) !== 1) throw new UnauthenticatedError('The token is invalid or has been revoked.');
      await manager.getRepository(AuthToken).delete({ memberId: member.id });
      publishAfterCommit({ type: 'sessionsRevoked', memberId: member.id, tokenHashes: null });
    });
  }

  /**
   * Revokes every session of the member inside the caller's transaction (suspendMember): HTTP
   * refuses their tokens from the commit on, and `sessionsRevoked` (after the commit) closes their
   * sockets with 4403 on every instance.
   */
  async revokeEverySession(manager: EntityManager, memberId: number, publishAfterCommit: UnitOfWork<DomainEvent>['publishAfterCommit']): Promise<void> {
    await manager.getRepository(AuthToken).delete({ memberId });
    publishAfterCommit({ type: 'sessionsRevoked', memberId, tokenHashes: null });
  }

  /** Which of these token hashes are still live sessions (the rest were revoked). */
  async liveTokenHashes(tokenHashes: readonly string[]): Promise<Set<string>> {
    const live = new Set<string>();
    // In chunks: SQLite and PostgreSQL bound the number of parameters of one statement.
    for (let start = 0; start < tokenHashes.length; start += 500) {
      const chunk = tokenHashes.slice(start, start + 500);
      const rows = await this.db.read((manager) => manager.getRepository(AuthToken).find({ select: { tokenHash: true }, where: { tokenHash: In(chunk) } }));
      for (const row of rows) live.add(row.tokenHash);
    }
    return live;
  }

  /** Members by id as bylines, badges and suspensions show them: without e-mail and password hash. */
  /**
   * Members by id, for the bylines of every page: every column but the credentials (from the entity's
   * metadata, so a column added later is read too), so these reads never carry, hydrate or keep in
   * memory what they never show; those members' `email` and `passwordHash` are undefined. Plain rows
   * (src/db/plain-rows.ts), not the query builder: its building and hydration were a large part of a
   * thread page's CPU.
   */
  async findByIds(ids: readonly number[]): Promise<Member[]> {
    if (ids.length === 0) return [];
    return this.db.read(async (manager) => {
      const members = plainEntity(manager, Member, CREDENTIALS);
      const m = members.as('m');
      const rows = await plainRows(manager, `SELECT ${m.columns} FROM ${members.table} m WHERE m.id IN (:...ids)`, { ids: [...ids] });
      return rows.map((row) => m.hydrate(row));
    });
  }
}
