import { X509Certificate } from 'node:crypto';
import { createVerifier, isWimseError, parseSubjectAltNames, parseWorkloadId } from '@wimse-pep/core';
import { readPemFile } from '../dev-ca/pem-files.js';
import { type CliIo, FailureError, println } from '../io.js';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Whether `text` holds PEM certificates (a WIC) rather than a WIT. */
export function isCertificateText(text: string): boolean {
  return text.includes('-----BEGIN CERTIFICATE-----');
}

/**
 * Prints a Workload Identity Certificate: subject, issuer, validity, SubjectAltNames and the
 * workload identifier. With a CA file, verifies it exactly as a wimse-pep service would.
 */
export async function inspectCertificate(text: string, caPath: string | undefined, io: CliIo): Promise<number> {
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  const chain = blocks.map((block) => new X509Certificate(block));
  const [leaf] = chain;
  if (!leaf) throw new FailureError('no certificate found');
  const uris = parseSubjectAltNames(leaf.subjectAltName).filter((name) => name.type === 'URI');
  println(io.stdout, `subject:     ${leaf.subject.replaceAll('\n', ', ')}`);
  println(io.stdout, `issuer:      ${leaf.issuer.replaceAll('\n', ', ')}`);
  println(io.stdout, `valid:       ${leaf.validFrom} to ${leaf.validTo}`);
  println(io.stdout, `SANs:        ${leaf.subjectAltName ?? '(none)'}`);
  println(
    io.stdout,
    `thumbprint:  ${Buffer.from(leaf.fingerprint256.replaceAll(':', ''), 'hex').toString('base64url')}`,
  );
  println(io.stdout, `chain:       ${chain.length} certificate(s)`);
  const problems: string[] = [];
  if (uris.length !== 1) problems.push(`${uris.length} URI SubjectAltNames, a WIC has exactly one`);
  let trustDomain: string | undefined;
  try {
    const parsed = parseWorkloadId(uris[0]?.value);
    trustDomain = parsed.trustDomain;
    println(io.stdout, `workload:    ${parsed.id}`);
  } catch (error) {
    problems.push(`the URI SAN is not a workload identifier: ${(error as Error).message}`);
  }
  if (caPath === undefined) {
    println(io.stdout, 'chain check: not done (pass --ca <file>)');
  } else if (trustDomain !== undefined) {
    const verifier = createVerifier({
      trustDomains: [{ trustDomain, x509Authorities: [readPemFile(caPath, 'CA certificate')] }],
      audiences: ['http://localhost'],
    });
    try {
      await verifier.verifyClientCertificate({
        method: 'GET',
        target: '/',
        headers: {},
        transport: { peerCertificates: chain.map((certificate) => certificate.raw) },
      });
      println(io.stdout, `chain check: valid (chains to ${caPath})`);
    } catch (error) {
      if (!isWimseError(error)) throw error;
      println(io.stdout, `chain check: INVALID (${error.code}: ${error.message})`);
      problems.push(error.message);
    }
  }
  if (problems.length > 0) throw new FailureError(problems.join('; '));
  if (caPath !== undefined) println(io.stdout, 'verdict:     valid WIC');
  return 0;
}
