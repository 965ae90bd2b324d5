export { BEARER_TOKEN_TYPE, type IssueBearerOptions, issueBearer } from './bearer/issue-bearer.js';
export { commands, main } from './cli.js';
export {
  createDevCertificateAuthority,
  type DevCertificateAuthority,
  type DevCertificateAuthorityOptions,
  type IssuedWorkloadCertificate,
  type WorkloadCertificateRequest,
} from './dev-ca/dev-certificate-authority.js';
export type { TxnTokenRequest, TxnTokenResponse } from './dev-issuer/dev-transaction-token-service.js';
export {
  serveWorkloadApi,
  type WorkloadApiServer,
  type WorkloadApiServerOptions,
} from './dev-issuer/serve-workload-api.js';
export {
  type BearerRequest,
  type BearerResponse,
  type DevBearerIssuer,
  type DevIssuer,
  type DevIssuerOptions,
  startDevIssuer,
  type WicRequest,
  type WitRequest,
} from './dev-issuer/start-dev-issuer.js';
export {
  bodyText,
  displayFieldName,
  type FormatOptions,
  formatDuration,
  formatRequest,
  formatResponse,
  formatWit,
  type RequestToShow,
  type ResponseToShow,
} from './format/exchange-text.js';
export { type CliIo, type Command, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type OptionValues } from './io.js';
export { validatePublicJwk } from './keys/key-files.js';
export { type IssueTxnTokenOptions, issueTxnToken, TXN_TOKEN_TYPE } from './txn/issue-txn-token.js';
export { type IssueWitOptions, issueWit } from './wit/issue-wit.js';
