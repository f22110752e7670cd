import { registerEnumType } from 'type-graphql';

export enum CommentOrder {
  OLDEST = 'OLDEST',
  NEWEST = 'NEWEST',
  MOST_UPVOTED = 'MOST_UPVOTED',
}

registerEnumType(CommentOrder, {
  name: 'CommentOrder',
  description: 'Orders of a comment list. Ties break by posting order.',
  valuesConfig: {
    OLDEST: { description: 'In posting (commit) order: the order the live API delivers them in.' },
    NEWEST: { description: 'Most recent first.' },
    MOST_UPVOTED: { description: 'Most upvotes first, then oldest.' },
  },
});
