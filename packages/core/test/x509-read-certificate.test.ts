import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { Certificate, Extension } from '@peculiar/asn1-x509';
import { isWimseError } from '@wimse-pep/core';
import { readPathCertificate } from '../src/mtls/path/read-path-certificate.js';
import { CaseBuilder } from './x509-corpus/corpus-cases.js';
import { OpensslPki } from './x509-corpus/openssl-pki.js';

/**
 * What openssl's CLI will not write: certificates edited after signing. Reading comes before any
 * signature check, so these show what the reader refuses on its own.
 */
let scratch: string;
let leafDer: Uint8Array;

before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'wimse-x509-read-'));
  const builder = new CaseBuilder(new OpensslPki(scratch), 'read');
  leafDer = new X509Certificate(builder.leaf(builder.root()).pem).raw;
});
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The leaf with its extensions rewritten, re-encoded (its signature no longer matches). */
function edited(change: (extensions: Extension[]) => Extension[]): Uint8Array {
  const certificate = AsnConvert.parse(leafDer, Certificate);
  const tbs = certificate.tbsCertificate;
  tbs.extensions?.splice(0, tbs.extensions.length, ...change([...(tbs.extensions ?? [])]));
  certificate.tbsCertificateRaw = undefined;
  return new Uint8Array(AsnConvert.serialize(certificate));
}

function refusal(der: Uint8Array): string {
  try {
    readPathCertificate(der);
  } catch (error) {
    assert.ok(isWimseError(error));
    assert.equal(error.code, 'certificate_invalid');
    return error.message;
  }
  assert.fail('the certificate was read');
}

describe('reading a certificate for path validation', () => {
  it('reads the unedited leaf: key usage bits, purposes, the URI name, the critical extensions', () => {
    const leaf = readPathCertificate(leafDer);
    assert.deepEqual([...(leaf.keyUsage ?? [])], ['digitalSignature']);
    assert.deepEqual(leaf.extendedKeyUsage, ['1.3.6.1.5.5.7.3.2']);
    assert.deepEqual(leaf.subjectAltNames, [
      { form: 'uniformResourceIdentifier', value: 'wimse://example.org/service/a' },
    ]);
    assert.deepEqual(leaf.basicConstraints, { ca: false, pathLength: undefined });
    assert.deepEqual([...leaf.criticalExtensions].sort(), ['2.5.29.15', '2.5.29.19']);
    assert.equal(leaf.selfIssued, false);
  });
  it('refuses an extension that appears twice (RFC 5280 §4.2)', () => {
    const der = edited((extensions) => [...extensions, ...extensions.filter((e) => e.extnID === '2.5.29.17')]);
    assert.match(refusal(der), /repeats the extension 2\.5\.29\.17/);
  });
  it('refuses an extension whose value does not decode', () => {
    const der = edited((extensions) => [
      ...extensions.filter((e) => e.extnID !== '2.5.29.19'),
      new Extension({ extnID: '2.5.29.19', critical: true, extnValue: new OctetString(new Uint8Array([0x05])) }),
    ]);
    assert.match(refusal(der), /unreadable extension 2\.5\.29\.19/);
  });
  it('refuses bytes that are not a certificate', () => {
    assert.match(refusal(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01])), /not a readable X\.509 certificate/);
  });
});
