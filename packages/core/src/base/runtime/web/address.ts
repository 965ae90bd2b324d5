/** 4, 6, or 0 when `address` is not an IP address (the forms Node's isIP accepts, zone ids aside). */
export function ipVersion(address: string): 0 | 4 | 6 {
  if (parseV4(address) !== undefined) return 4;
  if (parseV6(address) !== undefined) return 6;
  return 0;
}

/** A set of IP ranges, matched by address. */
export interface AddressRanges {
  add(address: string, prefixBits: number): void;
  has(address: string): boolean;
}

/** Node's BlockList, in plain arithmetic: each range a network number and a prefix, per family. */
export function addressRanges(): AddressRanges {
  const ranges: { version: 4 | 6; network: bigint; prefix: number }[] = [];
  const numberOf = (address: string): [4 | 6, bigint] | undefined => {
    const v4 = parseV4(address);
    if (v4 !== undefined) return [4, v4];
    const v6 = parseV6(address);
    return v6 === undefined ? undefined : [6, v6];
  };
  const masked = (value: bigint, version: 4 | 6, prefix: number) => {
    const width = version === 4 ? 32n : 128n;
    return value >> (width - BigInt(prefix));
  };
  return {
    add(address, prefixBits) {
      const parsed = numberOf(address);
      if (parsed === undefined) throw new TypeError(`not an IP address: ${address}`);
      const [version, value] = parsed;
      ranges.push({ version, network: masked(value, version, prefixBits), prefix: prefixBits });
    },
    has(address) {
      const parsed = numberOf(address);
      if (parsed === undefined) return false;
      const [version, value] = parsed;
      const matches = (v: 4 | 6, n: bigint) =>
        ranges.some((r) => r.version === v && masked(n, v, r.prefix) === r.network);
      // Like Node's BlockList, an IPv4-mapped IPv6 address (::ffff:a.b.c.d) also matches as its IPv4 address.
      const mapped = version === 6 && value >> 32n === 0xffffn;
      return matches(version, value) || (mapped && matches(4, value & 0xffffffffn));
    },
  };
}

function parseV4(address: string): bigint | undefined {
  const parts = address.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseV6(address: string): bigint | undefined {
  let text = address;
  const lastColon = text.lastIndexOf(':');
  if (lastColon !== -1 && text.includes('.', lastColon)) {
    // An embedded IPv4 address (::ffff:192.0.2.1) is its two last groups.
    const v4 = parseV4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string) => (part === '' ? [] : part.split(':'));
  const head = groupsOf(halves[0] ?? '');
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  const count = head.length + tail.length;
  if (halves.length === 1 ? count !== 8 : count > 7) return undefined;
  const all = [...head, ...Array<string>(8 - count).fill('0'), ...tail];
  let value = 0n;
  for (const group of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(`0x${group}`);
  }
  return value;
}
