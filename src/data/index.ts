export { isFileSetValue } from './object-store.js';
export type { FileSetValue, ObjectHash, ObjectStore } from './object-store.js';
export { openLocalObjectStore } from './local/local-object-store.js';
export { materializeFileSet, storeDirectory } from './file-sets.js';
