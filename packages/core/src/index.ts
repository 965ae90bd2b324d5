/**
 * `@wimse-pep/core`: what a service owner uses. The verifier and the guard, policies, errors, the
 * in-memory stores, and the types of their options and results. Adapter authors add
 * `@wimse-pep/core/node`; the calling side uses `@wimse-pep/core/signing`.
 */
export { errorCodes, problemTypeBase, type WimseErrorCode } from './base/errors/codes.js';
export { isWimseError, type ProblemDetails, WimseError } from './base/errors/wimse-error.js';
export type { HeaderValue, RequestTransport, WorkloadRequest } from './base/fields/workload-request.js';
export { type CryptoBackend, cryptoBackend } from './base/runtime/backend.js';
export type { SignatureVerification } from './base/runtime/verify-signature-bytes.js';
export type { BearerJwtOptions, BearerOptions, VerifyBearer } from './bearer/bearer-options.js';
export * from './guard/index.js';
export { type ParsedWorkloadId, parseWorkloadId } from './identifier/parse-workload-id.js';
export type { TransactionContext } from './identity/transaction-context.js';
export { withoutConsumedFields } from './identity/without-consumed-fields.js';
export {
  type BearerContext,
  type BearerIdentity,
  type HttpSignatureIdentity,
  type LayeredIdentities,
  type MtlsIdentity,
  proofOfPossession,
  type WorkloadIdentity,
  type WorkloadProof,
  type WptIdentity,
} from './identity/workload-identity.js';
export { MemoryMigrationStore, type MemoryMigrationStoreOptions } from './migration/memory-migration-store.js';
export type {
  CallerMigrationRule,
  MigrationMode,
  MigrationOptions,
  RouteMigration,
} from './migration/migration-options.js';
export type { CallerReport, MigrationReport } from './migration/migration-report.js';
export type {
  CallerMigrationRecord,
  CallerUse,
  MechanismUse,
  MigrationStore,
} from './migration/migration-store.js';
export { x509AuthoritiesFromSpiffeBundle } from './mtls/certificate-authorities.js';
export type { MutualTlsOptions } from './mtls/mtls-options.js';
export { parseSubjectAltNames, type SubjectAltName } from './mtls/subject-alt-names.js';
export { decisionChannelName } from './observability/decision-channel.js';
export type {
  Meter,
  MeterProvider,
  MetricCounter,
  MetricHistogram,
  MetricsOption,
} from './observability/decision-metrics.js';
export { wimseRedactPaths } from './observability/redaction-paths.js';
export * from './policy/index.js';
export type { ProfileName } from './profiles/profiles.js';
export type { WptProfileName } from './profiles/wpt-profiles.js';
export { MemoryReplayStore, type MemoryReplayStoreOptions } from './replay/memory-replay-store.js';
export type { ReplayStore } from './replay/replay-store.js';
export type { IssuerProfileName } from './trust/issuer-profiles.js';
export { type SpiffeBundleDocument, WIT_SVID_USE } from './trust/spiffe-bundle.js';
export type { SpiffeBundleRefreshOptions, SpiffeBundleSource } from './trust/spiffe-bundle-key-set.js';
export type {
  IssuerKeySource,
  IssuerOptions,
  TrustDomainOptions,
  X509AuthorityOptions,
  X509AuthorityScheme,
} from './trust/trust-options.js';
export {
  createTransactionTokenVerifier,
  type TransactionTokenVerifier,
} from './txn/create-transaction-token-verifier.js';
export type { TransactionTokenDefaults } from './txn/normalize-transaction-token-options.js';
export type {
  TransactionTokenOptions,
  TransactionTokenRequirement,
  UnboundTransactionToken,
} from './txn/transaction-token-options.js';
export type { VerifiedTransactionToken } from './txn/verify-txn-token.js';
export { createVerifier, type WorkloadVerifier } from './verifier/create-verifier.js';
export type { AudienceOption, VerifierOptions } from './verifier/verifier-options.js';
export type { NotIssuedBeforeAnswer, NotIssuedBeforeLookup } from './wit/check-not-issued-before.js';
export type { WptOptions } from './wpt/wpt-options.js';
