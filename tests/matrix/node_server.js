// The Node `ws` backend of the fault matrix (ws pinned in package.json / package-lock.json).
// A WebSocketServer on 127.0.0.1 (port 0) for path /ws with a verifyClient Origin check
// (https://app.example.com), as ws's README shows: a refusal gets ws's default 401.
// Other paths get ws's own 400; plain HTTP requests get ws's 426.
// Prints `READY node=<port>` and serves until killed.
'use strict';
const { WebSocketServer } = require('ws');

const ALLOWED = 'https://app.example.com';
const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  path: '/ws',
  verifyClient: (info) => info.origin === ALLOWED,
});
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
wss.on('listening', () => {
  console.log(`READY node=${wss.address().port}`);
});
