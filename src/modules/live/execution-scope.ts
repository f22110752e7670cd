/**
 * How a live payload resolves for one subscriber (src/realtime/cohort-payloads.ts executes it once
 * per cohort): the subscriber's context with the loaders of the item's flush, and a record of
 * whether any field read something of the viewer.
 *
 * Fail-safe by construction: every read of the context counts as a read of the viewer except the
 * few that are the same for everyone (VIEWER_NEUTRAL), and of the loaders only those that are the
 * flush's shared ones (the same object as in the item's SharedLoaders). A field added later that
 * reads `viewer`, a viewer loader, `limits` or anything new is thus executed per viewer, never
 * shared by mistake; a shared payload is one proven not to depend on who receives it.
 *
 * The subscribe-time context's own loaders are never used (nor built: the context makes them on
 * first read); each execution gets the loaders of its item's flush, plus the viewer's. The
 * context is not copied either: each execution reads through to it, so its lazily built parts
 * (logger, limits) are made only if a field reads them.
 */
import type { ExecutionScope, ScopeFor } from '../../realtime/cohort-payloads';
import type { RequestContext } from '../context';
import type { Loaders, SharedLoaders } from '../loaders';
import type { Member } from '../member/member.entity';

/**
 * Context properties that are the same whoever receives the payload (logging, the hub), or per
 * operation only for logs; `then` is read by TypeGraphQL to tell whether a parameter is a promise.
 */
const VIEWER_NEUTRAL = new Set<string>(['liveHub', 'logger', 'requestId', 'startedAt', 'then']);

export interface ScopeSource<T> {
  /** The loaders shared by the subscribers of the item's flush; null when the item carries none (fresh ones are made if a field asks). */
  sharedOf(item: T): SharedLoaders | null;
  /** The viewer the payload is for (default: the socket's); the moderation queue reads it fresh for each message. */
  viewerOf?(): Member | null;
}

/** The execution scope of each item for the subscriber whose subscribe-time context is `context`. */
export function executionScopes<T>(context: RequestContext, source: ScopeSource<T>): ScopeFor<T> {
  const hub = context.liveHub;
  return (item: T, onViewerRead?: () => void): ExecutionScope => {
    const viewer = source.viewerOf ? source.viewerOf() : context.viewer;
    const viewerId = viewer?.id ?? null;
    const shared = source.sharedOf(item);
    let dependsOnViewer = false;
    const viewerRead = () => {
      if (dependsOnViewer) return;
      dependsOnViewer = true;
      onViewerRead?.();
    };
    let loaders: Loaders | null = null;
    const loadersOf = () => (loaders ??= hub.loadersFor(shared ?? hub.createSharedLoaders(), viewerId));
    const trackedLoaders = new Proxy({} as Loaders, {
      get: (_target, key) => {
        const loader = loadersOf()[key as keyof Loaders];
        if (!shared || shared[key as keyof SharedLoaders] !== loader) viewerRead();
        return loader;
      },
    });
    // Its own viewer and loaders (and whatever a resolver sets), the rest read from the subscribe-time
    // context, its lazily built parts included. Not copied, and not made its prototype (V8 turns a
    // prototype into a slow dictionary, kept as long as the subscription).
    const own: Partial<RequestContext> = { viewer, loaders: trackedLoaders };
    const read = (key: PropertyKey) => (key in own ? own : context);
    const contextValue = new Proxy<RequestContext>(own as RequestContext, {
      get: (_target, key) => {
        // Symbols are the framework's plumbing, not our data (Apollo's field instrumentation looks for its dispatcher on every context).
        if (typeof key === 'string' && key !== 'loaders' && !VIEWER_NEUTRAL.has(key)) viewerRead();
        return Reflect.get(read(key), key) as unknown;
      },
      has: (_target, key) => key in own || key in context,
      set: (_target, key, value) => {
        viewerRead(); // a resolver writing to its context: not ours to share
        return Reflect.set(own, key, value);
      },
    });
    return { contextValue, viewerKey: viewerId === null ? 'anonymous' : `member:${viewerId}`, dependsOnViewer: () => dependsOnViewer };
  };
}
