import type { ServerResponse } from 'node:http';
import type { WimseError } from '../base/errors/wimse-error.js';
import { problemResponse } from './problem-response.js';

/** Answers a refusal on a node:http response (Express's, or the raw one of any framework). */
export function sendProblem(res: ServerResponse, error: WimseError, exposeErrorDetail: boolean): void {
  const problem = problemResponse(error, exposeErrorDetail);
  res.statusCode = problem.status;
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  res.setHeader('content-length', Buffer.byteLength(problem.body));
  res.end(problem.body);
}
