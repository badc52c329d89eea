/**
 * Queries of stream batches (migration 7): which messages of a consumer group formed which
 * datum, and how that datum ended. Written before a batch runs, read when messages come back.
 */
import type { SqlClient } from '../sql-client.js';

/** How a batch ended: `open` while it runs (or when its run died). */
export type StreamBatchStatus = 'open' | 'done' | 'failed';

/** Where a message already belongs. */
export interface StreamBatchAssignment {
  datum: string;
  status: StreamBatchStatus;
  reason: string | null;
}

/** Stream batch records over a SQL connection. */
export interface StreamBatchStore {
  /** The batches the given seqs of `consumer` belong to, by seq (absent: in none yet). */
  lookup(consumer: string, seqs: readonly number[]): Promise<Map<number, StreamBatchAssignment>>;
  /** The seqs of a recorded batch, ascending. */
  seqs(consumer: string, datum: string): Promise<number[]>;
  /** Records a new batch and its seqs in one transaction (a replayed batch replaces its old record). */
  assign(consumer: string, datum: string, seqs: readonly number[], runId: string): Promise<void>;
  /** Forgets which batches the given seqs belonged to (they are being replayed). */
  forget(consumer: string, seqs: readonly number[]): Promise<void>;
  /** Records how a batch ended. */
  finish(consumer: string, datum: string, status: 'done' | 'failed', reason?: string): Promise<void>;
}

/** The {@link StreamBatchStore} over `client`. */
export function streamBatchQueries(client: SqlClient): StreamBatchStore {
  return {
    async lookup(consumer, seqs) {
      const found = new Map<number, StreamBatchAssignment>();
      if (seqs.length === 0) return found;
      const { rows } = await client.query<{
        seq: string | number;
        datum: string;
        status: StreamBatchStatus;
        reason: string | null;
      }>(
        `SELECT s.seq, s.datum, b.status, b.reason
           FROM stream_batch_seqs s JOIN stream_batches b ON b.consumer = s.consumer AND b.datum = s.datum
          WHERE s.consumer = $1 AND s.seq = ANY($2::bigint[])`,
        [consumer, seqs],
      );
      for (const row of rows)
        found.set(Number(row.seq), { datum: row.datum, status: row.status, reason: row.reason });
      return found;
    },
    async seqs(consumer, datum) {
      const { rows } = await client.query<{ seqs: number[] }>(
        'SELECT seqs FROM stream_batches WHERE consumer = $1 AND datum = $2',
        [consumer, datum],
      );
      return (rows[0]?.seqs ?? []).map(Number);
    },
    async assign(consumer, datum, seqs, runId) {
      await client.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO stream_batches (consumer, datum, seqs, status, run_id, created_at)
           VALUES ($1, $2, $3::jsonb, 'open', $4, now())
           ON CONFLICT (consumer, datum) DO UPDATE SET seqs = EXCLUDED.seqs, status = 'open', run_id = EXCLUDED.run_id,
             reason = NULL, created_at = EXCLUDED.created_at, finished_at = NULL`,
          [consumer, datum, JSON.stringify(seqs), runId],
        );
        await tx.query(
          `INSERT INTO stream_batch_seqs (consumer, seq, datum)
           SELECT $1, seq, $2 FROM unnest($3::bigint[]) AS seq
           ON CONFLICT (consumer, seq) DO UPDATE SET datum = EXCLUDED.datum`,
          [consumer, datum, seqs],
        );
      });
    },
    async forget(consumer, seqs) {
      await client.query('DELETE FROM stream_batch_seqs WHERE consumer = $1 AND seq = ANY($2::bigint[])', [
        consumer,
        seqs,
      ]);
    },
    async finish(consumer, datum, status, reason) {
      await client.query(
        `UPDATE stream_batches SET status = $3, reason = $4, finished_at = now()
          WHERE consumer = $1 AND datum = $2`,
        [consumer, datum, status, reason ?? null],
      );
    },
  };
}
