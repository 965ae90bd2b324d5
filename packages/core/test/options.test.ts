/**
 * Every verifier option, given with a wrong type or shape, is refused at construction with a
 * TypeError that names the field and says what was expected (never a JavaScript error from deep
 * inside, such as "Cannot use 'in' operator").
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createVerifier, type VerifierOptions } from '@wimse-pep/core';
import { generateTestKey } from '../../../test/support/index.js';

const key = generateTestKey('ES256', 'k1').publicJwk;
const issuer = { jwks: { keys: [key] } };
const valid = {
  trustDomains: [{ trustDomain: 'td.example', issuers: [issuer] }],
  audiences: ['https://orders.example'],
};
const withDomain = (domain: Record<string, unknown>) => ({
  ...valid,
  trustDomains: [{ trustDomain: 'td.example', issuers: [issuer], ...domain }],
});
const withIssuer = (fields: Record<string, unknown>) => withDomain({ issuers: [{ ...issuer, ...fields }] });

/** [what, options, the field the message must name, words of the expected shape]. */
const table: [string, unknown, string, RegExp][] = [
  ['options that are not an object', 'td.example', 'options', /an object like \{ trustDomains/],
  ['options null', null, 'options', /an object/],
  [
    'an unknown option',
    { ...valid, audience: ['x'] },
    'createVerifier: audience must be absent',
    /the options are trustDomains/,
  ],
  // trustDomains
  [
    'trustDomains missing',
    { audiences: valid.audiences },
    'trustDomains',
    /non-empty array of \{ trustDomain, issuers \}/,
  ],
  [
    'trustDomains as an object',
    { ...valid, trustDomains: { trustDomain: 'td.example' } },
    'trustDomains',
    /non-empty array/,
  ],
  ['trustDomains empty', { ...valid, trustDomains: [] }, 'trustDomains', /non-empty array/],
  [
    'a trust domain as a string',
    { ...valid, trustDomains: ['td.example'] },
    'trustDomains[0]',
    /an object like \{ trustDomain/,
  ],
  [
    'trustDomain missing',
    { ...valid, trustDomains: [{ issuers: [issuer] }] },
    'trustDomains[0].trustDomain',
    /non-empty string/,
  ],
  ['trustDomain a number', withDomain({ trustDomain: 42 }), 'trustDomains[0].trustDomain', /non-empty string/],
  [
    'trustDomain upper case',
    withDomain({ trustDomain: 'TD.example' }),
    'trustDomains[0].trustDomain',
    /lower-case trust domain/,
  ],
  [
    'an unknown trust-domain member',
    withDomain({ issuer: 'x' }),
    'trustDomains[0].issuer must be absent',
    /the options are/,
  ],
  [
    'proofAlgorithms a string',
    withDomain({ proofAlgorithms: 'ES256' }),
    'trustDomains[0].proofAlgorithms',
    /array of JWS algorithm names/,
  ],
  [
    'proofAlgorithms HS256',
    withDomain({ proofAlgorithms: ['HS256'] }),
    'trustDomains[0].proofAlgorithms[0]',
    /asymmetric JWS/,
  ],
  // issuers
  ['issuers missing', withDomain({ issuers: undefined }), 'trustDomains[0].issuers', /non-empty array of issuers/],
  [
    'issuers as strings (the reported case)',
    withDomain({ issuers: ['https://issuer.example'] }),
    'trustDomains[0].issuers[0]',
    /an object like \{ jwks: \{ keys: \[\.\.\.\] \} \} or \{ jwksUri/,
  ],
  [
    'an issuer without keys',
    withDomain({ issuers: [{ issuer: 'https://issuer.example' }] }),
    'trustDomains[0].issuers[0]',
    /exactly one of jwks .* or jwksUri/,
  ],
  [
    'an issuer with both jwks and jwksUri',
    withIssuer({ jwksUri: 'https://keys.example/jwks' }),
    'trustDomains[0].issuers[0]',
    /exactly one of jwks/,
  ],
  [
    'an unknown issuer member',
    withIssuer({ jwks_uri: 'https://keys.example' }),
    'trustDomains[0].issuers[0].jwks_uri must be absent',
    /the options are/,
  ],
  [
    'jwks as an array of keys',
    withDomain({ issuers: [{ jwks: [key] }] }),
    'trustDomains[0].issuers[0].jwks',
    /JSON Web Key Set like \{ keys/,
  ],
  [
    'jwks.keys empty',
    withDomain({ issuers: [{ jwks: { keys: [] } }] }),
    'trustDomains[0].issuers[0].jwks',
    /at least one key/,
  ],
  [
    'a key that is a string',
    withDomain({ issuers: [{ jwks: { keys: ['k'] } }] }),
    'trustDomains[0].issuers[0].jwks.keys[0]',
    /JSON Web Key \(an object with kty\)/,
  ],
  [
    'a private key',
    withDomain({ issuers: [{ jwks: { keys: [{ ...key, d: 'x' }] } }] }),
    'trustDomains[0].issuers[0].jwks.keys[0]',
    /must be a public key \(no d, no kty oct\)/,
  ],
  [
    'jwksUri a number',
    withDomain({ issuers: [{ jwksUri: 443 }] }),
    'trustDomains[0].issuers[0].jwksUri',
    /non-empty string/,
  ],
  [
    'jwksUri not a URL',
    withDomain({ issuers: [{ jwksUri: 'keys' }] }),
    'trustDomains[0].issuers[0].jwksUri',
    /absolute https URL/,
  ],
  [
    'jwksUri plain http off loopback',
    withDomain({ issuers: [{ jwksUri: 'http://keys.example/jwks' }] }),
    'trustDomains[0].issuers[0]',
    /must be an https URL \(plain http only on loopback\)/,
  ],
  [
    'cooldownMs a string',
    withDomain({ issuers: [{ jwksUri: 'https://k.example/j', cooldownMs: '30s' }] }),
    'trustDomains[0].issuers[0].cooldownMs',
    /positive number of milliseconds/,
  ],
  [
    'cacheMaxAgeMs negative',
    withDomain({ issuers: [{ jwksUri: 'https://k.example/j', cacheMaxAgeMs: -1 }] }),
    'trustDomains[0].issuers[0].cacheMaxAgeMs',
    /positive number/,
  ],
  [
    'timeoutMs zero',
    withDomain({ issuers: [{ jwksUri: 'https://k.example/j', timeoutMs: 0 }] }),
    'trustDomains[0].issuers[0].timeoutMs',
    /positive number/,
  ],
  ['issuer a number', withIssuer({ issuer: 7 }), 'trustDomains[0].issuers[0].issuer', /non-empty string/],
  [
    'requireIssuerClaim a string',
    withIssuer({ requireIssuerClaim: 'yes' }),
    'trustDomains[0].issuers[0].requireIssuerClaim',
    /true or false/,
  ],
  [
    'requireIssuerClaim without issuer',
    withIssuer({ requireIssuerClaim: true }),
    'trustDomains[0].issuers[0]',
    /\.issuer must be given when requireIssuerClaim is set/,
  ],
  [
    'origins a string',
    withIssuer({ origins: 'wimse://td.example' }),
    'trustDomains[0].issuers[0].origins',
    /array of origins/,
  ],
  [
    'an origin with a path',
    withIssuer({ origins: ['wimse://td.example/x'] }),
    'trustDomains[0].issuers[0].origins[0]',
    /an origin like/,
  ],
  [
    'an origin of another trust domain',
    withIssuer({ origins: ['wimse://other.example'] }),
    'trustDomains[0].issuers[0].origins[0]',
    /must be an origin of trust domain td\.example/,
  ],
  [
    'algorithms a string',
    withIssuer({ algorithms: 'ES256' }),
    'trustDomains[0].issuers[0].algorithms',
    /array of JWS algorithm names/,
  ],
  [
    'algorithms with none',
    withIssuer({ algorithms: ['none'] }),
    'trustDomains[0].issuers[0].algorithms[0]',
    /asymmetric JWS/,
  ],
  ['algorithms empty', withIssuer({ algorithms: [] }), 'trustDomains[0].issuers[0].algorithms', /non-empty array/],
  // audiences
  ['audiences missing under -07', { trustDomains: valid.trustDomains }, 'audiences', /required/],
  [
    'audiences a string',
    { ...valid, audiences: 'https://orders.example' },
    'audiences',
    /array of origins like "https:\/\/orders.example" or a function/,
  ],
  ['audiences empty', { ...valid, audiences: [] }, 'audiences', /non-empty array/],
  ['an audience a number', { ...valid, audiences: [443] }, 'audiences[0]', /origin like https:\/\/orders.example/],
  [
    'an audience with a path',
    { ...valid, audiences: ['https://orders.example/api'] },
    'audiences[0]',
    /origin such as/,
  ],
  // scalars and functions
  [
    'profile unknown',
    { ...valid, profile: 'http-sig-99' },
    'profile',
    /one of http-sig-07, http-sig-06, service-to-service/,
  ],
  ['clockToleranceSec a string', { ...valid, clockToleranceSec: '60' }, 'clockToleranceSec', /integer from 0 to 300/],
  ['clockToleranceSec too large', { ...valid, clockToleranceSec: 3600 }, 'clockToleranceSec', /integer from 0 to 300/],
  [
    'maxSignatureLifetimeSec fractional',
    { ...valid, maxSignatureLifetimeSec: 1.5 },
    'maxSignatureLifetimeSec',
    /integer from 1 to 3600/,
  ],
  ['maxWitBytes too small', { ...valid, maxWitBytes: 10 }, 'maxWitBytes', /integer from 256/],
  ['maxWitLifetimeSec a string', { ...valid, maxWitLifetimeSec: '1d' }, 'maxWitLifetimeSec', /integer from 60/],
  ['witCacheSize negative', { ...valid, witCacheSize: -1 }, 'witCacheSize', /integer from 0/],
  ['replayStoreTimeoutMs zero', { ...valid, replayStoreTimeoutMs: 0 }, 'replayStoreTimeoutMs', /integer from 1/],
  [
    'notIssuedBeforeTimeoutMs a string',
    { ...valid, notIssuedBeforeTimeoutMs: '1s' },
    'notIssuedBeforeTimeoutMs',
    /integer from 1/,
  ],
  ['now a number', { ...valid, now: 1_700_000_000_000 }, 'now', /a function returning milliseconds/],
  [
    'notIssuedBefore a number',
    { ...valid, notIssuedBefore: 1_700_000_000 },
    'notIssuedBefore',
    /a function \(workloadId\)/,
  ],
  ['replayStore null', { ...valid, replayStore: null }, 'replayStore', /an object with addIfAbsent/],
  [
    'replayStore without addIfAbsent',
    { ...valid, replayStore: { add: () => true } },
    'replayStore',
    /an object with addIfAbsent/,
  ],
];

describe('createVerifier: every option with a wrong type or shape', () => {
  for (const [what, options, field, shape] of table) {
    it(`${what}: a TypeError naming ${field}`, () => {
      assert.throws(
        () => createVerifier(options as VerifierOptions),
        (error: unknown) => {
          assert.ok(error instanceof TypeError, `not a TypeError: ${String(error)}`);
          assert.ok(error.message.includes(field), `"${error.message}" does not name ${field}`);
          assert.match(error.message, shape);
          assert.match(error.message, /^createVerifier: /);
          assert.doesNotMatch(error.message, /Cannot |is not a function|undefined is not|of null/);
          return true;
        },
      );
    });
  }
  it('a secret given in the wrong place is not echoed (a private key d)', () => {
    assert.throws(
      () =>
        createVerifier(
          withDomain({ issuers: [{ jwks: { keys: [{ ...key, d: 'SECRET-D-VALUE' }] } }] }) as VerifierOptions,
        ),
      (error: unknown) => error instanceof TypeError && !error.message.includes('SECRET-D-VALUE'),
    );
  });
  it('control: the valid configuration of the table is accepted', () => {
    assert.ok(createVerifier(valid as VerifierOptions));
  });
});
