import { writeFileSync } from 'node:fs';
import { startDevIssuer } from '../dev-issuer/start-dev-issuer.js';
import { startWorkloadApiOption, workloadApiHelp, workloadApiOptions } from '../dev-issuer/workload-api-option.js';
import { type CliIo, type Command, integerOption, println, requiredString, stringOption, UsageError } from '../io.js';
import { GENERATED_ALGORITHMS, type GeneratedAlgorithm } from '../keys/key-files.js';

const BANNER = `
  ************************************************************************
  *  wimse-pep dev-issuer: a DEVELOPMENT identity server.                *
  *  NOT FOR PRODUCTION: it issues a WIT to anyone who asks, without     *
  *  attesting the caller. It listens on 127.0.0.1 only.                 *
  ************************************************************************
`;

export const devIssuerCommand: Command = {
  name: 'dev-issuer',
  summary: 'run a DEVELOPMENT identity server that issues WITs (127.0.0.1 only)',
  help: `Usage: wimse-pep dev-issuer --trust-domain <td> [--port <port>] [--key <file>] [options]

Runs a development identity server on 127.0.0.1. NOT FOR PRODUCTION: it issues a WIT to
anyone who asks, without attesting the caller.

  GET  /.well-known/jwks.json   its public keys (also GET /jwks)
  POST /wit                     {"sub":"wimse://<td>/<path>","jwk":{<public JWK with alg>}[,"ttl":<s>]}
                                answers JSON {"wit":"<compact JWS>","exp":<seconds>}: a credential
                                file (request --wit, fileCredentials) holds the "wit" value alone
  POST /bearer                  {"sub":"wimse://<td>/<path>","aud":"<service>"[,"ttl":<s>][,"scope":"..."]}
                                a bearer JWT access token (typ at+jwt, same key) for a caller that has
                                not migrated yet: {"access_token":"...","token_type":"Bearer",...}
  POST /txn-token               {"sub":"<principal>","scope":"<scopes>","req_wl":"<workload>"[,"tctx":{...}]
                                [,"rctx":{...}][,"txn":"<id>"][,"ttl":<s>]}: a Transaction Token
                                (typ txntoken+jwt, aud <td>) signed with its own key:
                                {"txn_token":"...","txn":"...","exp":<seconds>}
  GET  /txn/jwks.json           the Transaction Token Service's public keys

Options:
  --trust-domain <td>   the trust domain it issues identities in (required)
  --port <port>         TCP port (default 0: any free port; the URL is printed)
  --key <file>          its private key: loaded if the file exists, else created there
                        (default: a new key in memory)
  --alg <alg>           algorithm of a created key: ES256 (default) or EdDSA
  --wit-ttl <seconds>   lifetime of the WITs it issues (default 3600)
  --bearer-ttl <secs>   lifetime of the bearer tokens it issues (default 3600)
  --txn-ttl <seconds>   lifetime of the Txn-Tokens it issues (default 300)
  --issuer <uri>        the iss claim (default its URL)
  --trust-out <file>    write the trust configuration for verifiers (VerifierOptions JSON without
                        audiences): request --trust takes it; a service adds its audiences
  --bearer-out <file>   write how services verify its bearer tokens: the migration.bearer option
                        of a wimse-pep guard, to which a service adds jwt.audience (JSON)
  --txn-out <file>      write how services verify its Txn-Tokens: the transactionTokens option of
                        a wimse-pep guard (JSON)
${workloadApiHelp}
  -h, --help            show this help

Stop it with Ctrl-C.

Example:
  wimse-pep dev-issuer --trust-domain example.com --port 8700 --key issuer.jwk --trust-out trust.json
  wimse-pep keygen --out a.jwk > a.pub.jwk
  curl -s localhost:8700/wit -d "{\\"sub\\":\\"wimse://example.com/svc/a\\",\\"jwk\\":$(cat a.pub.jwk)}" > a.json
  node -p "require('./a.json').wit" > a.wit`,
  options: {
    'trust-domain': { type: 'string' },
    port: { type: 'string' },
    key: { type: 'string' },
    alg: { type: 'string' },
    'wit-ttl': { type: 'string' },
    'bearer-ttl': { type: 'string' },
    'txn-ttl': { type: 'string' },
    'txn-out': { type: 'string' },
    issuer: { type: 'string' },
    'trust-out': { type: 'string' },
    'bearer-out': { type: 'string' },
    ...workloadApiOptions,
  },
  positionals: { min: 0, max: 0, names: '' },
  async run(values, _positionals, io) {
    const trustDomain = requiredString(values, 'trust-domain');
    const port = integerOption(values, 'port', 0, 0, 65_535);
    const witLifetimeSec = integerOption(values, 'wit-ttl', 3600, 1, 86_400);
    const bearerLifetimeSec = integerOption(values, 'bearer-ttl', 3600, 1, 86_400);
    const txnTokenLifetimeSec = integerOption(values, 'txn-ttl', 300, 1, 3600);
    const alg = stringOption(values, 'alg') ?? 'ES256';
    if (!(GENERATED_ALGORITHMS as readonly string[]).includes(alg)) {
      throw new UsageError(`--alg must be ${GENERATED_ALGORITHMS.join(' or ')}`);
    }
    const key = stringOption(values, 'key');
    const issuerOption = stringOption(values, 'issuer');
    let issuer: Awaited<ReturnType<typeof startDevIssuer>>;
    try {
      issuer = await startDevIssuer({
        trustDomain,
        port,
        witLifetimeSec,
        bearerLifetimeSec,
        txnTokenLifetimeSec,
        alg: alg as GeneratedAlgorithm,
        ...(key === undefined ? {} : { key }),
        ...(issuerOption === undefined ? {} : { issuer: issuerOption }),
        onIssue: (event) =>
          println(io.stdout, `issued a WIT for ${event.sub} (key ${event.keyThumbprint}, exp ${event.exp})`),
        onIssueBearer: (event) =>
          println(io.stdout, `issued a bearer token for ${event.sub} (aud ${event.aud.join(' ')}, exp ${event.exp})`),
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new UsageError(`port ${port} is in use`);
      if (error instanceof TypeError || error instanceof UsageError) throw new UsageError(error.message);
      throw error;
    }
    io.stderr.write(BANNER);
    const trust = { trustDomains: [issuer.trust] };
    const trustOut = stringOption(values, 'trust-out');
    if (trustOut !== undefined) writeFileSync(trustOut, `${JSON.stringify(trust, null, 2)}\n`);
    println(io.stdout, `dev-issuer listening on ${issuer.url} (trust domain ${trustDomain})`);
    println(io.stdout, `  keys:  GET  ${issuer.jwksUri}`);
    println(io.stdout, `  issue: POST ${issuer.url}/wit {"sub":"wimse://${trustDomain}/<path>","jwk":{...}}`);
    println(io.stdout, '         answers {"wit":"<compact JWS>","exp":...}: a WIT file holds the "wit" value alone');
    println(io.stdout, `  bearer: POST ${issuer.url}/bearer {"sub":"wimse://${trustDomain}/<path>","aud":"<service>"}`);
    println(
      io.stdout,
      `  txn:   POST ${issuer.url}/txn-token {"sub":"<principal>","scope":"<scopes>","req_wl":"<workload>"}`,
    );
    println(io.stdout, `trust configuration for verifiers${trustOut ? ` (written to ${trustOut})` : ''}:`);
    println(io.stdout, JSON.stringify(trust));
    const bearerOut = stringOption(values, 'bearer-out');
    if (bearerOut !== undefined) writeFileSync(bearerOut, `${JSON.stringify(issuer.bearerIssuer, null, 2)}\n`);
    println(
      io.stdout,
      `bearer token issuer, the migration.bearer option of a service (add jwt.audience)${bearerOut ? ` (written to ${bearerOut})` : ''}:`,
    );
    println(io.stdout, JSON.stringify(issuer.bearerIssuer));
    const txnOut = stringOption(values, 'txn-out');
    if (txnOut !== undefined) writeFileSync(txnOut, `${JSON.stringify(issuer.transactionTokens, null, 2)}\n`);
    println(
      io.stdout,
      `Transaction Token Service, the transactionTokens option of a service${txnOut ? ` (written to ${txnOut})` : ''}:`,
    );
    println(io.stdout, JSON.stringify(issuer.transactionTokens));
    const stopWorkloadApi = await startWorkloadApiOption(values, issuer, witLifetimeSec, io);
    await stopped(io);
    await stopWorkloadApi?.();
    await issuer.close();
    println(io.stdout, 'dev-issuer stopped');
    return 0;
  },
};

/** Resolves on the io's abort signal, or on SIGINT / SIGTERM. */
function stopped(io: CliIo): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      io.signal?.removeEventListener('abort', done);
      resolve();
    };
    if (io.signal) {
      if (io.signal.aborted) return resolve();
      io.signal.addEventListener('abort', done);
    } else {
      process.on('SIGINT', done);
      process.on('SIGTERM', done);
    }
  });
}
