import type { KeyObject } from 'node:crypto';

/** A key that signs notes (checkpoints): its name, its key ID, the Ed25519 private key. */
export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  readonly privateKey: KeyObject;
  /** The 32 raw bytes of its public key. */
  readonly publicKey: Buffer;
}

/** A key that verifies notes: its name, its key ID, the Ed25519 public key. */
export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  readonly publicKey: KeyObject;
}
