import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../context';
import { Topic } from './topic.entity';
import { slugify } from './topic.service';

@Resolver(() => Topic)
export class TopicResolver {
  @Query(() => [Topic], { description: 'Topics, most used first.' })
  topics(@Ctx() context: RequestContext): Promise<Topic[]> {
    return context.services.topics.list();
  }

  @Query(() => Topic, { nullable: true, description: 'The topic with this slug; null when there is none.' })
  topic(
    @Arg('slug', () => String, { description: 'The topic\'s slug, e.g. "remote-work".' }) slug: string,
    @Ctx() context: RequestContext,
  ): Promise<Topic | null> {
    // Accept a name too ("Remote Work"): the slug is derived the same way.
    return context.services.topics.findBySlug(slugify(slug));
  }
}
