/** The sign-up and log-in inputs and the session payload; the limits in their descriptions are the ones the service checks. */
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { CompanySize } from './company-size';
import { Member } from './member.entity';
import { MEMBER_INDUSTRY_MAX, MEMBER_TITLE_MAX, MIN_PASSWORD_LENGTH } from './member.service';

@InputType('SignUpInput', { description: "A new member's e-mail, password and professional identity." })
export class SignUpInput {
  @Field(() => String, { description: 'Unique, compared case-insensitively. An address already in use is BAD_USER_INPUT on input.email.' })
  email: string;

  @Field(() => String, { description: `At least ${MIN_PASSWORD_LENGTH} characters.` })
  password: string;

  @Field(() => String, { description: `Job title, 1 to ${MEMBER_TITLE_MAX} characters, e.g. "Director of IT".` })
  title: string;

  @Field(() => String, { nullable: true, description: `Industry, up to ${MEMBER_INDUSTRY_MAX} characters; omit or leave empty for none.` })
  industry?: string | null;

  @Field(() => CompanySize, { description: "The size band of the member's company." })
  companySize: CompanySize;
}

@InputType('LogInInput', { description: 'The e-mail and password a member signed up with.' })
export class LogInInput {
  @Field(() => String, { description: 'The e-mail address, in any letter case.' })
  email: string;

  @Field(() => String, { description: 'The password.' })
  password: string;
}

@ObjectType('AuthPayload', {
  description: '`token` goes in `Authorization: Bearer <token>` (HTTP) or connectionParams.authorization (WebSocket). It stays valid until logOut.',
})
export class AuthPayload {
  @Field(() => String, { description: 'An opaque session token; keep it secret.' })
  token: string;

  @Field(() => Member, { description: 'The signed-in member.' })
  member: Member;
}

@InputType('UpdateProfileInput', { description: 'The profile fields updateProfile changes; omitted ones stay.' })
export class UpdateProfileInput {
  @Field(() => String, { nullable: true, description: `The new job title (1-${MEMBER_TITLE_MAX} characters); omitted or null: unchanged.` })
  title?: string | null;

  @Field(() => String, {
    nullable: true,
    description: `The new industry (up to ${MEMBER_INDUSTRY_MAX} characters); "" removes it; omitted or null: unchanged.`,
  })
  industry?: string | null;

  @Field(() => CompanySize, { nullable: true, description: 'The new company size band; omitted or null: unchanged.' })
  companySize?: CompanySize | null;
}

@ObjectType('UpdateProfilePayload', { description: 'The result of updateProfile.' })
export class UpdateProfilePayload {
  @Field(() => Member, { description: 'The member after the change, with the new byline.' })
  member: Member;
}

@InputType('ChangePasswordInput', { description: 'The old and the new password.' })
export class ChangePasswordInput {
  @Field(() => String, { description: 'The password in use now. A wrong one is BAD_USER_INPUT on input.currentPassword, and nothing changes.' })
  currentPassword: string;

  @Field(() => String, { description: `At least ${MIN_PASSWORD_LENGTH} characters (BAD_USER_INPUT on input.newPassword otherwise).` })
  newPassword: string;
}

@ObjectType('ChangePasswordPayload', { description: 'The result of changePassword.' })
export class ChangePasswordPayload {
  @Field(() => Member, { description: 'The signed-in member.' })
  member: Member;

  @Field(() => Int, { description: 'How many other tokens of the member were revoked.' })
  revokedTokenCount: number;
}

@InputType('DeleteAccountInput', { description: 'The confirmation deleteAccount needs.' })
export class DeleteAccountInput {
  @Field(() => String, { description: "The member's password. A wrong one is BAD_USER_INPUT on input.password, and nothing changes." })
  password: string;
}

@ObjectType('DeleteAccountPayload', { description: 'The result of deleteAccount.' })
export class DeleteAccountPayload {
  @Field(() => ID, { description: 'The id of the member that was deleted; from now on it names the former-member stand-in.' })
  deletedMemberId: string;
}
