/** Workload Identity Certificates presented in mutual TLS. */
export interface MutualTlsOptions {
  /**
   * Socket addresses of TLS-terminating proxies whose RFC 9440 `Client-Cert` fields are believed.
   * From any other address those fields are refused. Default: none.
   */
  readonly trustedProxies?: readonly string[];
  /**
   * A trusted proxy is a hop, not a caller: on a connection from one of `trustedProxies`, only
   * `Client-Cert` (and `Client-Cert-Chain`) carry a caller certificate, and the proxy's own TLS
   * client certificate is never taken as the caller's identity. `true` makes that certificate the
   * caller's when the proxy forwards none (for a proxy that is itself the calling workload).
   * Default false.
   */
  readonly acceptProxyCertificate?: boolean;
}
