import { Arg, Ctx, Field, InputType, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../context';
import { CompanySize } from './company-size';
import { Member } from './member.entity';
import { MemberService } from './member.service';

@InputType('SignUpInput', { description: "A new member's e-mail, password and professional identity." })
class SignUpInput {
  @Field(() => String, { description: 'Unique, compared case-insensitively. An address already in use is BAD_USER_INPUT on input.email.' })
  email: string;

  @Field(() => String, { description: 'At least 10 characters.' })
  password: string;

  @Field(() => String, { description: 'Job title, 1 to 100 characters, e.g. "Director of IT".' })
  title: string;

  @Field(() => String, { nullable: true, description: 'Industry, up to 100 characters; omit or leave empty for none.' })
  industry?: string | null;

  @Field(() => CompanySize, { description: "The size band of the member's company." })
  companySize: CompanySize;
}

@InputType('LogInInput', { description: 'The e-mail and password a member signed up with.' })
class LogInInput {
  @Field(() => String, { description: 'The e-mail address, in any letter case.' })
  email: string;

  @Field(() => String, { description: 'The password.' })
  password: string;
}

@ObjectType('AuthPayload', {
  description: '`token` goes in `Authorization: Bearer <token>` (HTTP) or connectionParams.authorization (WebSocket). It stays valid until logOut.',
})
class AuthPayload {
  @Field(() => String, { description: 'An opaque session token; keep it secret.' })
  token: string;

  @Field(() => Member, { description: 'The signed-in member.' })
  member: Member;
}

@Resolver(() => Member)
export class MemberResolver {
  constructor(private readonly members: MemberService) {}

  @Query(() => Member, { nullable: true, description: 'The signed-in member; null for anonymous requests.' })
  viewer(@Ctx() context: RequestContext): Member | null {
    return context.viewer;
  }

  @Mutation(() => AuthPayload, { nullable: true, description: 'Creates a member and signs them in.' })
  signUp(@Arg('input', () => SignUpInput, { description: 'The new member.' }) input: SignUpInput): Promise<AuthPayload> {
    return this.members.signUp(input);
  }

  @Mutation(() => AuthPayload, { nullable: true, description: 'Unknown e-mail and wrong password give the same UNAUTHENTICATED error.' })
  logIn(@Arg('input', () => LogInInput, { description: 'The credentials.' }) input: LogInInput): Promise<AuthPayload> {
    return this.members.logIn(input.email, input.password);
  }

  @Mutation(() => Boolean, {
    description: 'Revokes the token this request was made with, everywhere at once. False for an anonymous request; a revoked token is UNAUTHENTICATED.',
  })
  async logOut(@Ctx() context: RequestContext): Promise<boolean> {
    if (!context.tokenHash || !context.viewer) return false;
    return this.members.logOut({ memberId: context.viewer.id, tokenHash: context.tokenHash });
  }
}
