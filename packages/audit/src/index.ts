export { canonicalJson } from './canonical/canonical-json.js';
export { type CheckpointBody, formatCheckpoint, parseCheckpoint } from './checkpoint/checkpoint-text.js';
export { AuditError, type AuditErrorCode, auditErrorCodes, type LogPosition } from './errors/audit-error.js';
export { CompactRange } from './merkle/compact-range.js';
export { consistencyProof } from './merkle/consistency-proof.js';
export { inclusionProof } from './merkle/inclusion-proof.js';
export { emptyRoot, leafHash, nodeHash } from './merkle/tree-hash.js';
export { TreeView } from './merkle/tree-view.js';
export { verifyConsistency } from './merkle/verify-consistency.js';
export { verifyInclusion } from './merkle/verify-inclusion.js';
export { signerKeyText, verifierKeyText } from './note/format-note-keys.js';
export { generateNoteKey } from './note/generate-note-key.js';
export type { NoteSigner, NoteVerifier } from './note/note-keys.js';
export { type OpenedNote, openNote } from './note/open-note.js';
export { parseSignerKey } from './note/parse-signer-key.js';
export { parseVerifierKey } from './note/parse-verifier-key.js';
export { signNote } from './note/sign-note.js';
export { type EncodedRecord, encodeRecord } from './record/encode-record.js';
export { type AuditEventInput, eventFields, eventFieldsJson, MAX_FIELD_LENGTH } from './record/event-fields.js';
export type {
  CheckpointRecord,
  DecisionRecord,
  GapRecord,
  LogRecord,
  StartRecord,
  StopRecord,
} from './record/log-record.js';
export {
  type AuditTrail,
  type AuditTrailOptions,
  type AuditTrailStats,
  openAuditTrail,
} from './trail/open-audit-trail.js';
export { type InclusionProof, type ProveInclusionOptions, proveInclusion } from './verify/prove-inclusion.js';
export {
  type AuditLogProblem,
  type AuditLogReport,
  type AuditLogSummary,
  type VerifyAuditLogOptions,
  verifyAuditLog,
} from './verify/verify-audit-log.js';
export type { SignedCheckpoint } from './writer/log-writer.js';
export { rotatedFiles } from './writer/rotated-files.js';
