import {
  type BareItem,
  type Dictionary,
  DisplayString,
  type InnerList,
  type Item,
  type Parameters,
  Token,
} from 'structured-headers';
import { decodeBase64 } from './decode-base64.js';
import { DuplicateKeyError, StructuredFieldError } from './structured-field-error.js';

/**
 * A structured-field Dictionary parser (RFC 8941 §4.2.2, with RFC 9651's Date and Display String,
 * as structured-headers 2.x parses them) that gives what structured-headers' `parseDictionary`
 * gives, value for value (Maps in the same order, `[value, parameters]` arrays, `Token`,
 * `DisplayString`, `Date`), and refuses exactly what it refuses, including that library's own
 * readings (a Date must end the field). One difference: a Byte Sequence is a Uint8Array (a Buffer
 * from Node's pool) instead of an ArrayBuffer, see decodeBase64.
 *
 * It exists because the verifier parses `Signature-Input`, `Signature` and `Content-Digest` on
 * every request, and the library's per-character regular expressions and string concatenation
 * were a tenth of the warm path (bench/results/verify-request.md). A property test holds the two to the
 * same results on random and mutated fields (packages/core/test/parse-dictionary.test.ts).
 */

export interface ParseDictionaryOptions {
  /** `last-wins` (RFC 8941, the default) or `refuse`: a repeated key throws DuplicateKeyError. */
  readonly duplicateKeys?: 'last-wins' | 'refuse';
}

const KEY_START = 1;
const KEY = 2;
const TOKEN_START = 4;
const TOKEN = 8;

/** Character classes of ASCII: keys are `[a-z*][a-z0-9_\-.*]*`, tokens `[A-Za-z*][tchar:/]*`. */
const CLASSES = new Uint8Array(128);
function mark(chars: string, flag: number): void {
  for (let i = 0; i < chars.length; i++) {
    const code = chars.charCodeAt(i);
    CLASSES[code] = (CLASSES[code] as number) | flag;
  }
}
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
mark(`${LOWER}*`, KEY_START);
mark(`${LOWER}${DIGITS}_-.*`, KEY);
mark(`${LOWER}${UPPER}*`, TOKEN_START);
mark(`${LOWER}${UPPER}${DIGITS}:/!#$%&'*+-.^_\`|~`, TOKEN);

function isClass(code: number, flag: number): boolean {
  return code < 128 && ((CLASSES[code] as number) & flag) !== 0;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

const SP = 0x20;
const HTAB = 0x09;

class DictionaryParser {
  readonly input: string;
  pos = 0;
  duplicateKey = false;

  constructor(input: string) {
    this.input = input;
  }

  fail(message: string): never {
    throw new StructuredFieldError(message, this.pos);
  }

  dictionary(): Dictionary {
    const input = this.input;
    const length = input.length;
    const dictionary: Dictionary = new Map();
    while (input.charCodeAt(this.pos) === SP) this.pos++;
    while (this.pos < length) {
      const key = this.key();
      let member: Item | InnerList;
      if (input.charCodeAt(this.pos) === 0x3d) {
        this.pos++;
        member = input.charCodeAt(this.pos) === 0x28 ? this.innerList() : [this.bareItem(), this.parameters()];
      } else {
        member = [true, this.parameters()];
      }
      const size = dictionary.size;
      dictionary.set(key, member);
      if (dictionary.size === size) this.duplicateKey = true;
      this.skipOws();
      if (this.pos >= length) return dictionary;
      if (input.charCodeAt(this.pos) !== 0x2c) this.fail('Expected a comma between dictionary members');
      this.pos++;
      this.skipOws();
      if (this.pos >= length) this.fail('Dictionary contained a trailing comma');
    }
    return dictionary;
  }

  skipOws(): void {
    const input = this.input;
    for (;;) {
      const code = input.charCodeAt(this.pos);
      if (code !== SP && code !== HTAB) return;
      this.pos++;
    }
  }

  innerList(): InnerList {
    const input = this.input;
    const items: Item[] = [];
    this.pos++;
    while (this.pos < input.length) {
      while (input.charCodeAt(this.pos) === SP) this.pos++;
      if (input.charCodeAt(this.pos) === 0x29) {
        this.pos++;
        return [items, this.parameters()];
      }
      items.push([this.bareItem(), this.parameters()]);
      const next = input.charCodeAt(this.pos);
      if (next !== SP && next !== 0x29) this.fail('Expected a space or ) after an item in an inner list');
    }
    return this.fail('Could not find the end of an inner list');
  }

  parameters(): Parameters {
    const input = this.input;
    const parameters: Parameters = new Map();
    while (input.charCodeAt(this.pos) === 0x3b) {
      this.pos++;
      while (input.charCodeAt(this.pos) === SP) this.pos++;
      const key = this.key();
      let value: BareItem = true;
      if (input.charCodeAt(this.pos) === 0x3d) {
        this.pos++;
        value = this.bareItem();
      }
      parameters.set(key, value);
    }
    return parameters;
  }

  key(): string {
    const input = this.input;
    const start = this.pos;
    if (!isClass(input.charCodeAt(start), KEY_START)) this.fail('A key must begin with an asterisk or letter (a-z)');
    let end = start + 1;
    while (isClass(input.charCodeAt(end), KEY)) end++;
    this.pos = end;
    return input.slice(start, end);
  }

  bareItem(): BareItem {
    const code = this.input.charCodeAt(this.pos);
    if (code === 0x22) return this.string();
    if (code === 0x3a) return this.byteSequence();
    if (isDigit(code) || code === 0x2d) return this.number();
    if (isClass(code, TOKEN_START)) return this.token();
    if (code === 0x3f) return this.boolean();
    if (code === 0x40) return this.date();
    if (code === 0x25) return this.displayString();
    return this.fail(Number.isNaN(code) ? 'Unexpected end of string' : 'Unexpected input');
  }

  number(): number {
    const input = this.input;
    let sign = 1;
    if (input.charCodeAt(this.pos) === 0x2d) {
      sign = -1;
      this.pos++;
    }
    const start = this.pos;
    let end = start;
    let value = 0;
    for (let code = input.charCodeAt(end); isDigit(code); code = input.charCodeAt(++end)) {
      value = value * 10 + (code - 0x30);
    }
    const digits = end - start;
    if (digits === 0) this.fail('Expected a digit (0-9)');
    if (digits > 15) this.fail('Exceeded maximum integer length');
    if (input.charCodeAt(end) !== 0x2e) {
      this.pos = end;
      return value * sign;
    }
    if (digits > 12) this.fail('Exceeded maximum decimal length');
    const fractionStart = ++end;
    while (isDigit(input.charCodeAt(end))) end++;
    this.pos = end;
    if (end === fractionStart) this.fail('Decimal cannot end on a period');
    if (end - fractionStart > 3) this.fail('Number of digits after the decimal point cannot exceed 3');
    // The same conversion as the library, so that every decimal is the same double.
    return Number.parseFloat(input.slice(start, end)) * sign;
  }

  string(): string {
    const input = this.input;
    let start = this.pos + 1;
    let escaped = '';
    for (let i = start; i < input.length; i++) {
      const code = input.charCodeAt(i);
      if (code === 0x22) {
        this.pos = i + 1;
        return escaped === '' ? input.slice(start, i) : escaped + input.slice(start, i);
      }
      if (code === 0x5c) {
        const next = input.charCodeAt(i + 1);
        if (next !== 0x5c && next !== 0x22) {
          this.pos = i + 1;
          this.fail('A backslash must be followed by another backslash or double quote');
        }
        escaped += input.slice(start, i) + (next === 0x5c ? '\\' : '"');
        i++;
        start = i + 1;
      } else if (code < 0x20 || code > 0x7e) {
        this.pos = i;
        this.fail('Strings must be in the ASCII range');
      }
    }
    this.pos = input.length;
    return this.fail('Unexpected end of input in a string');
  }

  token(): Token {
    const input = this.input;
    const start = this.pos;
    let end = start + 1;
    while (isClass(input.charCodeAt(end), TOKEN)) end++;
    this.pos = end;
    return new Token(input.slice(start, end));
  }

  byteSequence(): Uint8Array {
    const start = this.pos + 1;
    const end = this.input.indexOf(':', start);
    if (end === -1) this.fail('Could not find the closing ":" of a Byte Sequence');
    this.pos = end + 1;
    return decodeBase64(this.input, start, end);
  }

  boolean(): boolean {
    const code = this.input.charCodeAt(this.pos + 1);
    this.pos += 2;
    if (code === 0x31) return true;
    if (code === 0x30) return false;
    return this.fail('Expected a "1" or a "0" after ?');
  }

  /** As structured-headers reads it: the digits must run to the end of the field. */
  date(): Date {
    const input = this.input;
    let sign = 1;
    this.pos++;
    if (input.charCodeAt(this.pos) === 0x2d) {
      sign = -1;
      this.pos++;
    }
    const start = this.pos;
    if (!isDigit(input.charCodeAt(start))) this.fail('Expected a digit (0-9)');
    for (; this.pos < input.length; this.pos++) {
      if (!isDigit(input.charCodeAt(this.pos))) this.fail('Expected a digit (0-9) to the end of a Date');
    }
    if (input.length - start > 15) this.fail('Exceeded maximum length for a Date');
    return new Date(Number.parseInt(input.slice(start), 10) * sign * 1000);
  }

  /**
   * As structured-headers reads it: `%xx` escapes (lower-case hex) and other characters as their
   * code unit modulo 256, decoded as UTF-8 that must be valid.
   */
  displayString(): DisplayString {
    const input = this.input;
    if (input.charCodeAt(this.pos + 1) !== 0x22) this.fail('Display Strings start with %"');
    this.pos += 2;
    const bytes: number[] = [];
    while (this.pos < input.length) {
      const code = input.charCodeAt(this.pos++);
      if (code <= 0x1f || (code >= 0x7f && code <= 0xff)) this.fail('Invalid character in a Display String');
      if (code === 0x25) {
        const high = hexDigit(input.charCodeAt(this.pos));
        const low = hexDigit(input.charCodeAt(this.pos + 1));
        this.pos += 2;
        if (high < 0 || low < 0) this.fail('Expected two lower-case hexadecimal digits after %');
        bytes.push(high * 16 + low);
      } else if (code === 0x22) {
        try {
          return new DisplayString(new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes)));
        } catch {
          return this.fail('A Display String is not valid UTF-8');
        }
      } else {
        bytes.push(code);
      }
    }
    return this.fail('Unexpected end of input in a Display String');
  }
}

function hexDigit(code: number): number {
  if (isDigit(code)) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/**
 * Parses a structured-field Dictionary. Throws StructuredFieldError for anything that is not one,
 * and DuplicateKeyError (after a successful parse) for a repeated key when `duplicateKeys` is
 * `refuse`.
 */
export function parseDictionary(input: string, options?: ParseDictionaryOptions): Dictionary {
  const parser = new DictionaryParser(input);
  const dictionary = parser.dictionary();
  if (parser.duplicateKey && options?.duplicateKeys === 'refuse') {
    throw new DuplicateKeyError('A dictionary key is repeated', input.length);
  }
  return dictionary;
}
