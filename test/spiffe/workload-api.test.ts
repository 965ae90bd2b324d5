/**
 * The client's Workload API credential source against the dev issuer's Workload API: a real gRPC
 * server speaking the SPIFFE Workload API (WIT-SVID profile) on a real unix socket, and a real
 * HTTP service verifying every request with the WIT-SVID issuer profile.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  Server as GrpcServer,
  credentials as grpcCredentials,
  Metadata,
  ServerCredentials,
  status,
} from '@grpc/grpc-js';
import { type DevIssuer, serveWorkloadApi, startDevIssuer, type WorkloadApiServer } from '@wimse-pep/cli';
import {
  CredentialError,
  createWimseFetch,
  loadWorkloadApi,
  type WorkloadApiCredentialSource,
  workloadApiCredentials,
} from '@wimse-pep/client';
import { createVerifier, type SpiffeBundleDocument, WimseError } from '@wimse-pep/core';
import { decodeJwt } from 'jose';

const TD = 'dev.example';
const SPIFFE_ID = 'spiffe://dev.example/workload/checkout';

let dir: string;
let issuer: DevIssuer;
let service: Server;
let serviceUrl = '';
/** The bundle the verifying service trusts: the agent's WIT bundle, fetched once at start. */
let trustedBundle: SpiffeBundleDocument | undefined;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'workload-api-'));
  issuer = await startDevIssuer({ trustDomain: TD });
  // The protected service: verifies each request, answers with the caller and its WIT's jti.
  service = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      try {
        const verifier = createVerifier({
          trustDomains: [{ trustDomain: TD, issuers: [{ spiffeBundle: trustedBundle as SpiffeBundleDocument }] }],
          audiences: [serviceUrl],
        });
        const identity = await verifier.verify({
          method: req.method ?? 'GET',
          target: req.url ?? '/',
          headers: req.headers as Record<string, string>,
          body: chunks.length > 0 ? new Uint8Array(Buffer.concat(chunks)) : undefined,
        });
        const wit = req.headers['workload-identity-token'] as string;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: identity.id, jti: decodeJwt(wit).jti }));
      } catch (error) {
        res.writeHead(error instanceof WimseError ? error.status : 500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: (error as WimseError).code }));
      }
    });
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  serviceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
});

after(async () => {
  service.closeAllConnections();
  await new Promise<void>((resolve) => service.close(() => resolve()));
  await issuer.close();
  rmSync(dir, { recursive: true, force: true });
});

let sockets = 0;
async function agent(options: { witTtlSec?: number } = {}): Promise<WorkloadApiServer> {
  return serveWorkloadApi({
    socketPath: join(dir, `agent-${++sockets}.sock`),
    issuer,
    spiffeId: SPIFFE_ID,
    autoRotate: false,
    ...options,
  });
}

/** Resolves on the source's next WIT-SVID update. */
function nextUpdate(events: { spiffeId: string; expiresAt: number }[]): Promise<void> {
  const seen = events.length;
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      if (events.length > seen) {
        clearInterval(poll);
        resolve();
      }
    }, 5);
  });
}

async function call(source: WorkloadApiCredentialSource): Promise<{ status: number; body: Record<string, string> }> {
  const response = await createWimseFetch({ credentials: source })(`${serviceUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"item":"tea"}',
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

describe('Workload API credentials from the dev issuer over a unix socket', () => {
  it('fetches the WIT-SVID and bundle at start, and every request verifies', async () => {
    const server = await agent();
    const events: { spiffeId: string; expiresAt: number }[] = [];
    const source = workloadApiCredentials({ endpoint: server.endpoint, onUpdate: (e) => events.push(e) });
    try {
      const bundles = await source.getBundles();
      trustedBundle = bundles.get(`spiffe://${TD}`);
      assert.ok(trustedBundle, 'the agent serves the bundle of its trust domain');
      assert.deepEqual(
        trustedBundle.keys.map((key) => key.use),
        issuer.jwks.keys.map(() => 'wit-svid'),
      );
      const first = await call(source);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(first.body.id, SPIFFE_ID);
      assert.equal(events.length, 1);
      assert.equal(events[0]?.spiffeId, SPIFFE_ID);
      assert.equal(server.calls.FetchWITSVID, 1, 'one stream, opened once');
    } finally {
      source.close();
      await server.close();
    }
  });

  it('streams a rotated WIT-SVID in and uses it for the next request', async () => {
    const server = await agent();
    const events: { spiffeId: string; expiresAt: number }[] = [];
    const source = workloadApiCredentials({ endpoint: server.endpoint, onUpdate: (e) => events.push(e) });
    try {
      const before = await call(source);
      const keyBefore = await source.getCredentials();
      const updated = nextUpdate(events);
      await server.rotate();
      await updated;
      const afterRotation = await call(source);
      assert.equal(afterRotation.status, 200);
      assert.notEqual(afterRotation.body.jti, before.body.jti, 'the next request carries the new WIT-SVID');
      assert.notEqual((await source.getCredentials()).wit, keyBefore.wit);
      assert.equal(server.calls.FetchWITSVID, 1, 'the rotation came on the open stream');
    } finally {
      source.close();
      await server.close();
    }
  });

  it('keeps the last WIT-SVID while the agent is gone, until it expires; then a clear error', async () => {
    const server = await agent({ witTtlSec: 600 });
    let clock = Date.now();
    const errors: CredentialError[] = [];
    const source = workloadApiCredentials({
      endpoint: server.endpoint,
      now: () => clock,
      minBackoffMs: 20,
      maxBackoffMs: 50,
      onError: (error) => errors.push(error),
    });
    try {
      assert.equal((await call(source)).status, 200);
      await server.close();
      // The agent is gone: the stream breaks and reconnecting fails, but the WIT-SVID is valid.
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (errors.length >= 2) {
            clearInterval(poll);
            resolve();
          }
        }, 5);
      });
      assert.match(errors[0]?.message ?? '', /reconnecting/);
      const stillServed = await call(source);
      assert.equal(stillServed.status, 200, 'the last valid WIT-SVID is still used');
      clock += 601_000;
      await assert.rejects(source.getCredentials(), (error: unknown) => {
        assert.ok(error instanceof CredentialError);
        assert.match(error.message, /expired at .* and the agent is unreachable \(UNAVAILABLE/);
        return true;
      });
    } finally {
      source.close();
    }
  });

  it('reconnects when the agent comes back and takes its new WIT-SVID', async () => {
    const socketPath = join(dir, 'restarting.sock');
    const first = await serveWorkloadApi({ socketPath, issuer, spiffeId: SPIFFE_ID, autoRotate: false });
    const events: { spiffeId: string; expiresAt: number }[] = [];
    const source = workloadApiCredentials({
      endpoint: first.endpoint,
      minBackoffMs: 20,
      maxBackoffMs: 50,
      onUpdate: (e) => events.push(e),
    });
    let second: WorkloadApiServer | undefined;
    try {
      const before = await call(source);
      await first.close();
      const updated = nextUpdate(events);
      second = await serveWorkloadApi({ socketPath, issuer, spiffeId: SPIFFE_ID, autoRotate: false });
      await updated;
      const after = await call(source);
      assert.equal(after.status, 200);
      assert.notEqual(after.body.jti, before.body.jti, 'the restarted agent issued a new WIT-SVID, now in use');
    } finally {
      source.close();
      await second?.close();
    }
  });

  it('does not retry PermissionDenied forever: a bounded number of attempts, then a clear error', async () => {
    const server = await agent();
    server.setDenied(true);
    const source = workloadApiCredentials({
      endpoint: server.endpoint,
      minBackoffMs: 10,
      maxBackoffMs: 40,
      maxPermissionDenied: 3,
      waitMs: 60_000,
    });
    try {
      await assert.rejects(source.getCredentials(), (error: unknown) => {
        assert.ok(error instanceof CredentialError);
        assert.match(error.message, /FetchWITSVID failed for good: PERMISSION_DENIED: no identity issued \(4 times/);
        return true;
      });
      assert.equal(server.calls.FetchWITSVID, 4, 'the first call and 3 retries, no more');
      // Given up: later requests fail at once with the same error, without calling the agent.
      await assert.rejects(source.getCredentials(), /failed for good/);
      assert.equal(server.calls.FetchWITSVID, 4);
    } finally {
      source.close();
      await server.close();
    }
  });

  it('a denial withdraws the WIT-SVID in use (Workload API §7.2.1)', async () => {
    const server = await agent();
    const source = workloadApiCredentials({
      endpoint: server.endpoint,
      minBackoffMs: 10,
      maxBackoffMs: 20,
      maxPermissionDenied: 1000,
      // Generous: a busy machine may take a while to deliver the denial; the loop ends when it arrives.
      waitMs: 10_000,
    });
    try {
      assert.equal((await call(source)).status, 200);
      server.setDenied(true);
      await assert.rejects(
        async () => {
          // Until the denial arrives the WIT-SVID may still be served; then it is withdrawn.
          for (;;) {
            await source.getCredentials();
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        },
        (error: unknown) => {
          assert.ok(error instanceof CredentialError);
          assert.match(error.message, /denied this workload its WIT-SVID/);
          return true;
        },
      );
    } finally {
      source.close();
      await server.close();
    }
  });

  it('the server speaks the protocol: no workload.spiffe.io metadata is InvalidArgument, other profiles Unimplemented', async () => {
    const server = await agent();
    const { Client } = loadWorkloadApi();
    const client = new Client(server.endpoint, grpcCredentials.createInsecure()) as unknown as Record<
      string,
      (request: object, metadata: Metadata) => NodeJS.EventEmitter & { cancel(): void }
    >;
    const statusOf = (method: string, metadata: Metadata) =>
      new Promise<number>((resolve) => {
        const stream = client[method]?.({}, metadata);
        stream?.on('error', () => {});
        stream?.on('data', () => stream.cancel());
        stream?.on('status', (result: { code: number }) => resolve(result.code));
      });
    const withHeader = new Metadata();
    withHeader.set('workload.spiffe.io', 'true');
    try {
      assert.equal(await statusOf('FetchWITSVID', new Metadata()), status.INVALID_ARGUMENT);
      assert.equal(await statusOf('FetchX509SVID', withHeader), status.UNIMPLEMENTED);
      assert.equal(await statusOf('FetchWITBundles', withHeader), status.CANCELLED, 'served, then cancelled by us');
    } finally {
      (client as unknown as { close(): void }).close();
      await server.close();
    }
  });

  it('Unimplemented (an agent without the WIT-SVID profile) is final: one call, a clear error', async () => {
    const socketPath = join(dir, 'no-wit.sock');
    const server = new GrpcServer();
    let calls = 0;
    server.addService(loadWorkloadApi().service, {
      FetchWITSVID(call: NodeJS.EventEmitter) {
        calls += 1;
        call.emit('error', { code: status.UNIMPLEMENTED, details: 'fetching WIT-SVIDs is not implemented' });
      },
    });
    await new Promise<void>((resolve, reject) =>
      server.bindAsync(`unix://${socketPath}`, ServerCredentials.createInsecure(), (error) =>
        error ? reject(error) : resolve(),
      ),
    );
    const source = workloadApiCredentials({ endpoint: `unix://${socketPath}`, minBackoffMs: 10 });
    try {
      await assert.rejects(
        source.getCredentials(),
        /failed for good: UNIMPLEMENTED: fetching WIT-SVIDs is not implemented/,
      );
      await assert.rejects(source.getCredentials(), /failed for good/);
      assert.equal(calls, 1);
    } finally {
      source.close();
      server.forceShutdown();
    }
  });

  it('a bad endpoint is a TypeError naming the field', async () => {
    assert.throws(() => workloadApiCredentials({ endpoint: 'unix://host/agent.sock' }), /no authority/);
    assert.throws(() => workloadApiCredentials({ endpoint: 'tcp://localhost:8081' }), /IP address/);
    assert.throws(() => workloadApiCredentials({ endpoint: 'http://127.0.0.1:1' }), /scheme must be unix: or tcp:/);
    const saved = process.env.SPIFFE_ENDPOINT_SOCKET;
    delete process.env.SPIFFE_ENDPOINT_SOCKET;
    try {
      assert.throws(() => workloadApiCredentials(), /SPIFFE_ENDPOINT_SOCKET/);
      process.env.SPIFFE_ENDPOINT_SOCKET = 'unix:relative.sock';
      assert.throws(() => workloadApiCredentials(), /SPIFFE_ENDPOINT_SOCKET: a unix address/);
    } finally {
      if (saved === undefined) delete process.env.SPIFFE_ENDPOINT_SOCKET;
      else process.env.SPIFFE_ENDPOINT_SOCKET = saved;
    }
  });
});

describe('wimse-pep dev-issuer --workload-api', () => {
  it('serves the Workload API on the given socket while it runs', async () => {
    const { main } = await import('@wimse-pep/cli');
    const socketPath = join(dir, 'cli.sock');
    const controller = new AbortController();
    let output = '';
    const running = main(
      ['dev-issuer', '--trust-domain', TD, '--workload-api', socketPath, '--spiffe-id', `spiffe://${TD}/cli/app`],
      {
        stdout: { write: (text: string) => (output += text) },
        stderr: { write: () => true },
        signal: controller.signal,
      },
    );
    while (!output.includes('SPIFFE_ENDPOINT_SOCKET=')) await new Promise((resolve) => setTimeout(resolve, 10));
    const source = workloadApiCredentials({ endpoint: `unix://${socketPath}` });
    try {
      const { wit } = await source.getCredentials();
      assert.equal(decodeJwt(wit).sub, `spiffe://${TD}/cli/app`);
      assert.equal(decodeJwt(wit).iss, undefined, 'a WIT-SVID from the Workload API carries no iss');
    } finally {
      source.close();
      controller.abort();
    }
    assert.equal(await running, 0);
    assert.match(output, /workload API \(WIT-SVID profile\) on unix:\/\//);
  });
});
