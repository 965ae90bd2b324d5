import { type BareItem, type InnerList, type Item, serializeItem, serializeList } from 'structured-headers';

/**
 * RFC 8941 serialization of what a WIMSE signature carries (component names without parameters
 * or with `;req`, and parameters that are integers, ASCII strings and booleans), written out
 * directly because the verifier does it on every request; anything else goes to structured-headers.
 * A property test holds both to the same output.
 */

/** A string that serializes as itself in quotes: printable ASCII without `"` and `\`. */
const PLAIN_STRING = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const KEY = /^[a-z*][a-z0-9_\-.*]*$/;
const MAX_INTEGER = 999_999_999_999_999;

function plainParameters(params: ReadonlyMap<string, BareItem>): string | undefined {
  let out = '';
  for (const [key, value] of params) {
    if (!KEY.test(key)) return undefined;
    if (value === true) out += `;${key}`;
    else if (value === false) out += `;${key}=?0`;
    else if (typeof value === 'number') {
      if (!Number.isInteger(value) || Math.abs(value) > MAX_INTEGER) return undefined;
      out += `;${key}=${value}`;
    } else if (typeof value === 'string' && PLAIN_STRING.test(value)) out += `;${key}="${value}"`;
    else return undefined;
  }
  return out;
}

function plainItem([value, params]: Item): string | undefined {
  if (typeof value !== 'string' || !PLAIN_STRING.test(value)) return undefined;
  const parameters = plainParameters(params);
  return parameters === undefined ? undefined : `"${value}"${parameters}`;
}

/** One covered component identifier, e.g. `"@method"` or `"@path";req`. */
export function serializeComponent(item: Item): string {
  return plainItem(item) ?? serializeItem(item);
}

/**
 * The `@signature-params` value: the serialized inner list with its parameters. `serializedItems`,
 * when the caller has them already, are the inner list's items serialized (as `serializeComponent`).
 */
export function serializeSignatureParams(input: InnerList, serializedItems?: readonly string[]): string {
  let items = serializedItems;
  if (items === undefined) {
    const written: string[] = [];
    for (const item of input[0]) {
      const text = plainItem(item);
      if (text === undefined) return serializeList([input]);
      written.push(text);
    }
    items = written;
  }
  const parameters = plainParameters(input[1]);
  if (parameters === undefined) return serializeList([input]);
  return `(${items.join(' ')})${parameters}`;
}
