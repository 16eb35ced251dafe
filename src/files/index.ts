export { deployFiles } from './deployFiles.js';
export { FileDeployError } from './fileDeployError.js';
export type { FileDeployContext, FileDeployResult, FileEntry } from './fileEntry.js';
export { IdResolver, parseIdDatabase, type IdLookup } from './idDatabase.js';
