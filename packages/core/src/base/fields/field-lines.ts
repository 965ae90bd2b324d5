import { isFieldIndex } from './field-index.js';
import type { WorkloadRequest } from './workload-request.js';

const NO_LINES: readonly string[] = Object.freeze([]);

/**
 * All field lines of one header, whatever the case of its name in the record (a record may hold
 * `Signature` and `signature` both). An empty result means the field is absent.
 */
export function fieldLines(headers: WorkloadRequest['headers'], name: string): readonly string[] {
  const wanted = name.toLowerCase();
  if (isFieldIndex(headers)) return headers[wanted] ?? NO_LINES;
  const lines: string[] = [];
  for (const key of Object.keys(headers)) {
    // Lower-case only a key that could match: Node's own keys are lower case already.
    if (key !== wanted && (key.length !== wanted.length || key.toLowerCase() !== wanted)) continue;
    const value = headers[key];
    if (value === undefined) continue;
    if (typeof value === 'string') lines.push(value);
    else for (const line of value) lines.push(line);
  }
  return lines;
}

/** The combined field value (lines joined with `, `, RFC 9110 §5.3), or undefined when absent. */
export function fieldValue(headers: WorkloadRequest['headers'], name: string): string | undefined {
  const lines = fieldLines(headers, name);
  if (lines.length === 0) return undefined;
  return lines.length === 1 ? (lines[0] as string) : lines.join(', ');
}
