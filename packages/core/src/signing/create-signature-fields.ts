import { type InnerList, serializeDictionary } from 'structured-headers';
import { signBytes } from '../base/runtime/sign-bytes.js';
import { buildSignatureBase, type SignedMessage } from '../httpsig/signature-base.js';
import type { SigningKey } from './signing-key.js';

/** `Signature-Input` and `Signature` field values for one signature over `message`. */
export interface SignatureFields {
  readonly 'signature-input': string;
  readonly signature: string;
}

/** Signs `message` as described by `input` (components and parameters) under `label`. */
export async function createSignatureFields(
  input: InnerList,
  message: SignedMessage,
  key: SigningKey,
  label: string,
): Promise<SignatureFields> {
  const signature = await signBytes(buildSignatureBase(input, message), key.privateKey, key.algorithm);
  const bytes = signature.buffer.slice(
    signature.byteOffset,
    signature.byteOffset + signature.byteLength,
  ) as ArrayBuffer;
  return {
    'signature-input': serializeDictionary(new Map([[label, input]])),
    signature: serializeDictionary(new Map([[label, [bytes, new Map()]]])),
  };
}
