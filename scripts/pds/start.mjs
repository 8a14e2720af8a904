// Runs the reference Bluesky PDS and a PLC directory (@atproto/dev-env's
// TestNetworkNoAppView) on 127.0.0.1 for Clarion's tests.
//
//   node start.mjs [--pds-port N] [--plc-port N]
//
// Ports also come from CLARION_PDS_PORT / CLARION_PLC_PORT; 0 or nothing picks
// a free port. The packages are resolved from CLARION_PDS_HOME (where
// `scripts/pds.sh install` put them). When both servers listen, one JSON line
// goes to stdout:
//
//   {"pds": "http://127.0.0.1:PORT", "plc": "http://127.0.0.1:PORT", ...}
//
// The servers stop on SIGTERM or SIGINT, and when stdin closes if stdin is a
// pipe (so a parent that dies takes them with it). Logs go to stderr only.

import { mkdtemp, rm } from 'node:fs/promises';
import { fstatSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

const HOST = '127.0.0.1';

function fail(message) {
  process.stderr.write(`start.mjs: ${message}\n`);
  process.exit(2);
}

function portFrom(value, name) {
  if (value === undefined || value === '') return 0;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`${name} is not a port: ${value}`);
  return port;
}

// The PDS and the PLC server call `app.listen(port)` with no host, which
// listens on every interface, and neither has a setting for the host. Giving
// every listen() without a host 127.0.0.1 keeps both (and anything else in
// this process) on the loopback interface.
function bindLoopbackOnly() {
  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function listenOnLoopback(...args) {
    const [first, second] = args;
    if (args.length === 0 || typeof first === 'function') {
      return listen.call(this, 0, HOST, ...args);
    }
    if (typeof first === 'number' && typeof second !== 'string') {
      return listen.call(this, first, HOST, ...args.slice(1));
    }
    if (
      first !== null &&
      typeof first === 'object' &&
      first.host === undefined &&
      first.path === undefined &&
      first.fd === undefined &&
      first.handle === undefined &&
      first._handle === undefined
    ) {
      return listen.call(this, { ...first, host: HOST }, ...args.slice(1));
    }
    return listen.apply(this, args);
  };
}

// A port that is free on 127.0.0.1 now; the PDS takes it a moment later.
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function stdinIsPipe() {
  try {
    const stat = fstatSync(0);
    return stat.isFIFO() || stat.isSocket();
  } catch {
    return false;
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      'pds-port': { type: 'string', default: process.env.CLARION_PDS_PORT },
      'plc-port': { type: 'string', default: process.env.CLARION_PLC_PORT },
    },
  });
  const home = process.env.CLARION_PDS_HOME;
  if (!home) fail('CLARION_PDS_HOME is not set (scripts/pds.sh sets it)');

  const pdsPort = portFrom(values['pds-port'], '--pds-port') || (await freePort());
  const plcPort = portFrom(values['plc-port'], '--plc-port') || (await freePort());
  const plcUrl = `http://${HOST}:${plcPort}`;

  // pino (the PDS's logger) writes to stdout unless told otherwise; stdout
  // carries only the ready line.
  process.env.LOG_DESTINATION ??= '/dev/stderr';
  bindLoopbackOnly();

  let devEnvEntry;
  try {
    devEnvEntry = createRequire(path.join(home, 'package.json')).resolve('@atproto/dev-env');
  } catch {
    fail(`@atproto/dev-env is not installed in ${home}: run scripts/pds.sh install`);
  }
  const { TestNetworkNoAppView, ADMIN_PASSWORD } = await import(pathToFileURL(devEnvEntry).href);

  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'clarion-pds-'));
  let network;
  try {
    network = await TestNetworkNoAppView.create({
      plc: { port: plcPort },
      pds: {
        port: pdsPort,
        didPlcUrl: plcUrl,
        // dev-env would leave these in the temporary folder for good.
        dataDirectory: dataDir,
        blobstoreDiskLocation: path.join(dataDir, 'blobs'),
      },
    });
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }

  let stopping = false;
  const stop = async (why) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`start.mjs: stopping (${why})\n`);
    // A hung close must not keep the ports: give up after a few seconds.
    setTimeout(() => {
      process.stderr.write('start.mjs: the servers did not close in time\n');
      process.exit(1);
    }, 5000).unref();
    let code = 0;
    try {
      await network.close();
    } catch (err) {
      process.stderr.write(`start.mjs: close failed: ${err?.stack ?? err}\n`);
      code = 1;
    }
    await rm(dataDir, { recursive: true, force: true });
    process.stderr.write('start.mjs: stopped\n');
    process.exit(code);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  if (stdinIsPipe()) {
    process.stdin.on('end', () => stop('stdin closed'));
    process.stdin.on('error', () => stop('stdin error'));
    process.stdin.resume();
  }

  const ready = {
    pds: `http://${HOST}:${network.pds.port}`,
    plc: plcUrl,
    // The URL the PDS calls itself (in DID documents and tokens).
    pds_public_url: network.pds.ctx.cfg.service.publicUrl,
    handle_domains: network.pds.ctx.cfg.identity.serviceHandleDomains,
    admin_password: ADMIN_PASSWORD,
    pid: process.pid,
  };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
}

main().catch((err) => {
  process.stderr.write(`start.mjs: ${err?.stack ?? err}\n`);
  process.exit(1);
});
