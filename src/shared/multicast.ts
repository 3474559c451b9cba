/**
 * What a multicast group, its interface and the multicast TTL may be: one check for the command arguments,
 * the palette's quick inputs and the send panel, so all three refuse with the same sentence.
 */
import { SocketLabError } from './errors';
import { isIPv4, isIPv6, isMulticastAddress } from './ipAddress';
import { MULTICAST_TTL_MAX, MULTICAST_TTL_MIN } from './limits';
import { describeValue } from './payload';
import { checkInteger } from './validate';

/** Refuses anything but an IPv4 group in 224.0.0.0/4 or an IPv6 group in ff00::/8. */
export function checkMulticastGroup(value: unknown, field = 'group'): SocketLabError | undefined {
  if (typeof value === 'string' && isMulticastAddress(value)) return undefined;
  return SocketLabError.create(
    'invalidMulticastGroup',
    '{field} must be a multicast group address: IPv4 224.0.0.0 to 239.255.255.255 or IPv6 ff00::/8, e.g. 239.1.2.3 or ff02::1:3 (got {value}).',
    { field, value: describeValue(value) },
  );
}

/** Reads a multicast group address (see checkMulticastGroup). */
export function parseMulticastGroup(value: unknown, field = 'group'): string {
  const error = checkMulticastGroup(value, field);
  if (error) throw error;
  return value as string;
}

/** The address part of an interface, without an IPv6 zone ('::%eth0' -> '::'). */
function withoutZone(address: string): string {
  const percent = address.indexOf('%');
  return percent < 0 ? address : address.slice(0, percent);
}

/**
 * Refuses an interface that cannot serve `group`: an IPv4 group takes the IPv4 address of a local interface
 * (e.g. 127.0.0.1), an IPv6 group an IPv6 address, usually with the interface as zone (e.g. ::%eth0).
 */
export function checkMulticastInterface(
  value: unknown,
  group: string,
  field = 'interface',
): SocketLabError | undefined {
  if (typeof value === 'string' && value !== '') {
    if (isIPv4(group) ? isIPv4(value) : isIPv6(withoutZone(value)) && !value.endsWith('%')) return undefined;
  }
  return isIPv4(group)
    ? SocketLabError.create(
        'invalidMulticastInterface',
        '{field} must be the IPv4 address of a local interface for the IPv4 group {group}, e.g. 127.0.0.1 (got {value}).',
        { field, group, value: describeValue(value) },
      )
    : SocketLabError.create(
        'invalidMulticastInterface',
        '{field} must be an IPv6 address with the interface as zone for the IPv6 group {group}, e.g. ::%eth0 (got {value}).',
        { field, group, value: describeValue(value) },
      );
}

/** Refuses a multicast TTL (IPv6: hop limit) that is not a whole number from 0 to 255. */
export function checkMulticastTtl(value: unknown, field = 'ttl'): SocketLabError | undefined {
  return checkInteger(value, field, MULTICAST_TTL_MIN, MULTICAST_TTL_MAX, 'invalidMulticastTtl');
}
