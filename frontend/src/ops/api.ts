// The operators' read-only view of the job queues (docs/api.md, "Operations").
import { request, type List } from '../api';

export interface QueueInfo {
  name: string;
  size: number;
  pending: number;
  active: number;
  scheduled: number;
  retry: number;
  archived: number;
  completed: number;
  processed_today: number;
  failed_today: number;
  latency_seconds: number;
  paused: boolean;
}

/** ArchivedTask is a task that failed its last retry. Its payload is never shown. */
export interface ArchivedTask {
  id: string;
  type: string;
  last_error: string;
  failed_at: string | null;
  retried: number;
  max_retry: number;
}

const seg = encodeURIComponent;

export const opsApi = {
  queues: () => request<{ queues: QueueInfo[] }>('GET', '/ops/queues'),
  archived: (queue: string, cursor?: string) =>
    request<List<ArchivedTask>>(
      'GET',
      `/ops/queues/${seg(queue)}/archived?limit=50` + (cursor ? `&cursor=${seg(cursor)}` : ''),
    ),
};
