import { existsSync, readFileSync } from 'node:fs';
import {
  CredentialError,
  createWimseFetch,
  fileCredentials,
  MAX_SIGNATURE_LIFETIME_SEC,
  MAX_WPT_LIFETIME_SEC,
  type MutualTlsFetch,
  type MutualTlsFetchOptions,
  mutualTlsFetch,
  ResponseVerificationError,
  responderOf,
  type SentRequest,
  staticCredentials,
} from '@wimse-pep/client';
import { createVerifier, type ProfileName, type VerifierOptions } from '@wimse-pep/core';
import { profiles } from '@wimse-pep/core/signing';
import { readPemFile } from '../dev-ca/pem-files.js';
import { CONCEALED_FIELDS, formatRequest, formatResponse, formatWit } from '../format/exchange-text.js';
import {
  type CliIo,
  type Command,
  FailureError,
  integerOption,
  type OptionValues,
  println,
  requiredString,
  stringList,
  stringOption,
  UsageError,
} from '../io.js';
import { parseKey } from '../keys/key-files.js';

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export const requestCommand: Command = {
  name: 'request',
  summary: 'send a signed request (curl-like) and show the exchange',
  help: `Usage: wimse-pep request <url> --wit <file> --key <file> [--bearer <token|@file>] [options]
       wimse-pep request <url> --bearer <token|@file> [options]
       wimse-pep request <https-url> --tls-cert <file> --tls-key <file> [--wit ... --key ...] [options]
       wimse-pep request <url> --wit <file> --key <file> --proof wpt [options]

Sends one HTTP request as a WIMSE workload: the Workload-Identity-Token, Content-Digest for a
body, and an RFC 9421 signature made with the key bound in the WIT. Prints the WIT (decoded),
the request headers as sent, and the response. With --require-signed-response the response must
be signed by a workload trusted by --trust, over this very request.

The Workload-Identity-Token and Signature fields (of the request and of a signed response) are
shown shortened: their first characters, length and SHA-256 prefix. A WIT with a signature can be
replayed within the signature's lifetime; --show-secrets prints them whole.

--wit must hold the WIT alone, a compact JWS with typ wit+jwt: not the dev-issuer's JSON answer
{"wit": ...}, never a private key. Anything else is refused before anything is sent (exit 2).

With --bearer, the request also carries Authorization: Bearer <token>, covered by the signature
(dual send, during a migration); with --bearer alone, only the token is sent, nothing signed (a
caller not migrated yet). The token is never printed (its decoded claims are).

With --proof wpt, the proof is a Workload Proof Token (draft-ietf-wimse-wpt-02) instead of a
signature: a fresh JWT signed with the WIT's key, sent as Authorization: WPT, binding the WIT
(wth), the audience (aud = the URL without query or fragment), a random jti and a short exp. It
does not cover the method or the body, and takes neither --bearer nor --require-signed-response.
The token itself is not printed (its jti is).

With --tls-cert and --tls-key, the request presents a Workload Identity Certificate in mutual
TLS (made with 'wimse-pep mint-wic' or the dev-issuer's POST /wic), alone or under a signature.

Options:
  --wit <file>                the caller's WIT (a file; a token is accepted too)
  --key <file>                the matching private key (JWK or PEM)
  --proof <kind>              http-signature (default) or wpt
  --bearer <token|@file>      a bearer token to send as Authorization: Bearer; @<file> reads it
  --tls-cert <file>           a WIC (PEM, leaf first) to present in mutual TLS
  --tls-key <file>            its private key (PEM)
  --cacert <file>             CA certificate(s) the server's TLS certificate must chain to
  -X, --request <method>      the method (default GET, or POST with -d)
  -d, --data <body>           the body; @<file> reads it from a file
  -H, --header <name: value>  an extra header (repeatable)
  --audience <uri>            wimse-aud, or the WPT's aud (default: the URL without query or fragment)
  --profile <name>            http-sig-07 (default), http-sig-06 or service-to-service
  --lifetime <seconds>        signature lifetime (default 60, at most 360), or WPT lifetime (at most
                              300): the longest a verifier with default options accepts
  --require-signed-response   ask for a signed response and verify it
  --trust <file>              the servers' trust configuration: VerifierOptions JSON, e.g.
                              {"trustDomains":[{"trustDomain":"example.com","issuers":[{"jwksUri":"..."}]}]}
  --expect-id <workload-id>   the responder must be this workload
  --show-secrets              print the WIT and the signatures whole (a bearer token, a WPT and
                              the Authorization credentials are never printed)
  -s, --silent                print the response body only
  -h, --help                  show this help

Exit codes: 0 answered with 1xx-3xx (and verified, when required), 1 refused (4xx/5xx),
unreachable, or a signed response that does not verify, 2 usage error (including unusable
--wit/--key/--trust files).

Example:
  wimse-pep request http://127.0.0.1:8080/orders -d '{"item":"cone"}' -H 'content-type: application/json' \\
    --wit checkout.wit --key checkout.jwk --require-signed-response --trust trust.json`,
  options: {
    wit: { type: 'string' },
    key: { type: 'string' },
    request: { type: 'string', short: 'X' },
    data: { type: 'string', short: 'd' },
    header: { type: 'string', short: 'H', multiple: true },
    audience: { type: 'string' },
    profile: { type: 'string' },
    lifetime: { type: 'string' },
    'require-signed-response': { type: 'boolean' },
    trust: { type: 'string' },
    'expect-id': { type: 'string' },
    'show-secrets': { type: 'boolean' },
    bearer: { type: 'string' },
    proof: { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    cacert: { type: 'string' },
    silent: { type: 'boolean', short: 's' },
  },
  positionals: { min: 1, max: 1, names: 'the URL' },
  async run(values, positionals, io) {
    const url = parseUrl(positionals[0] as string);
    const proof = proofFrom(values);
    const bearerArgument = stringOption(values, 'bearer');
    const bearer = bearerArgument === undefined ? undefined : readBearer(bearerArgument);
    const tls = mutualTlsFrom(values, url);
    const signing =
      proof === 'wpt' ||
      (bearer === undefined && tls === undefined) ||
      values.wit !== undefined ||
      values.key !== undefined;
    const witArgument = signing ? requiredString(values, 'wit') : undefined;
    const keyPath = signing ? requiredString(values, 'key') : undefined;
    const body = readBody(stringOption(values, 'data'));
    const method = stringOption(values, 'request') ?? (body === undefined ? 'GET' : 'POST');
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(method)) throw new UsageError(`-X ${method} is not an HTTP method`);
    if (body !== undefined && ['GET', 'HEAD'].includes(method.toUpperCase())) {
      throw new UsageError(`a ${method.toUpperCase()} request cannot have a body (-d): use -X POST or PUT`);
    }
    const headers = new Headers();
    for (const line of stringList(values, 'header')) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new UsageError(`-H ${JSON.stringify(line)} must be 'name: value'`);
      try {
        headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
      } catch (error) {
        throw new UsageError(`-H ${JSON.stringify(line)}: ${(error as Error).message}`);
      }
    }
    const profile = stringOption(values, 'profile');
    if (profile !== undefined && !Object.hasOwn(profiles, profile)) {
      throw new UsageError(`--profile must be one of ${Object.keys(profiles).join(', ')}`);
    }
    const lifetimeSec = lifetimeFrom(values, proof);
    const required = values['require-signed-response'] === true;
    const trustPath = stringOption(values, 'trust');
    if (!signing) {
      for (const name of ['profile', 'audience', 'lifetime', 'require-signed-response']) {
        if (values[name] !== undefined)
          throw new UsageError(`--${name} applies to signed requests: give --wit and --key`);
      }
    }
    if (required && trustPath === undefined) {
      throw new UsageError('--require-signed-response needs --trust <file> (who may sign the response)');
    }
    if (!required && (trustPath !== undefined || values['expect-id'] !== undefined)) {
      throw new UsageError('--trust and --expect-id are used with --require-signed-response');
    }
    const verifier = trustPath === undefined ? undefined : loadVerifier(trustPath, profile as ProfileName | undefined);
    const expectedId = stringOption(values, 'expect-id');

    const credentials =
      witArgument === undefined || keyPath === undefined ? undefined : credentialsFrom(witArgument, keyPath);

    const silent = values.silent === true;
    const conceal = values['show-secrets'] === true ? [] : CONCEALED_FIELDS;
    let sent: SentRequest | undefined;
    let wimseFetch: ReturnType<typeof createWimseFetch>;
    const transport = tls === undefined ? undefined : mutualTlsFetch(tls);
    try {
      wimseFetch =
        !signing && bearer === undefined && transport
          ? certificateOnly(transport, io, silent)
          : createWimseFetch({
              ...(transport === undefined ? {} : { fetch: transport }),
              ...(credentials === undefined ? {} : { credentials, lifetimeSec }),
              ...(bearer === undefined ? {} : { bearer }),
              ...(proof === 'wpt' ? { proof } : {}),
              ...(profile === undefined ? {} : { profile: profile as ProfileName }),
              ...(stringOption(values, 'audience') === undefined
                ? {}
                : { audience: stringOption(values, 'audience') as string }),
              ...(verifier === undefined
                ? {}
                : { requireSignedResponse: { verifier, ...(expectedId === undefined ? {} : { expectedId }) } }),
              onRequest: (request) => {
                sent = request;
                if (silent) return;
                const wit = request.headers['workload-identity-token'];
                if (wit !== undefined) {
                  println(io.stdout, 'WIT header and payload:');
                  println(io.stdout, formatWit(wit));
                  println(io.stdout);
                }
                if (bearer !== undefined) {
                  println(io.stdout, describeBearer(bearer));
                  println(io.stdout);
                }
                if (proof === 'wpt') {
                  println(io.stdout, `Workload Proof Token: jti ${request.nonce} (the token itself is not shown)`);
                  println(io.stdout);
                }
                println(io.stdout, 'Request:');
                println(io.stdout, formatRequest(request, { conceal }));
                println(io.stdout);
              },
            });
    } catch (error) {
      if (error instanceof TypeError) throw new UsageError(error.message);
      throw error;
    }

    let response: Response;
    try {
      response = await wimseFetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
    } catch (error) {
      await transport?.close();
      if (error instanceof CredentialError) throw new UsageError(error.message);
      if (error instanceof ResponseVerificationError) {
        const unverified = error.response;
        if (!silent) {
          println(io.stdout, 'Response (NOT VERIFIED):');
          println(io.stdout, await showResponse(unverified, conceal));
          println(io.stdout);
        }
        throw new FailureError(`the response signature is not acceptable (${error.code}): ${error.message}`);
      }
      if (error instanceof TypeError && sent === undefined) throw new UsageError(error.message);
      throw new FailureError(`${method} ${url.href} failed: ${describeNetworkError(error)}`);
    }
    if (silent) {
      io.stdout.write(await response.text());
    } else {
      println(io.stdout, 'Response:');
      println(io.stdout, await showResponse(response, conceal));
      println(io.stdout);
      const responder = responderOf(response);
      if (responder) {
        println(
          io.stdout,
          `Verified signed response from ${responder.id} (key ${responder.keyThumbprint}, wimse-req-nonce = request nonce ${sent?.nonce})`,
        );
      } else if (response.headers.has('signature')) {
        println(io.stdout, 'The response is signed, but not verified (use --require-signed-response --trust <file>)');
      }
    }
    const refusal = response.status >= 400 ? await problemCode(response) : undefined;
    await transport?.close();
    if (refusal !== undefined) throw new FailureError(`the server answered ${response.status}${refusal}`);
    return 0;
  },
};

/**
 * `--proof`: the kind of proof of possession. A WPT binds no bearer token beside it (the
 * Authorization field carries the WPT) and no signed response answers it: the client refuses both,
 * and the CLI says so as a usage error before anything is sent.
 */
function proofFrom(values: OptionValues): 'http-signature' | 'wpt' {
  const proof = stringOption(values, 'proof') ?? 'http-signature';
  if (proof !== 'http-signature' && proof !== 'wpt') throw new UsageError('--proof must be http-signature or wpt');
  if (proof === 'wpt') {
    for (const name of ['bearer', 'require-signed-response', 'profile']) {
      if (values[name] !== undefined) throw new UsageError(`--${name} cannot be used with --proof wpt`);
    }
  }
  return proof;
}

/**
 * `--lifetime`: no longer than a verifier with default options accepts (the client refuses more),
 * said here as a usage error with the reason.
 */
function lifetimeFrom(values: OptionValues, proof: 'http-signature' | 'wpt'): number {
  const max = proof === 'wpt' ? MAX_WPT_LIFETIME_SEC : MAX_SIGNATURE_LIFETIME_SEC;
  const value = stringOption(values, 'lifetime');
  if (value !== undefined && /^\d+$/.test(value) && Number(value) > max) {
    const what = proof === 'wpt' ? 'WPT (wpt.maxLifetimeSec)' : 'signature (maxSignatureLifetimeSec)';
    throw new UsageError(`--lifetime must be at most ${max}: a verifier with default options refuses a longer ${what}`);
  }
  return integerOption(values, 'lifetime', 60, 1, max);
}

/** `--tls-cert`, `--tls-key`, `--cacert`: a WIC for mutual TLS, or undefined. */
function mutualTlsFrom(values: OptionValues, url: URL): MutualTlsFetchOptions | undefined {
  const certPath = stringOption(values, 'tls-cert');
  const keyPath = stringOption(values, 'tls-key');
  const caPath = stringOption(values, 'cacert');
  if (certPath === undefined && keyPath === undefined) {
    if (caPath !== undefined) throw new UsageError('--cacert is used with --tls-cert and --tls-key');
    return undefined;
  }
  if (certPath === undefined || keyPath === undefined) throw new UsageError('--tls-cert and --tls-key go together');
  if (url.protocol !== 'https:') throw new UsageError('a client certificate needs an https URL');
  return {
    certificate: readPemFile(certPath, '--tls-cert certificate'),
    privateKey: readPemFile(keyPath, '--tls-key private key'),
    ...(caPath === undefined ? {} : { ca: readPemFile(caPath, '--cacert CA certificate') }),
  };
}

/** Mutual TLS alone: nothing is signed, the certificate in the handshake is the credential. */
function certificateOnly(transport: MutualTlsFetch, io: CliIo, silent: boolean): ReturnType<typeof createWimseFetch> {
  return (input, init = {}) => {
    const url = input instanceof Request ? input.url : String(input);
    if (!silent) {
      println(io.stdout, 'Request (mutual TLS, presenting the --tls-cert certificate; nothing signed):');
      println(io.stdout, `${init.method ?? 'GET'} ${url}`);
      println(io.stdout);
    }
    return transport(url, init);
  };
}

function parseUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${JSON.stringify(value)} is not an absolute URL (e.g. http://127.0.0.1:8080/orders)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${value} is not an http(s) URL`);
  return url;
}

/** `--wit` and `--key`: a WIT given inline is used as is; files are watched as an agent would rotate them. */
function credentialsFrom(witArgument: string, keyPath: string) {
  const inlineWit = JWT.test(witArgument) && !existsSync(witArgument);
  if (!inlineWit && !existsSync(witArgument)) throw new UsageError(`--wit ${witArgument}: no such file`);
  if (!existsSync(keyPath)) throw new UsageError(`--key ${keyPath}: no such file`);
  return inlineWit
    ? staticCredentials({ wit: witArgument, privateKey: loadPrivateKey(keyPath) })
    : fileCredentials({ witPath: witArgument, keyPath });
}

/** `--bearer`: the token, or @<file> holding it (surrounding whitespace ignored). */
function readBearer(argument: string): string {
  if (!argument.startsWith('@')) return argument;
  try {
    return readFileSync(argument.slice(1), 'utf8').trim();
  } catch (error) {
    throw new UsageError(`--bearer ${argument}: cannot read the file (${(error as NodeJS.ErrnoException).code})`);
  }
}

/** The bearer token's JOSE header and claims when it is a JWT; never the token itself. */
function describeBearer(token: string): string {
  try {
    return `Bearer token header and payload (the token itself is not shown):\n${formatWit(token)}`;
  } catch {
    return `Bearer token: an opaque token of ${token.length} characters (not shown)`;
  }
}

function readBody(data: string | undefined): string | Uint8Array | undefined {
  if (data === undefined || !data.startsWith('@')) return data;
  try {
    return new Uint8Array(readFileSync(data.slice(1)));
  } catch (error) {
    throw new UsageError(`-d ${data}: cannot read the file (${(error as NodeJS.ErrnoException).code})`);
  }
}

function loadPrivateKey(path: string) {
  const key = parseKey(readFileSync(path, 'utf8').trim(), `--key ${path}`);
  if (!key.privateKey) throw new UsageError(`--key ${path} holds a public key; the private key signs the request`);
  return key.privateKey;
}

function loadVerifier(path: string, profile: ProfileName | undefined) {
  let options: VerifierOptions;
  try {
    options = JSON.parse(readFileSync(path, 'utf8')) as VerifierOptions;
  } catch (error) {
    throw new UsageError(`--trust ${path}: not a readable JSON file (${(error as Error).message})`);
  }
  try {
    // Audiences only matter for incoming requests; a response check never reads them.
    return createVerifier({
      ...options,
      audiences: options.audiences ?? ['http://localhost'],
      ...(profile === undefined ? {} : { profile }),
    });
  } catch (error) {
    throw new UsageError(`--trust ${path}: ${(error as Error).message}`);
  }
}

async function showResponse(response: Response, conceal: readonly string[]): Promise<string> {
  const body = new Uint8Array(await response.clone().arrayBuffer());
  return formatResponse(
    { status: response.status, statusText: response.statusText, headers: response.headers, body },
    { conceal },
  );
}

/** What a problem code looks like; any other server text stays out of the error message. */
const PROBLEM_CODE = /^[a-z][a-z0-9_]{0,63}$/;

async function problemCode(response: Response): Promise<string> {
  try {
    const problem = (await response.clone().json()) as { code?: unknown } | null;
    const code = problem?.code;
    return typeof code === 'string' && PROBLEM_CODE.test(code) ? ` ${code}` : '';
  } catch {
    return '';
  }
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
