import { BlockList, isIP } from 'node:net';

/** 4, 6, or 0 when `address` is not an IP address. */
export function ipVersion(address: string): 0 | 4 | 6 {
  return isIP(address) as 0 | 4 | 6;
}

/** A set of IP ranges, matched by address. */
export interface AddressRanges {
  add(address: string, prefixBits: number): void;
  has(address: string): boolean;
}

export function addressRanges(): AddressRanges {
  const list = new BlockList();
  return {
    add(address, prefixBits) {
      list.addSubnet(address, prefixBits, isIP(address) === 6 ? 'ipv6' : 'ipv4');
    },
    has(address) {
      const version = isIP(address);
      return version !== 0 && list.check(address, version === 6 ? 'ipv6' : 'ipv4');
    },
  };
}
