import { isIP } from 'node:net';

/**
 * The gRPC target of a Workload API endpoint address (SPIFFE Workload Endpoint §4): `unix:` with
 * an absolute path and nothing else (`unix:///run/spire/agent.sock`), or `tcp:` with an IP
 * address and a port (`tcp://127.0.0.1:8081`). Anything else is a TypeError naming the field.
 */
export function workloadApiTarget(address: string, field: string): string {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new TypeError(`${field}: ${JSON.stringify(address)} is not a URI like unix:///path/to/agent.sock`);
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new TypeError(`${field}: a Workload API address has no query, fragment or userinfo`);
  }
  if (url.protocol === 'unix:') {
    if (url.host !== '' || !url.pathname.startsWith('/') || url.pathname === '/') {
      throw new TypeError(`${field}: a unix address is unix:///absolute/path (no authority)`);
    }
    return `unix://${decodeURIComponent(url.pathname)}`;
  }
  if (url.protocol === 'tcp:') {
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(host) === 0 || url.port === '' || url.pathname !== '') {
      throw new TypeError(`${field}: a tcp address is tcp://<IP address>:<port> (no host name, no path)`);
    }
    return isIP(host) === 6 ? `ipv6:[${host}]:${url.port}` : `ipv4:${host}:${url.port}`;
  }
  throw new TypeError(`${field}: the scheme must be unix: or tcp:, not ${url.protocol}`);
}
