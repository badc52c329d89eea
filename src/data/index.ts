export { isFileSetValue } from './object-store.js';
export type { FileSetValue, ObjectHash, ObjectStore } from './object-store.js';
export { openLocalObjectStore } from './local/local-object-store.js';
export { openS3ObjectStore, parseObjectStoreUrl, type S3ObjectStoreOptions } from './s3/s3-object-store.js';
export { materializeFileSet, storeDirectory } from './file-sets.js';
export { normalizeRepoPath, relativeUploadPath, joinRepoPath } from './paths.js';
export { compileGlob } from './glob.js';
export type { CompiledGlob } from './glob.js';
export { computeDatums, datumManifest, repoLeaves } from './datums.js';
export { commitLineage } from './lineage.js';
export type { Lineage, LineageNode } from './lineage.js';
export type { Datum, DatumFile, RepoFile } from './datums.js';
export {
  DEFAULT_BRANCH,
  REPO_NAME,
  Repos,
  checkBranchName,
  checkRepoName,
  parseRepoAddress,
  planPut,
} from './repos.js';
export type { ListEntry, PlannedFile, PutOptions, PutSource, RepoAddress, Resolved } from './repos.js';
