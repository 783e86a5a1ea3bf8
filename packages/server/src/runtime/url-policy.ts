import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from "node:dns";
import ipaddr from "ipaddr.js";

type Ip = ipaddr.IPv4 | ipaddr.IPv6;

/** `dns.lookup` with `all: true` (what the policy resolves names with; tests stand in a rebinding resolver). */
export type Resolver = (hostname: string, options: LookupAllOptions, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

/**
 * Cloud instance-metadata endpoints by name. Their addresses are refused as link-local anyway; the names are
 * refused at input too, so the mistake is reported when the integration is saved, not at its first delivery.
 */
const METADATA_HOSTS = new Set([
  "metadata",
  "metadata.google.internal",
  "metadata.goog",
  "instance-data",
  "instance-data.ec2.internal",
  "metadata.azure.internal",
  "metadata.tencentyun.com",
  "metadata.platformequinix.com",
]);

/** Metadata addresses outside the link-local ranges (AWS over IPv6, Alibaba Cloud). */
const METADATA_ADDRESSES: readonly [Ip, number][] = [ipaddr.parseCIDR("fd00:ec2::254/128"), ipaddr.parseCIDR("100.100.100.200/32")];

/** Ranges no allow-list can open: link-local (where the metadata services live), unspecified, broadcast, multicast. */
const NEVER: ReadonlySet<string> = new Set(["linkLocal", "unspecified", "broadcast", "multicast", "deprecatedSiteLocal"]);

/** Why a URL or an address is refused, as the error the client or the execution history shows. */
export class UrlRefused extends Error {
  /** Lets the dispatcher tell a refusal (final, not retried) from a network error. */
  static readonly CODE = "TRIPWIRE_URL_REFUSED";
  readonly code = UrlRefused.CODE;
}

/** The address as ipaddr.js sees it, IPv4-mapped IPv6 (`::ffff:127.0.0.1`) turned into the IPv4 it carries. */
function parseIp(text: string): Ip | undefined {
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  if (!ipaddr.isValid(bare)) return undefined;
  const ip = ipaddr.parse(bare);
  return ip.kind() === "ipv6" && (ip as ipaddr.IPv6).isIPv4MappedAddress() ? (ip as ipaddr.IPv6).toIPv4Address() : ip;
}

function inRange(ip: Ip, [net, bits]: [Ip, number]): boolean {
  return ip.kind() === net.kind() && ip.match(net, bits);
}

/**
 * Where webhooks and Slack messages may go. Link-local and cloud-metadata addresses are always refused; loopback,
 * private, unique-local, shared (CGNAT) and reserved ranges only when an allow-list entry (an address or a CIDR,
 * `--allow-private`) covers them; public addresses always pass. URLs with userinfo are refused. A host name is
 * checked again on every connection against the addresses it resolves to (see {@link lookup}), so a name that
 * answers with a public address at input and a private one later (DNS rebinding) is still refused.
 * @example
 * const policy = new UrlPolicy(["127.0.0.1"]);
 * policy.checkUrl("http://127.0.0.1:8787/hook"); // passes
 * policy.checkUrl("http://169.254.169.254/latest/meta-data"); // throws UrlRefused
 */
export class UrlPolicy {
  private readonly allowed: readonly [Ip, number][];

  private readonly resolver: Resolver;

  /**
   * @param allowPrivate addresses or CIDRs (`127.0.0.1`, `10.0.0.0/8`, `::1`) opened for delivery.
   * @param options.resolver how names are resolved on connect (default `dns.lookup`).
   */
  constructor(
    readonly allowPrivate: readonly string[] = [],
    options: { readonly resolver?: Resolver } = {},
  ) {
    this.resolver = options.resolver ?? (dnsLookup as unknown as Resolver);
    this.allowed = allowPrivate.map((entry) => {
      const e = entry.trim();
      let range: [Ip, number];
      if (ipaddr.isValidCIDR(e)) range = ipaddr.parseCIDR(e);
      else {
        const ip = parseIp(e);
        if (!ip) throw new UrlRefused(`--allow-private "${entry}" is not an IP address or a CIDR range`);
        range = [ip, ip.kind() === "ipv4" ? 32 : 128];
      }
      const why = UrlPolicy.never(range[0]);
      if (why) throw new UrlRefused(`--allow-private "${entry}": ${why}; such addresses are always refused`);
      return range;
    });
  }

  /** Why an address is refused whatever the allow-list says, or undefined. */
  private static never(ip: Ip): string | undefined {
    if (METADATA_ADDRESSES.some((r) => inRange(ip, r))) return `${ip.toString()} is a cloud metadata address`;
    const range = ip.range();
    if (range === "linkLocal") return `${ip.toString()} is a link-local (cloud metadata) address`;
    if (NEVER.has(range)) return `${ip.toString()} is in the ${range} range`;
    return undefined;
  }

  /** Why this address may not be connected to, or undefined when it may. */
  refusal(address: string): string | undefined {
    const ip = parseIp(address);
    if (!ip) return `"${address}" is not an IP address`;
    const never = UrlPolicy.never(ip);
    if (never) return never;
    if (ip.range() === "unicast") return undefined;
    if (this.allowed.some((r) => inRange(ip, r))) return undefined;
    return `${ip.toString()} is a ${ip.range() === "loopback" ? "loopback" : "private or reserved"} address; start the server with --allow-private ${ip.toString()} (or a CIDR range) to deliver there`;
  }

  /**
   * Checks a webhook or Slack URL without resolving it: scheme, userinfo, metadata names, and IP literals in any
   * spelling the URL parser accepts (`0x7f000001`, `2130706433`, `0177.0.0.1`, `[::ffff:127.0.0.1]` all read as
   * 127.0.0.1). Throws {@link UrlRefused} saying why.
   */
  checkUrl(url: string, field = "url"): URL {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new UrlRefused(`${field} "${url}" is not a URL`);
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new UrlRefused(`${field} must be an http or https URL`);
    if (u.username !== "" || u.password !== "") throw new UrlRefused(`${field} must not carry a user name or password (user:pass@host)`);
    const host = u.hostname.replace(/\.$/, "").toLowerCase();
    if (METADATA_HOSTS.has(host)) throw new UrlRefused(`${field} "${url}": ${host} is a cloud metadata host`);
    const literal = parseIp(host);
    const addresses = literal ? [host] : host === "localhost" || host.endsWith(".localhost") ? ["127.0.0.1", "::1"] : [];
    const refusals = addresses.map((a) => this.refusal(a));
    if (addresses.length > 0 && refusals.every((r) => r !== undefined)) throw new UrlRefused(`${field} "${url}" is refused: ${refusals[0]}`);
    return u;
  }

  /**
   * A `dns.lookup` for `net.connect` / `tls.connect` that hands the socket only addresses this policy allows, so
   * the address checked is the address connected to. With no allowed address the connection fails with
   * {@link UrlRefused}.
   */
  readonly lookup = (hostname: string, options: unknown, callback: (...args: unknown[]) => void): void => {
    const opts = (typeof options === "object" && options !== null ? options : {}) as { family?: number; hints?: number; all?: boolean };
    const all: LookupAllOptions = { all: true, ...(opts.family ? { family: opts.family } : {}), ...(opts.hints ? { hints: opts.hints } : {}) };
    this.resolver(hostname, all, (err, addresses) => {
      if (err) return callback(err);
      const ok = addresses.filter((a) => this.refusal(a.address) === undefined);
      if (ok.length === 0) {
        const first = addresses[0];
        return callback(new UrlRefused(`${hostname} resolves only to refused addresses: ${first ? this.refusal(first.address) : "none"}`));
      }
      if (opts.all) return callback(null, ok);
      const a = ok[0] as LookupAddress;
      callback(null, a.address, a.family);
    });
  };
}
