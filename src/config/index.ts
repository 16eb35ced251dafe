// The app configuration: loading JSON and INI app configs (including the original huddle's),
// their schema, and the messages for what is wrong with them.
export type { Account, AppConfig, ConfigError, LoadedApp, LoadResult, ManagedFile } from './types.js';
export { loadConfigFile, loadConfigText, formatOfFile } from './loadFile.js';
export { loadConfigDir, isConfigFileName, listConfigFiles } from './loadDir.js';
export { formatConfigError } from './formatError.js';
export { appConfigSchema } from './schema/index.js';
export { parseStatusRange, type StatusRange } from './formats.js';
export { resolveAppPaths, type AppPaths } from './paths.js';
export { configToJson } from './print.js';
export { rolloutSlots, type Rollout } from './rollout.js';
