import type { WorkloadRequest } from '@wimse-pep/core';

/**
 * The plain-data request of a Web `Request`: its method, the target as received (the URL after
 * its origin, percent-encoding kept) and its header fields. The Fetch API joins repeated field
 * lines with ", ", so a second WIT or Signature line shows as one malformed value. Nothing of the
 * connection is known here: a Web Request carries no transport.
 */
export function webWorkloadRequest(raw: Request): WorkloadRequest {
  const headers: Record<string, string> = {};
  raw.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { method: raw.method, target: targetOf(raw.url), headers };
}

function targetOf(url: string): string {
  const authority = url.indexOf('//');
  const path = url.indexOf('/', authority === -1 ? 0 : authority + 2);
  return path === -1 ? '/' : url.slice(path);
}
