/** Topics by id and the topics of each post, batched per request. */
import DataLoader from 'dataloader';
import { byId } from '../../graphql/loaders';
import type { Topic } from './topic.entity';
import type { TopicService } from './topic.service';

export interface TopicLoaders {
  topicById: DataLoader<number, Topic | null>;
  topicsByPostId: DataLoader<number, Topic[]>;
}

export function createTopicLoaders(topics: Pick<TopicService, 'findByIds' | 'topicsOfPosts'>): TopicLoaders {
  return {
    topicById: byId((ids) => topics.findByIds(ids)),
    topicsByPostId: new DataLoader(async (postIds) => {
      const found = await topics.topicsOfPosts(postIds);
      return postIds.map((id) => found.get(id) ?? []);
    }),
  };
}
