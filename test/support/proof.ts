import assert from 'node:assert/strict';
import type { HttpSignatureIdentity, WorkloadIdentity, WptIdentity } from '@wimse-pep/core';

/** Narrows a verified identity to the HTTP-signature proof, failing the test otherwise. */
export function httpSignatureIdentity(identity: WorkloadIdentity): HttpSignatureIdentity {
  assert.equal(identity.proof, 'http-signature');
  return identity as HttpSignatureIdentity;
}

/** Narrows a verified identity to the WPT proof, failing the test otherwise. */
export function wptIdentity(identity: WorkloadIdentity): WptIdentity {
  assert.equal(identity.proof, 'wpt');
  return identity as WptIdentity;
}
