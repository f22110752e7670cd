import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { atArgument, signedIn } from '../../graphql/api-edge';
import type { RequestContext } from '../context';
import { Member } from './member.entity';
import { AuthPayload, ChangePasswordInput, ChangePasswordPayload, LogInInput, SignUpInput, UpdateProfileInput, UpdateProfilePayload } from './member.inputs';
import { MemberService } from './member.service';

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
  async changePassword(
    @Arg('input', () => ChangePasswordInput, { description: 'The current and the new password.' }) input: ChangePasswordInput,
    @Ctx() context: RequestContext,
  ): Promise<ChangePasswordPayload> {
    const member = signedIn(context.viewer);
    const tokenHash = context.tokenHash!; // a signed-in request always carries its token
    const revokedTokenCount = await atArgument('input', () => this.members.changePassword({ member, tokenHash }, input.currentPassword, input.newPassword));
    return { member, revokedTokenCount };
  }

  @Mutation(() => Boolean, {
    description: 'Revokes the token this request was made with, everywhere at once. False for an anonymous request; a revoked token is UNAUTHENTICATED.',
  })
  async logOut(@Ctx() context: RequestContext): Promise<boolean> {
    if (!context.tokenHash || !context.viewer) return false;
    return this.members.logOut({ memberId: context.viewer.id, tokenHash: context.tokenHash });
  }
}
