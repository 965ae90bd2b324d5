import { profiles } from '@wimse-pep/core/signing';
import { CredentialError } from '../errors/credential-error.js';
import { describeCredentialText } from './describe-credential-text.js';

/** Members only a private or symmetric JWK has (RFC 7518 section 6). */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** `wit+jwt`, and the legacy `wimse-id+jwt` that only the service-to-service profile accepts. */
const WIT_TYPES: ReadonlySet<string> = new Set(Object.values(profiles).flatMap((profile) => profile.witTypes));

/** A WIT that may leave the process, decoded (its signature is the issuer's business, not checked here). */
export interface SendableWit {
  /** The compact JWS, without surrounding whitespace. */
  readonly wit: string;
  readonly header: Readonly<Record<string, unknown>>;
  readonly claims: Readonly<Record<string, unknown>>;
}

/**
 * Decodes the WIT a caller is about to send in `Workload-Identity-Token`, and refuses anything that
 * must not leave the process: a value that is not exactly a compact JWS typed `wit+jwt` (a JSON
 * file holding the WIT and its private key, a bearer token, a PEM key), and a WIT whose `cnf.jwk`
 * carries private key members, which a broken issuer would publish to every callee. The error
 * says what was found, never what it holds. `where` names the source (e.g. the file paths).
 */
export function readSendableWit(value: unknown, where: string): SendableWit {
  if (typeof value !== 'string') throw new CredentialError(`${where}: the WIT must be a string, got ${typeof value}`);
  const wit = value.trim();
  if (!COMPACT_JWS.test(wit)) throw notAWit(where, describeCredentialText(wit));
  const [headerPart, payloadPart] = wit.split('.') as [string, string, string];
  const header = decodeSegment(headerPart);
  if (header === undefined || typeof header.alg !== 'string') {
    throw notAWit(where, 'three segments whose first is not a JOSE header (a JSON object with alg)');
  }
  const typ = typeof header.typ === 'string' ? header.typ.toLowerCase().replace(/^application\//, '') : undefined;
  if (typ === undefined || !WIT_TYPES.has(typ)) {
    throw notAWit(where, `a JWS with ${header.typ === undefined ? 'no typ' : `typ ${shown(header.typ)}`}`);
  }
  const claims = decodeSegment(payloadPart);
  if (claims === undefined) throw notAWit(where, 'a JWS whose payload is not a JSON object of claims');
  const cnfJwk = (claims.cnf as { jwk?: unknown } | undefined)?.jwk;
  if (typeof cnfJwk === 'object' && cnfJwk !== null) {
    const found = PRIVATE_JWK_MEMBERS.filter((member) => Object.hasOwn(cnfJwk, member));
    if (found.length > 0) {
      throw new CredentialError(
        `${where}: the WIT's cnf.jwk carries private key members (${found.join(', ')}): it is not sent, ` +
          'since every callee and intermediary would learn the private key; the issuer that made it is broken',
      );
    }
  }
  return { wit, header, claims };
}

function notAWit(where: string, found: string): CredentialError {
  return new CredentialError(
    `${where}: a WIT must be a compact JWS (three base64url segments) with typ wit+jwt, found ${found}; nothing was sent`,
  );
}

function decodeSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A header value in a message: short printable text as JSON, anything else by its kind. */
function shown(value: unknown): string {
  return typeof value === 'string' && /^[\x21-\x7e]{1,64}$/.test(value) ? JSON.stringify(value) : `(a ${typeof value})`;
}
