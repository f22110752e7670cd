/**
 * Why a post is recommended (insights.graphql, Recommendation): pure rules, no database and no
 * GraphQL, so they are unit-tested on their own (recommendation-explanation.spec.ts).
 */

/** Why a post is in "Content you might like" (registered for GraphQL in recommendation.types.ts). */
export enum RecommendationReason {
  SHARED_TOPICS = 'SHARED_TOPICS',
  POPULAR = 'POPULAR',
}

/** What the rules read of a topic. */
export interface TopicFacts {
  id: number;
  slug: string;
  name: string;
  postCount: number;
}

export interface Explained<T extends TopicFacts> {
  reason: RecommendationReason;
  sharedTopics: T[];
  explanation: string;
}

/** How many topic names an explanation spells out before "and N more". */
const NAMED_AT_MOST = 3;

/**
 * The reason a recommended post is there, given the topics of `relatedTo` (empty when it was
 * omitted: then every post is POPULAR) and the post's own topics.
 */
export function explainRecommendation<T extends TopicFacts>(relatedTopics: readonly TopicFacts[], postTopics: readonly T[]): Explained<T> {
  const sharedTopics = sharedTopicsOf(relatedTopics, postTopics);
  return {
    // SHARED_TOPICS exactly when sharedTopics is not empty: the reason never contradicts the list.
    reason: sharedTopics.length > 0 ? RecommendationReason.SHARED_TOPICS : RecommendationReason.POPULAR,
    sharedTopics,
    explanation: explanationOf(sharedTopics.map((topic) => topic.name)),
  };
}

/** The post's topics that `relatedTopics` has too (by id): most used first (postCount), then by slug. */
export function sharedTopicsOf<T extends TopicFacts>(relatedTopics: readonly TopicFacts[], postTopics: readonly T[]): T[] {
  const related = new Set(relatedTopics.map((topic) => topic.id));
  return postTopics.filter((topic) => related.has(topic.id)).sort((a, b) => b.postCount - a.postCount || byCodePoints(a.slug, b.slug));
}

/**
 * "Shares A", "Shares A and B", "Shares A, B and C", "Shares A, B, C and 2 more"; "Popular in the
 * community" when nothing is shared. English only, as the schema says.
 */
export function explanationOf(sharedNames: readonly string[]): string {
  if (sharedNames.length === 0) return 'Popular in the community';
  if (sharedNames.length > NAMED_AT_MOST) return `Shares ${sharedNames.slice(0, NAMED_AT_MOST).join(', ')} and ${sharedNames.length - NAMED_AT_MOST} more`;
  if (sharedNames.length === 1) return `Shares ${sharedNames[0]}`;
  return `Shares ${sharedNames.slice(0, -1).join(', ')} and ${sharedNames[sharedNames.length - 1]}`;
}

/**
 * Unicode code point order (not UTF-16 code units, which put letters beyond U+FFFF before some
 * below it): slugs keep letters of every script, so the order stays the same in any client.
 */
function byCodePoints(a: string, b: string): number {
  const [left, right] = [[...a], [...b]];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const difference = left[i].codePointAt(0)! - right[i].codePointAt(0)!;
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}
