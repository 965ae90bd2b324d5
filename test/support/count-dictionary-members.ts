/**
 * Counts the top-level members of a structured-field dictionary without parsing values, so that a
 * duplicated key can be detected: RFC 8941 parsers keep the last value ("last wins"), which would
 * let an attacker shadow a signature (threat S3). Commas inside strings, inner lists and byte
 * sequences do not separate members.
 */
export function countDictionaryMembers(value: string): number {
  let members = 0;
  let sawContent = false;
  let inString = false;
  let depth = 0;
  for (let i = 0; i < value.length; i++) {
    const char = value[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (char === '(') depth++;
    else if (char === ')') depth--;
    else if (char === ',' && depth === 0) {
      members++;
      sawContent = false;
      continue;
    }
    if (char !== ' ' && char !== '\t') sawContent = true;
  }
  return sawContent ? members + 1 : members;
}
