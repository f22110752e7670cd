import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { timestampColumn } from '../../db/columns';

/**
 * A sign-in session. Only the SHA-256 of the opaque token is stored, so a
 * leaked database does not leak usable tokens. logOut deletes the row, which
 * revokes the token everywhere at once (no self-contained signed tokens).
 */
@Entity('auth_tokens')
export class AuthToken {
  @PrimaryColumn({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  @Index('idx_auth_tokens_member')
  @Column({ name: 'member_id', type: 'integer' })
  memberId: number;

  @Column(timestampColumn('created_at'))
  createdAt: Date;
}
