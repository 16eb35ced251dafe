/** Where `huddle inspector` relays, and so where `huddle run --inspect` sends by default. */
export const DEFAULT_INSPECTOR_URL = 'ws://localhost:8080';
