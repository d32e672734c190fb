#!/usr/bin/env node
// Reference OCPP central system for `make bench` (bench/README.md).
//
// A minimal CSMS on the npm library ocpp-rpc (2.2.1, the version ocpp/codegen
// uses): it accepts any station identity (with or without HTTP Basic auth),
// speaks ocpp2.0.1 and ocpp1.6 on one port, answers the messages a charging
// fleet sends and keeps nothing: no database, no message log. ocpp-rpc's
// strict mode is on for both protocols, so every incoming CALL is checked
// against the official JSON schema and every answer too, as csms does.
//
//   node server.js [--port N] [--host H] [--heartbeat S] [--path-prefix /ocpp/]
//
// --port 0 (the default) picks a free port. When listening it prints one line,
// `listening on port N`, on stdout. SIGINT/SIGTERM close it.
'use strict';

const { RPCServer, createRPCError } = require('ocpp-rpc');

function parseArgs(argv) {
  const opts = {
    port: Number(process.env.REF_PORT || 0),
    host: process.env.REF_HOST || '0.0.0.0',
    heartbeat: Number(process.env.REF_HEARTBEAT_S || 300),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--port') opts.port = Number(next());
    else if (a === '--host') opts.host = next();
    else if (a === '--heartbeat') opts.heartbeat = Number(next());
    else if (a === '--help' || a === '-h') usage();
    else usage(`unknown option ${a}`);
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) usage('bad --port');
  if (!Number.isInteger(opts.heartbeat) || opts.heartbeat < 1) usage('bad --heartbeat');
  return opts;
}

function usage(err) {
  const text = 'usage: node server.js [--port N (0: free port)] [--host H] [--heartbeat S]\n';
  if (err) {
    process.stderr.write(`server.js: ${err}\n${text}`);
    process.exit(2);
  }
  process.stdout.write(text);
  process.exit(0);
}

const opts = parseArgs(process.argv.slice(2));
const now = () => new Date().toISOString();
let nextTransactionId = 1;
const stats = { connections: 0, calls: 0, validationFailures: 0 };

const server = new RPCServer({
  protocols: ['ocpp2.0.1', 'ocpp1.6'],
  // Validate every incoming CALL and every outgoing CALLRESULT against the
  // official schemas of both versions (csms validates strictly too).
  strictMode: true,
  // The same keep-alive as csms's default (ocpp.ping_interval_s 30).
  pingIntervalMs: 30000,
  callTimeoutMs: 30000,
});

// Any identity, any password (csms runs with accept_unknown and stations
// without passwords in the benchmark).
server.auth((accept) => accept({}));

server.on('client', (client) => {
  stats.connections++;
  const v16 = client.protocol === 'ocpp1.6';
  const accepted = { status: 'Accepted' };

  client.on('strictValidationFailure', () => { stats.validationFailures++; });
  client.on('close', () => { stats.connections--; });
  client.on('error', () => {});

  client.handle('BootNotification', () => ({
    status: 'Accepted', currentTime: now(), interval: opts.heartbeat,
  }));
  client.handle('Heartbeat', () => ({ currentTime: now() }));
  client.handle('StatusNotification', () => ({}));
  client.handle('MeterValues', () => ({}));
  client.handle('Authorize', () => (v16 ? { idTagInfo: accepted } : { idTokenInfo: accepted }));
  client.handle('DataTransfer', () => ({ status: 'Accepted' }));

  if (v16) {
    client.handle('StartTransaction', () => ({
      transactionId: nextTransactionId++, idTagInfo: accepted,
    }));
    client.handle('StopTransaction', ({ params }) => (params.idTag ? { idTagInfo: accepted } : {}));
    client.handle('FirmwareStatusNotification', () => ({}));
    client.handle('DiagnosticsStatusNotification', () => ({}));
  } else {
    client.handle('TransactionEvent', ({ params }) => (params.idToken ? { idTokenInfo: accepted } : {}));
    client.handle('NotifyEvent', () => ({}));
    client.handle('NotifyReport', () => ({}));
    client.handle('SecurityEventNotification', () => ({}));
    client.handle('FirmwareStatusNotification', () => ({}));
    client.handle('LogStatusNotification', () => ({}));
  }
  client.handle(({ method }) => {
    throw createRPCError('NotImplemented', `${method} is not handled by the reference server`);
  });
});

server.on('error', (err) => process.stderr.write(`server error: ${err.message}\n`));

server.listen(opts.port, opts.host).then((http) => {
  process.stdout.write(`listening on port ${http.address().port}\n`);
}).catch((err) => {
  process.stderr.write(`server.js: cannot listen: ${err.message}\n`);
  process.exit(1);
});

let closing = false;
function shutdown() {
  if (closing) process.exit(0);
  closing = true;
  process.stderr.write(`reference: ${stats.connections} connected, ` +
                       `${stats.validationFailures} schema validation failures\n`);
  server.close({ awaitPending: false, force: true }).finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
