/** Topic queries and the replay mutation (all under the `topics` query key). */
import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { ResetTarget, TopicSummary } from './types';

/** How often the topic pages refresh while visible. */
export const REFRESH_MS = 3_000;
/** Messages per page of the browser. */
export const PAGE_SIZE = 200;

/** Every topic with its counters, groups and rates; refreshed while the page is visible. */
export function useTopics() {
  return useQuery({
    queryKey: ['topics'],
    queryFn: async () => (await unwrap(api.GET('/api/topics'))).topics,
    refetchInterval: REFRESH_MS,
  });
}

/** One topic, refreshed while the page is visible; `null`: none (the query is skipped). */
export function useTopic(name: string | null) {
  return useQuery({
    queryKey: ['topics', name],
    queryFn: () => unwrap(api.GET('/api/topics/{name}', { params: { path: { name: name! } } })),
    enabled: name !== null,
    refetchInterval: REFRESH_MS,
  });
}

/** Where the message browser starts: the newest messages (backwards), or a seq or time (forwards). */
export type BrowseFrom = { newest: true } | { seq: number } | { time: string };

interface PageParam {
  fromSeq?: number;
  fromTime?: string;
  limit: number;
}

/**
 * Pages of `topic`'s retained messages. From the newest, each page is the `PAGE_SIZE`
 * messages before the last one, newest first; from a seq or time, pages go forwards.
 */
export function useMessages(
  topic: string,
  bounds: { firstSeq: number; lastSeq: number } | undefined,
  from: BrowseFrom,
) {
  const newest = 'newest' in from;
  const floor = Math.max(1, bounds?.firstSeq ?? 1);
  const lastSeq = bounds?.lastSeq;
  const first: PageParam = newest
    ? { fromSeq: Math.max(floor, (lastSeq ?? 0) - PAGE_SIZE + 1), limit: PAGE_SIZE }
    : 'seq' in from
      ? { fromSeq: from.seq, limit: PAGE_SIZE }
      : { fromTime: from.time, limit: PAGE_SIZE };
  return useInfiniteQuery({
    queryKey: ['topics', topic, 'messages', from, newest ? lastSeq : null, floor],
    enabled: bounds !== undefined,
    // NOTE: a new start keeps the rows on screen until its first page arrives (no flash).
    placeholderData: keepPreviousData,
    initialPageParam: first,
    queryFn: async ({ pageParam }) => {
      const { messages } = await unwrap(
        api.GET('/api/topics/{name}/messages', { params: { path: { name: topic }, query: pageParam } }),
      );
      if (!newest) return { param: pageParam, messages };
      // NOTE: retention may have moved the oldest message past `fromSeq` since the topic was read.
      const end = (pageParam.fromSeq ?? 0) + pageParam.limit;
      return { param: pageParam, messages: messages.filter((message) => message.seq < end).reverse() };
    },
    getNextPageParam: (page): PageParam | undefined => {
      if (newest) {
        const start = page.param.fromSeq ?? floor;
        if (start <= floor) return undefined;
        const fromSeq = Math.max(floor, start - PAGE_SIZE);
        return { fromSeq, limit: start - fromSeq };
      }
      const last = page.messages.at(-1);
      return last && page.messages.length >= page.param.limit
        ? { fromSeq: last.seq + 1, limit: PAGE_SIZE }
        : undefined;
    },
  });
}

/** Moves a consumer group (replay); refreshes the topic's queries. */
export function useResetGroup(topic: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ group, target }: { group: string; target: ResetTarget }) =>
      unwrap(
        api.POST('/api/topics/{name}/groups/{group}/reset', {
          params: { path: { name: topic, group } },
          body: target,
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ['topics'] }),
  });
}

/** The topics' total lag over their groups. */
export function totalLag(topic: TopicSummary): number {
  return topic.groups.reduce((sum, group) => sum + group.lag, 0);
}

/** The latest produce rate sample, in messages/s (0 before the first sample). */
export function latestRate(topic: TopicSummary): number {
  return topic.rates.at(-1)?.produced ?? 0;
}
