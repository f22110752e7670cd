import { Arg, Ctx, Mutation, Query, Resolver, UseMiddleware } from 'type-graphql';
import { atArgument, signedIn } from '../../graphql/api-edge';
import type { RequestContext } from '../context';
import { Member } from './member.entity';
import {
  AuthPayload,
  ChangePasswordInput,
  ChangePasswordPayload,
  DeleteAccountInput,
  DeleteAccountPayload,
  LogInInput,
  SignUpInput,
  UpdateProfileInput,
  UpdateProfilePayload,
} from './member.inputs';
import { WrongPasswordError } from './member.errors';
import { MemberService } from './member.service';
import { CountsAsWrite } from '../write-limit';

const isWrongPassword = (error: unknown): boolean => error instanceof WrongPasswordError;

@Resolver(() => Member)
export class MemberResolver {
  constructor(private readonly members: MemberService) {}

  @Query(() => Member, { nullable: true, description: 'The signed-in member; null for anonymous requests.' })
  viewer(@Ctx() context: RequestContext): Member | null {
    return context.viewer;
  }

  @Mutation(() => AuthPayload, { nullable: true, description: 'Creates a member and signs them in.' })
  async signUp(@Arg('input', () => SignUpInput, { description: 'The new member.' }) input: SignUpInput, @Ctx() context: RequestContext): Promise<AuthPayload> {
    await context.limits.signUp();
    return atArgument('input', () => this.members.signUp(input));
  }

  @Mutation(() => AuthPayload, { nullable: true, description: 'Unknown e-mail and wrong password give the same UNAUTHENTICATED error.' })
  logIn(@Arg('input', () => LogInInput, { description: 'The credentials.' }) input: LogInInput, @Ctx() context: RequestContext): Promise<AuthPayload> {
    return context.limits.logIn(input.email, () => this.members.logIn(input.email, input.password));
  }

  @Mutation(() => UpdateProfilePayload, {
    nullable: true,
    description:
      "Changes the signed-in member's profile (anonymous: UNAUTHENTICATED). Bylines are read from the member, so the new byline shows on everything they wrote, old content included.",
  })
  @UseMiddleware(CountsAsWrite)
  async updateProfile(
    @Arg('input', () => UpdateProfileInput, { description: 'The fields to change.' }) input: UpdateProfileInput,
    @Ctx() context: RequestContext,
  ): Promise<UpdateProfilePayload> {
    const viewer = signedIn(context.viewer);
    const member = await atArgument('input', () => this.members.updateProfile(viewer, input));
    context.loaders.afterProfileChange(member);
    return { member };
  }

  @Mutation(() => ChangePasswordPayload, {
    nullable: true,
    description:
      "Changes the signed-in member's password (anonymous: UNAUTHENTICATED). Every other token of the member is revoked (HTTP UNAUTHENTICATED, open WebSockets closed with 4403); the token of this request stays valid. logIn then takes the new password only.",
  })
  @UseMiddleware(CountsAsWrite)
  async changePassword(
    @Arg('input', () => ChangePasswordInput, { description: 'The current and the new password.' }) input: ChangePasswordInput,
    @Ctx() context: RequestContext,
  ): Promise<ChangePasswordPayload> {
    const member = signedIn(context.viewer);
    const tokenHash = context.tokenHash!; // a signed-in request always carries its token
    const revokedTokenCount = await atArgument('input', () =>
      context.limits.passwordCheck(() => this.members.changePassword({ member, tokenHash }, input.currentPassword, input.newPassword), isWrongPassword),
    );
    return { member, revokedTokenCount };
  }

  @Mutation(() => Boolean, {
    description: 'Revokes the token this request was made with, everywhere at once. False for an anonymous request; a revoked token is UNAUTHENTICATED.',
  })
  async logOut(@Ctx() context: RequestContext): Promise<boolean> {
    if (!context.tokenHash || !context.viewer) return false;
    return this.members.logOut({ memberId: context.viewer.id, tokenHash: context.tokenHash });
  }

  @Mutation(() => DeleteAccountPayload, {
    nullable: true,
    description: [
      "Deletes the signed-in member's account (anonymous: UNAUTHENTICATED); the password must be given again. At once:",
      '- every token of the member is revoked, this one included, and every open WebSocket of the member is closed with 4403;',
      '- the e-mail address is released: signUp may use it again and makes a new, unrelated member; logIn with it fails (UNAUTHENTICATED) until then;',
      '- the profile is erased: the Member becomes the former-member stand-in (isFormerMember true, title and byline "Former member", ' +
        'industry null, role MEMBER), and its e-mail and password are gone;',
      '- content stays: the member\'s threads, polls, comments and replies keep their text and place, with the stand-in as author ("Former member");',
      '- what the member counted keeps counting: poll votes stay in the tallies and participantCount, upvotes in upvoteCount, views in ' +
        'viewCount, and reports they made stay in the moderation queue.',
    ].join('\n'),
  })
  @UseMiddleware(CountsAsWrite)
  async deleteAccount(
    @Arg('input', () => DeleteAccountInput, { description: 'The password, as a confirmation.' }) input: DeleteAccountInput,
    @Ctx() context: RequestContext,
  ): Promise<DeleteAccountPayload> {
    const member = signedIn(context.viewer);
    await atArgument('input', () => context.limits.passwordCheck(() => this.members.deleteAccount(member, input.password), isWrongPassword));
    return { deletedMemberId: member.globalId };
  }
}
