import { Arg, Query, Resolver } from 'type-graphql';
import { Topic } from './topic.entity';
import { slugify, TopicService } from './topic.service';

@Resolver(() => Topic)
export class TopicResolver {
  constructor(private readonly topicService: TopicService) {}

  @Query(() => [Topic], { description: 'Topics, most used first.' })
  topics(): Promise<Topic[]> {
    return this.topicService.list();
  }

  @Query(() => Topic, { nullable: true, description: 'The topic with this slug; null when there is none.' })
  topic(@Arg('slug', () => String, { description: 'The topic\'s slug, e.g. "remote-work".' }) slug: string): Promise<Topic | null> {
    // Accept a name too ("Remote Work"): the slug is derived the same way.
    return this.topicService.findBySlug(slugify(slug));
  }
}
