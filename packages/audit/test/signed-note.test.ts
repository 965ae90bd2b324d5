import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AuditError,
  formatCheckpoint,
  generateNoteKey,
  openNote,
  parseCheckpoint,
  parseSignerKey,
  parseVerifierKey,
  signerKeyText,
  signNote,
  verifierKeyText,
} from '@wimse-pep/audit';

// The example key and note of Go's golang.org/x/mod/sumdb/note (the reference implementation).
const GO_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE = `${GO_TEXT}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

const code = (expected: string) => (error: unknown) => error instanceof AuditError && error.code === expected;

describe('C2SP signed notes', () => {
  it('reads the Go reference keys, derives the verifier key, and signs the reference note byte for byte', () => {
    const signer = parseSignerKey(GO_SKEY);
    assert.equal(signer.name, 'PeterNeumann');
    assert.equal(signer.keyId, 0xc74f20a3);
    assert.equal(verifierKeyText(signer), GO_VKEY);
    assert.equal(signerKeyText(signer), GO_SKEY);
    // Ed25519 is deterministic: the same key over the same text gives Go's very signature line.
    assert.equal(signNote(GO_TEXT, [signer]), GO_NOTE);
    assert.deepEqual(openNote(GO_NOTE, [parseVerifierKey(GO_VKEY)]), { text: GO_TEXT, verifiedBy: ['PeterNeumann'] });
  });

  it('refuses an altered text, a note signed by no key given, and a bad signature by a known key', () => {
    const verifier = parseVerifierKey(GO_VKEY);
    assert.throws(() => openNote(GO_NOTE.replace('cryptography', 'cryptographY'), [verifier]), code('note_unverified'));
    const other = generateNoteKey('other.example/log');
    assert.throws(() => openNote(signNote(GO_TEXT, [other.signer]), [verifier]), code('note_unverified'));
    // Same name, another key: an unknown key (ignored), so no known signature.
    const sameName = generateNoteKey('PeterNeumann');
    assert.throws(() => openNote(signNote(GO_TEXT, [sameName.signer]), [verifier]), /not signed by any key given/);
    // A second signature by an unknown key is ignored; the known one verifies.
    const twice = signNote(GO_TEXT, [parseSignerKey(GO_SKEY), other.signer]);
    assert.deepEqual(openNote(twice, [verifier]).verifiedBy, ['PeterNeumann']);
    assert.deepEqual(openNote(twice, [verifier, parseVerifierKey(other.verifierKey)]).verifiedBy, [
      'PeterNeumann',
      'other.example/log',
    ]);
  });

  it('refuses malformed notes and keys', () => {
    const verifier = parseVerifierKey(GO_VKEY);
    assert.throws(() => openNote(GO_TEXT, [verifier]), code('note_malformed'));
    assert.throws(() => openNote(GO_NOTE.slice(0, -1), [verifier]), code('note_malformed'));
    assert.throws(() => openNote(GO_NOTE.replace('— ', '- '), [verifier]), code('note_malformed'));
    assert.throws(() => openNote(`a\tb\n${GO_NOTE}`, [verifier]), code('note_malformed'));
    assert.throws(() => parseVerifierKey(GO_VKEY.replace('c74f20a3', 'c74f20a4')), code('key_invalid'));
    assert.throws(() => parseVerifierKey('PeterNeumann+c74f20a3'), code('key_invalid'));
    assert.throws(() => parseSignerKey(GO_VKEY), code('key_invalid'));
    assert.throws(() => generateNoteKey('two words'), code('key_invalid'));
    assert.throws(() => signNote('no newline', [parseSignerKey(GO_SKEY)]), code('note_malformed'));
  });

  it('a generated key round-trips through its texts', () => {
    const { signerKey, verifierKey } = generateNoteKey('orders.example.com/audit/w1');
    assert.match(signerKey, /^PRIVATE\+KEY\+orders\.example\.com\/audit\/w1\+[0-9a-f]{8}\+/);
    assert.equal(verifierKeyText(parseSignerKey(signerKey)), verifierKey);
    const note = signNote('hello\n', [parseSignerKey(signerKey)]);
    assert.equal(openNote(note, [parseVerifierKey(verifierKey)]).text, 'hello\n');
  });
});

describe('C2SP tlog-checkpoint text', () => {
  const root = Buffer.from('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=', 'base64');

  it("formats and reads the specification's example", () => {
    const text = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
    assert.equal(formatCheckpoint({ origin: 'example.com/behind-the-sofa', size: 20852163, root }), text);
    assert.deepEqual(parseCheckpoint(text), { origin: 'example.com/behind-the-sofa', size: 20852163, root });
    // Extension lines are allowed (and ignored), empty ones are not.
    assert.equal(parseCheckpoint(`${text}ext\n`).size, 20852163);
    assert.throws(() => parseCheckpoint(`${text}\n`), code('checkpoint_malformed'));
  });

  it('refuses a size with a leading zero, a root that is not 32 bytes, a missing line', () => {
    for (const text of [
      'o\n012\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
      'o\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n',
      'o\n12\nAAAA\n',
      'o\n12\n',
      '\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
    ]) {
      assert.throws(() => parseCheckpoint(text), code('checkpoint_malformed'), JSON.stringify(text));
    }
  });
});
