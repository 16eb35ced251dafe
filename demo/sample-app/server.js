// The demo application huddle deploys: answers every request with the VERSION file of the commit
// it was started from, and /health for huddle's health check.
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');

const version = fs.readFileSync(path.join(__dirname, 'VERSION'), 'utf8').trim();
const port = Number(process.env.PORT || 8080);

const server = http.createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(`hello from the huddle demo, version ${version}\n`);
});
server.listen(port, '127.0.0.1', () => console.log(`demo app version ${version} listening on 127.0.0.1:${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
