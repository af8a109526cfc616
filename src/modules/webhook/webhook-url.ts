import { lookup as dnsLookup, type LookupAddress, type LookupOneOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Where webhooks may go. A tenant names the URL, so by default a message goes only over https to
 * a public address: never to the server's own network (loopback, private ranges, link-local cloud
 * metadata). The check runs on the URL when it is set and again on every address DNS gives at
 * delivery, so a name that later resolves inward is refused too. WEBHOOK_ALLOW_PRIVATE_URLS lifts
 * it, for a receiver on the same network.
 */
const PRIVATE_NETWORKS = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 3],
] as const)
  PRIVATE_NETWORKS.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  PRIVATE_NETWORKS.addSubnet(network, prefix, 'ipv6');

export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return PRIVATE_NETWORKS.check(mapped[1], 'ipv4');
  const family = isIP(address);
  return family === 0 || PRIVATE_NETWORKS.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export const MAX_WEBHOOK_URL_LENGTH = 2000;

/** Why a URL cannot take webhooks, in words for the `url` field; undefined when it can. */
export function webhookUrlProblem(text: string, allowPrivateNetworks: boolean): string | undefined {
  if (text.length > MAX_WEBHOOK_URL_LENGTH) return `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be an absolute URL, such as https://erp.example.com/webhooks';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http or https URL';
  if (url.username || url.password) return 'must not carry a user or password: the signature authenticates messages';
  if (url.hash) return 'must not have a #fragment';
  if (allowPrivateNetworks) return undefined;
  if (url.protocol !== 'https:') return 'must be https';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost') || (isIP(host) !== 0 && isPrivateAddress(host)))
    return 'must reach a public address, not this server or its private network';
  return undefined;
}

/** DNS lookup for deliveries that refuses names resolving to a private address. */
export const publicAddressLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...(options as LookupOneOptions), all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const open = addresses.filter((address) => !isPrivateAddress(address.address));
    if (open.length === 0) return callback(new Error(`${hostname} resolves to a private address; webhooks go to public addresses only`), '', 0);
    if ((options as { all?: boolean }).all) return (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, open);
    callback(null, open[0].address, open[0].family);
  });
};
