export { errorCodes, problemTypeBase, problemTypeFor, type WimseErrorCode } from './base/errors/codes.js';
export { isWimseError, type ProblemDetails, WimseError } from './base/errors/wimse-error.js';
export type { HeaderValue, RequestTransport, WorkloadRequest } from './base/fields/workload-request.js';
export { type SignatureAlgorithm, signatureAlgorithms } from './base/runtime/signature-algorithms.js';
export type { SignatureVerification } from './base/runtime/verify-signature-bytes.js';
export type { BearerJwtOptions, BearerOptions, VerifyBearer } from './bearer/bearer-options.js';
export { type BearerVerifier, createBearerVerifier } from './bearer/create-bearer-verifier.js';
export { readBearerToken } from './bearer/read-bearer-token.js';
export { contentDigest } from './digest/check-content-digest.js';
export * from './guard/index.js';
export {
  buildSignatureBase,
  type RequestParts,
  type ResponseParts,
  type SignedMessage,
  splitTarget,
} from './httpsig/signature-base.js';
export type { SignedResponse } from './httpsig/verify-response-signature.js';
export * from './identifier/index.js';
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
export {
  type CallerMigrationRule,
  isMigrationMode,
  type MigrationMode,
  type MigrationOptions,
  migrationModes,
  type RouteMigration,
} from './migration/migration-options.js';
export type { CallerReport, MigrationReport } from './migration/migration-report.js';
export type {
  CallerMigrationRecord,
  CallerUse,
  MechanismUse,
  MigrationStore,
} from './migration/migration-store.js';
export { type CertificateAuthorities, x509AuthoritiesFromSpiffeBundle } from './mtls/certificate-authorities.js';
export type { MutualTlsOptions } from './mtls/mtls-options.js';
export { type PresentedCertificate, readPresentedCertificate } from './mtls/read-presented-certificate.js';
export { parseSubjectAltNames, type SubjectAltName } from './mtls/subject-alt-names.js';
export { decisionChannelName } from './observability/decision-channel.js';
export type { MeterProvider, MetricsOption } from './observability/decision-metrics.js';
export { wimseRedactPaths } from './observability/redaction-paths.js';
export * from './policy/index.js';
export { defaultProfileName, type ProfileName, profiles, type SignatureProfile } from './profiles/profiles.js';
export {
  defaultWptProfileName,
  type WptProfile,
  type WptProfileName,
  wptProfiles,
} from './profiles/wpt-profiles.js';
export { MemoryReplayStore, type MemoryReplayStoreOptions } from './replay/memory-replay-store.js';
export type { ReplayStore } from './replay/replay-store.js';
export {
  createWorkloadProofToken,
  type WorkloadProofTokenOptions,
} from './signing/create-workload-proof-token.js';
export * from './signing/index.js';
export { type IssuerProfile, type IssuerProfileName, issuerProfiles } from './trust/issuer-profiles.js';
export {
  parseSpiffeBundle,
  type SpiffeBundleDocument,
  SpiffeBundleError,
  WIT_SVID_USE,
  type WitSvidAuthorities,
} from './trust/spiffe-bundle.js';
export type { SpiffeBundleRefreshOptions, SpiffeBundleSource } from './trust/spiffe-bundle-key-set.js';
export type {
  IssuerKeySource,
  IssuerOptions,
  TrustDomainOptions,
  X509AuthorityOptions,
  X509AuthorityScheme,
} from './trust/trust-options.js';
export { createVerifier, type WorkloadVerifier } from './verifier/create-verifier.js';
export type { AudienceOption, VerifierOptions } from './verifier/verifier-options.js';
export type { ResponderIdentity, ResponseExpectations } from './verifier/verify-workload-response.js';
export { type ConfirmationKey, importCnfKey } from './wit/import-cnf-key.js';
export { tokenHash } from './wpt/token-hash.js';
export type { WptOptions } from './wpt/wpt-options.js';
