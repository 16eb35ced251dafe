// What each soak app's repository holds: a one-file HTTP server, a post-pull hook and an install
// step, plus `VERSION` and `MODE`. MODE decides how a commit misbehaves, so a "bad commit" is an
// ordinary push of the same code with another MODE file.

/** good: serves; crash: exits at start; unhealthy: /health answers 500; hang-*: a hook never ends. */
export type CommitMode = 'good' | 'crash' | 'unhealthy' | 'hang-hook' | 'hang-install';

export const BAD_MODES: readonly CommitMode[] = ['crash', 'unhealthy', 'hang-hook', 'hang-install'];

const readFileHelper = `
import { readFileSync } from 'node:fs';
const read = (name, fallback) => {
  try {
    return readFileSync(new URL(name, import.meta.url), 'utf8').trim();
  } catch {
    return fallback;
  }
};`;

// Answers "/" with its app, version, greeting (from the config's env) and pid, which is how the
// soak tells which instance serves. A second instance finds the port taken: it writes that down
// in SOAK_CLASH_FILE before exiting, so even a short-lived duplicate is caught.
const server = `${readFileHelper}
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';

const version = read('./VERSION', '?');
const mode = read('./MODE', 'good');
if (mode === 'crash') {
  console.error('MODE crash: exiting at start');
  process.exit(3);
}
const port = Number(process.env.PORT);
const server = createServer((req, res) => {
  const failing = req.url === '/health' && mode === 'unhealthy';
  const body = req.url === '/health'
    ? (failing ? 'broken\\n' : 'ok\\n')
    : \`app=\${process.env.HUDDLE_APP} version=\${version} greeting=\${process.env.GREETING} pid=\${process.pid}\\n\`;
  res.writeHead(failing ? 500 : 200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.on('error', (err) => {
  if (err.code === 'EADDRINUSE' && process.env.SOAK_CLASH_FILE) {
    appendFileSync(process.env.SOAK_CLASH_FILE, \`\${new Date().toISOString()} pid \${process.pid} found port \${port} taken\\n\`);
  }
  console.error(\`cannot listen on \${port}: \${err.message}\`);
  process.exit(1);
});
server.listen(port, '127.0.0.1', () => console.log(\`version \${version} (\${mode}) on \${port}, pid \${process.pid}\`));
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
`;

// A hook that hangs runs \`sleep\` as a child and waits for it: huddle must stop the whole tree
// when the timeout hits, not only the hook itself.
function hook(hangMode: CommitMode): string {
  return `${readFileHelper}
import { spawn } from 'node:child_process';

if (read('./MODE', 'good') === '${hangMode}') {
  console.log('MODE ${hangMode}: hanging');
  spawn('sleep', ['600'], { stdio: 'inherit' }).on('exit', (code) => process.exit(code ?? 1));
}
`;
}

export function appFiles(version: number, mode: CommitMode): Record<string, string> {
  return {
    'server.mjs': server,
    'hook.mjs': hook('hang-hook'),
    'install.mjs': hook('hang-install'),
    VERSION: `${version}\n`,
    MODE: `${mode}\n`,
  };
}
