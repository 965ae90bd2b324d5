/**
 * A real HAProxy (Debian package `haproxy`, installed by .ci/run) started by the test in the
 * foreground on 127.0.0.1: it terminates TLS, asks for a client certificate, and forwards the
 * certificate to the sidecar as RFC 9440 `Client-Cert` (`:base64-DER:`, from `ssl_c_der,base64`),
 * after deleting any `Client-Cert` the caller sent. Its connections to the sidecar come from
 * `sourceAddress`, the hop the sidecar trusts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from './processes.js';

export interface HaproxyOptions {
  readonly dir: string;
  /** The server certificate and key, PEM. */
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  /** CA certificates client certificates are checked against (`verify optional`). */
  readonly clientCaPem: string;
  readonly backendPort: number;
  readonly sourceAddress: string;
}

export interface RunningHaproxy {
  readonly port: number;
  readonly config: string;
  stop(): Promise<void>;
}

/** The front-proxy configuration the README documents, with this test's files and ports. */
export function haproxyConfig(options: HaproxyOptions & { port: number }): string {
  return `global
  maxconn 256

defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s

frontend tls_in
  bind 127.0.0.1:${options.port} ssl crt ${join(options.dir, 'haproxy.pem')} ca-file ${join(options.dir, 'haproxy-client-ca.pem')} verify optional
  # Never believe a Client-Cert from outside: only the certificate of this handshake is forwarded.
  http-request del-header Client-Cert
  http-request del-header Client-Cert-Chain
  http-request set-header Client-Cert :%[ssl_c_der,base64]: if { ssl_c_used }
  default_backend sidecar

backend sidecar
  server pep 127.0.0.1:${options.backendPort} source ${options.sourceAddress}
`;
}

export async function startHaproxy(options: HaproxyOptions): Promise<RunningHaproxy> {
  const port = await freePort();
  writeFileSync(
    join(options.dir, 'haproxy.pem'),
    `${options.certificatePem.trim()}\n${options.privateKeyPem.trim()}\n`,
  );
  writeFileSync(join(options.dir, 'haproxy-client-ca.pem'), options.clientCaPem);
  const config = haproxyConfig({ ...options, port });
  const file = join(options.dir, 'haproxy.cfg');
  writeFileSync(file, config);
  const child: ChildProcess = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  process.once('exit', () => child.kill('SIGKILL'));
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(new Error(`haproxy could not start (is it installed? .ci/run installs it): ${error.message}`)),
    );
    child.once('exit', (code) => reject(new Error(`haproxy exited with ${code}:\n${output}`)));
  });
  failed.catch(() => {});
  await Promise.race([waitForPort(port), failed]);
  return {
    port,
    config,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

async function waitForPort(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`haproxy did not listen on ${port}`);
}
