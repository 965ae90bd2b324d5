import type { Socket } from 'node:net';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import type { RequestTransport } from '../base/fields/workload-request.js';

/** A TLS connection presents one certificate chain for its whole life: read it once per socket. */
const chains = new WeakMap<Socket, readonly Uint8Array[]>();

/**
 * The connection facts of a Node request: the peer address and, on a TLS socket, the client
 * certificate chain of the handshake (leaf first). Adapters call it; the core never reads
 * identity from anything but these and its own verification.
 */
export function requestTransport(socket: Socket | undefined): RequestTransport {
  if (!socket) return {};
  const remoteAddress = socket.remoteAddress;
  if (!(socket as TLSSocket).encrypted) return { remoteAddress, encrypted: false };
  let chain = chains.get(socket);
  if (chain === undefined) {
    chain = peerChain(socket as TLSSocket);
    chains.set(socket, chain);
  }
  return chain.length === 0
    ? { remoteAddress, encrypted: true }
    : { remoteAddress, encrypted: true, peerCertificates: chain };
}

function peerChain(socket: TLSSocket): Uint8Array[] {
  const chain: Uint8Array[] = [];
  let current: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  // Node links each certificate to its issuer; the root links to itself. Bounded like the verifier.
  while (current?.raw && chain.length < 8) {
    chain.push(current.raw);
    const next: DetailedPeerCertificate | undefined = current.issuerCertificate;
    if (!next || next === current || next.raw?.equals(current.raw)) break;
    current = next;
  }
  return chain;
}
