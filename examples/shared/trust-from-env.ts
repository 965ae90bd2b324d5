/**
 * Trust configuration for the example services, configured out of band (never from a request):
 * a JSON file with the core's VerifierOptions (WIMSE_TRUST_FILE), or WIMSE_TRUST_DOMAIN,
 * WIMSE_ISSUER, WIMSE_AUDIENCE and the issuer keys from WIMSE_JWKS_FILE or WIMSE_JWKS_URI.
 */
import { readFileSync } from 'node:fs';
import type { IssuerKeySource, VerifierOptions } from '@wimse-pep/core';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`set WIMSE_TRUST_FILE, or ${name} (see the example's README.md)`);
  return value;
}

export function trustFromEnv(): VerifierOptions {
  const file = process.env.WIMSE_TRUST_FILE;
  if (file) return JSON.parse(readFileSync(file, 'utf8')) as VerifierOptions;
  const jwksFile = process.env.WIMSE_JWKS_FILE;
  const keys: IssuerKeySource = jwksFile
    ? { jwks: JSON.parse(readFileSync(jwksFile, 'utf8')) }
    : { jwksUri: required('WIMSE_JWKS_URI') };
  return {
    trustDomains: [
      { trustDomain: required('WIMSE_TRUST_DOMAIN'), issuers: [{ issuer: required('WIMSE_ISSUER'), ...keys }] },
    ],
    audiences: [required('WIMSE_AUDIENCE')],
  };
}
