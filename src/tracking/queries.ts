/** Reading what runs logged: params and artifacts, per run, for the CLI and the HTTP API. */
import type { ArtifactRecord, LoggedParamRecord, MetadataStore } from '../store/index.js';

/** Params the steps of a run logged (`ctx.logParams`), ordered by step, datum and key. */
export function runParams(store: MetadataStore, runId: string): Promise<LoggedParamRecord[]> {
  return store.tracking.listParams(runId);
}

/** Artifacts the steps of a run recorded, ordered by step, datum and name. */
export function artifacts(store: MetadataStore, runId: string): Promise<ArtifactRecord[]> {
  return store.tracking.listArtifacts(runId);
}
