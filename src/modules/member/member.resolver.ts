import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { atArgument } from '../../graphql/api-edge';
import type { RequestContext } from '../context';
import { Member } from './member.entity';
import { AuthPayload, LogInInput, SignUpInput } from './member.inputs';
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

  @Mutation(() => Boolean, {
    description: 'Revokes the token this request was made with, everywhere at once. False for an anonymous request; a revoked token is UNAUTHENTICATED.',
  })
  async logOut(@Ctx() context: RequestContext): Promise<boolean> {
    if (!context.tokenHash || !context.viewer) return false;
    return this.members.logOut({ memberId: context.viewer.id, tokenHash: context.tokenHash });
  }
}
