/**
 * One world for the sidecar's end-to-end tests: a development identity server, a caller with a
 * WIT and key on disk, the sidecar's own WIT and key (signed responses), an assertion key, the
 * Python upstream, and a configuration file written as an operator would.
 */
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type DevIssuer, startDevIssuer } from '../../src/index.js';
import { es256KeyPair } from '../support/es256-key-pair.js';
import { tempDir } from '../support/run-cli.js';
import { type EchoUpstream, freePort, startEchoUpstream } from './processes.js';

export const TD = 'proxy.example';
export const CALLER = `wimse://${TD}/service/checkout`;
export const ADMIN = `wimse://${TD}/service/operator`;
export const SIDECAR = `wimse://${TD}/service/orders`;

export interface SidecarWorld {
  readonly dir: string;
  readonly issuer: DevIssuer;
  readonly upstream: EchoUpstream;
  file(name: string): string;
  /** Writes a configuration (as YAML) and returns its path. */
  writeConfig(name: string, config: object): string;
  /** The caller's WIT and private key. */
  readonly caller: { readonly wit: string; readonly privateKey: import('node:crypto').KeyObject };
  readonly admin: { readonly wit: string; readonly privateKey: import('node:crypto').KeyObject };
  readonly assertionPublicKey: import('node:crypto').KeyObject;
  close(): Promise<void>;
}

export async function createSidecarWorld(): Promise<SidecarWorld> {
  const dir = tempDir();
  const file = (name: string) => join(dir, name);
  const issuer = await startDevIssuer({ trustDomain: TD });
  const upstream = await startEchoUpstream();
  const callerKeys = es256KeyPair();
  const caller = {
    wit: (await issuer.issue({ sub: CALLER, jwk: callerKeys.jwk })).wit,
    privateKey: callerKeys.pair.privateKey,
  };
  writeFileSync(file('caller.wit'), caller.wit);
  writeFileSync(file('caller.jwk'), JSON.stringify(callerKeys.pair.privateKey.export({ format: 'jwk' })));
  const adminKeys = es256KeyPair();
  const admin = {
    wit: (await issuer.issue({ sub: ADMIN, jwk: adminKeys.jwk })).wit,
    privateKey: adminKeys.pair.privateKey,
  };
  const sidecarKeys = es256KeyPair();
  writeFileSync(file('sidecar.wit'), (await issuer.issue({ sub: SIDECAR, jwk: sidecarKeys.jwk })).wit);
  writeFileSync(file('sidecar.pem'), sidecarKeys.pair.privateKey.export({ format: 'pem', type: 'pkcs8' }));
  const assertion = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(file('assertion.pem'), assertion.privateKey.export({ format: 'pem', type: 'pkcs8' }));
  writeFileSync(file('trust.json'), JSON.stringify({ trustDomains: [issuer.trust] }));
  return {
    dir,
    issuer,
    upstream,
    file,
    writeConfig(name, config) {
      writeFileSync(file(name), stringify(config));
      return file(name);
    },
    caller,
    admin,
    assertionPublicKey: assertion.publicKey,
    async close() {
      await upstream.stop();
      await issuer.close();
    },
  };
}

/** The configuration of the main end-to-end sidecar on `port`. */
export async function sidecarConfig(world: SidecarWorld, port?: number): Promise<{ port: number; config: object }> {
  const listenPort = port ?? (await freePort());
  return {
    port: listenPort,
    config: {
      listen: { host: '127.0.0.1', port: listenPort },
      upstream: { url: world.upstream.origin },
      verifier: {
        trustDomains: [{ trustDomain: TD, issuers: [{ issuer: world.issuer.issuer, jwksUri: world.issuer.jwksUri }] }],
        audiences: [`http://127.0.0.1:${listenPort}`],
      },
      identity: {
        headers: {
          workloadId: 'Wimse-Workload-Id',
          trustDomain: 'Wimse-Trust-Domain',
          proof: 'Wimse-Proof',
          transaction: 'Wimse-Txn-Context',
        },
        assertion: { key: { file: 'assertion.pem' }, issuer: SIDECAR, audience: 'http://orders.upstream' },
      },
      transactionTokens: {
        audience: world.issuer.transactionTokens.audience,
        jwksUri: world.issuer.transactionTokens.jwksUri,
      },
      responseSigning: { wit: { file: 'sidecar.wit' }, key: { env: 'SIDECAR_KEY_PEM' } },
      routes: [
        { path: '/public', mode: 'off' },
        { path: '/admin', allow: { workloads: [ADMIN] } },
        { path: '/payments', transactionToken: 'required' },
        { path: '/', allow: { trustDomains: [`wimse://${TD}`] } },
      ],
    },
  };
}
