/**
 * RFC 8785 canonical JSON for the writer's own records, on the request path's budget: the records
 * hold only plain objects, arrays, well-formed strings, safe integers, booleans and null, and for
 * those the canonical form is exactly this (members sorted by UTF-16 code units, strings and
 * integers as ECMAScript's JSON.stringify writes them). It gives the same bytes as the general
 * implementation (`canonicalJson`, the `canonicalize` library), which verification uses: a test
 * compares both on generated records, and any difference would fail every verification.
 */
export function canonicalRecordJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      if (!(value as unknown as { isWellFormed(): boolean }).isWellFormed()) {
        throw new TypeError('canonical JSON has no form for a lone surrogate');
      }
      return JSON.stringify(value);
    case 'number':
      if (!Number.isSafeInteger(value)) throw new TypeError(`a record holds safe integers only, got ${value}`);
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map(canonicalRecordJson).join(',')}]`;
      const object = value as Record<string, unknown>;
      const members: string[] = [];
      for (const key of Object.keys(object).sort()) {
        const member = object[key];
        if (member !== undefined) members.push(`${canonicalRecordJson(key)}:${canonicalRecordJson(member)}`);
      }
      return `{${members.join(',')}}`;
    }
    default:
      throw new TypeError(`a record holds no ${typeof value}`);
  }
}
