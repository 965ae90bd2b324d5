import { AuditError } from '../errors/audit-error.js';

/** C2SP signed-note: a key name is non-empty, without Unicode spaces or `+`. */
export function checkKeyName(name: string, where: string): void {
  if (name.length === 0 || /[\s+]/u.test(name) || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new AuditError(
      'key_invalid',
      `${where}: a key name must be non-empty, without spaces or "+", got ${JSON.stringify(name)}`,
    );
  }
}
