export { combineInspectors } from './combineInspectors.js';
export {
  DEFAULT_INSPECTOR_URL, startInspector, type InspectorLogger, type InspectorOptions, type StatelyInspector,
} from './inspector.js';
export { startInspectorRelay, type InspectorRelay, type RelayOptions } from './relay.js';
