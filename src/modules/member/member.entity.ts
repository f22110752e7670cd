import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ObjectType } from 'type-graphql';
import { timestampColumn } from '../../db/columns';
import { toGlobalId } from '../../graphql/global-id';
import { Node } from '../../graphql/node';
import { MemberRole } from '../moderation/moderation.enums';
import { Reportable } from '../report/report.types';
import { CompanySize, formatByline } from './company-size';

/** The title and byline of a deleted account's stand-in. */
export const FORMER_MEMBER_TITLE = 'Former member';

/**
 * A community member, shown by professional identity only. E-mail and
 * password hash are columns but never GraphQL fields.
 */
@Entity('members')
@ObjectType('Member', {
  implements: [Node, Reportable],
  description: 'A community member. Members are shown by professional identity only, never by name or e-mail.',
})
export class Member {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  /** Normalised (trimmed, lower-case). Null for demo members, who cannot sign in. */
  @Column({ type: 'varchar', length: 254, nullable: true, unique: true })
  email: string | null;

  /** scrypt hash (see password.ts); null means no password can match. */
  @Column({ name: 'password_hash', type: 'varchar', length: 300, nullable: true })
  passwordHash: string | null;

  @Field(() => String, { description: 'Job title, e.g. "Director of IT".' })
  @Column({ type: 'varchar', length: 400 })
  title: string;

  @Field(() => String, { nullable: true, description: 'Industry, e.g. "Software"; null when not given.' })
  @Column({ type: 'varchar', length: 400, nullable: true })
  industry: string | null;

  @Field(() => CompanySize, { description: "The size band of the member's company." })
  @Column({ name: 'company_size', type: 'varchar', length: 32 })
  companySize: CompanySize;

  @Field(() => Date, { description: 'When the member joined.' })
  @Column(timestampColumn('joined_at'))
  joinedAt: Date;

  /** MemberRole; read fresh on every request (the viewer is loaded per request). */
  @Field(() => MemberRole, { description: 'Shown to everyone, as a badge. The former-member stand-in is MEMBER.' })
  @Column({ type: 'varchar', length: 16, default: MemberRole.MEMBER })
  role: MemberRole;

  // ---- the current suspension (suspendMember); all null while not suspended ----

  /** When the current suspension began; null while not suspended. */
  @Column(timestampColumn('suspended_at', { nullable: true }))
  suspendedAt: Date | null;

  /** When it ends by itself; null for an indefinite one (or none). */
  @Column(timestampColumn('suspended_until', { nullable: true }))
  suspendedUntil: Date | null;

  /** ModerationReason of the current suspension. */
  @Column({ name: 'suspension_reason', type: 'varchar', length: 32, nullable: true })
  suspensionReason: string | null;

  @Column({ name: 'suspension_note', type: 'text', nullable: true })
  suspensionNote: string | null;

  /** The moderator who suspended the member. */
  @Column({ name: 'suspended_by', type: 'integer', nullable: true })
  suspendedBy: number | null;

  /** Whether a suspension is in force at `now` (it ends by itself at suspendedUntil). */
  isSuspendedAt(now: Date): boolean {
    return this.suspendedAt !== null && (this.suspendedUntil === null || this.suspendedUntil.getTime() > now.getTime());
  }

  /**
   * Set by deleteAccount: the member is then the former-member stand-in (profile erased, e-mail and
   * password gone) that keeps their posts and comments attributed.
   */
  @Column(timestampColumn('deleted_at', { nullable: true }))
  deletedAt: Date | null;

  @Field(() => Boolean, {
    description: 'True for the stand-in of a deleted account: title and byline "Former member", industry null. It cannot sign in and is never `viewer`.',
  })
  get isFormerMember(): boolean {
    return this.deletedAt !== null;
  }

  @Field(() => String, {
    description:
      'One line for display: the title, then " in <industry>" when there is one, then ", <size band>": ' +
      '"Director of IT in Software, 201 - 500 employees", "CSO, Self-employed", ' +
      '"Senior Executive Advisor in Software, 10,001+ employees".',
  })
  get byline(): string {
    if (this.isFormerMember) return FORMER_MEMBER_TITLE;
    return formatByline(this.title, this.industry, this.companySize);
  }

  get globalId(): string {
    return toGlobalId('Member', this.id);
  }

  get typeName(): string {
    return 'Member';
  }
}
