import type { IncomingMessage } from 'node:http';
import type { WorkloadRequest } from '../base/fields/workload-request.js';
import { requestFields } from './request-fields.js';
import { requestTransport } from './request-transport.js';

/**
 * The plain-data request of a Node request: method, target exactly as received on the request
 * line (`target`: the framework's original URL, whatever router prefix is mounted), every header
 * field line, and what the connection says about the peer.
 */
export function nodeWorkloadRequest(req: IncomingMessage, target: string): WorkloadRequest {
  return {
    method: req.method ?? 'GET',
    target,
    headers: requestFields(req),
    transport: requestTransport(req.socket),
  };
}
