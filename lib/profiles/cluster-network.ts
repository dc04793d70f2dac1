import { isIPv4, isIPv6 } from 'net';

/** Pods chosen by namespace and labels, as plain data (the profile layer knows no NetworkPeer). */
export interface PodsInNamespace {
  /** Namespace of the pods. */
  readonly namespace: string;
  /** Labels selecting them; `{}` is every pod of the namespace. */
  readonly podSelector: Readonly<Record<string, string>>;
}

/** Where the Kubernetes API server is reached from pods, for the pods that call it (Patroni, snapshot jobs). */
export interface ApiServerEndpoint {
  /**
   * Addresses of the API server as pods see them after kube-proxy: the control-plane endpoint IPs
   * (`kubectl get endpoints kubernetes -n default`), as CIDRs (`172.18.0.2/32`, `10.0.0.0/28`).
   */
  readonly cidrs: readonly string[];
  /** Port on those addresses. @default 443 */
  readonly port?: number;
}

/** The cluster's network facts that NetworkPolicies need. */
export interface ClusterNetworkProps {
  /**
   * The cluster DNS pods every pod must reach on port 53 (UDP and TCP).
   * @default - kube-system pods labelled `k8s-app: kube-dns` (CoreDNS or kube-dns on GKE, EKS, AKS and kind)
   */
  readonly dns?: PodsInNamespace;
  /**
   * Node-local DNS cache address(es) pods query instead of the cluster DNS Service, as CIDRs.
   * @default - none (GKE NodeLocal DNSCache listens on 169.254.20.10: add '169.254.20.10/32' when it is enabled)
   */
  readonly nodeLocalDnsCidrs?: readonly string[];
  /**
   * The API server, for pods that call it. When unset, those pods may reach any address on 443 and 6443
   * (the API server's address is not known at synth time) and synth says so in CAPACITY.md.
   * @default - unknown
   */
  readonly apiServer?: ApiServerEndpoint;
  /**
   * The metrics scraper (Prometheus) admitted to every exporter port.
   * @default - none: exporters are scraped by nobody until declared (e.g. `{ namespace: 'monitoring', podSelector: {} }`)
   */
  readonly metricsScraper?: PodsInNamespace;
}

/** Network facts of a profile's cluster, with defaults filled in. */
export class ClusterNetwork {
  /** The defaults: kube-dns, API server unknown, no scraper. */
  public static readonly DEFAULT = new ClusterNetwork({});

  public readonly dns: PodsInNamespace;
  public readonly nodeLocalDnsCidrs: readonly string[];
  public readonly apiServer?: Required<ApiServerEndpoint>;
  public readonly metricsScraper?: PodsInNamespace;

  constructor(props: ClusterNetworkProps) {
    this.dns = props.dns ?? { namespace: 'kube-system', podSelector: { 'k8s-app': 'kube-dns' } };
    this.nodeLocalDnsCidrs = props.nodeLocalDnsCidrs ?? [];
    const problems = [...(props.apiServer?.cidrs ?? []), ...this.nodeLocalDnsCidrs].filter((c) => !isCidr(c));
    if (problems.length) throw new Error(`ClusterNetwork: '${problems.join("', '")}' is not a CIDR such as '172.18.0.2/32'.`);
    if (props.apiServer) {
      if (!props.apiServer.cidrs.length) throw new Error('ClusterNetwork: apiServer.cidrs is empty; give the API server endpoint addresses, e.g. [\'172.18.0.2/32\'].');
      const port = props.apiServer.port ?? 443;
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`ClusterNetwork: apiServer.port ${port} is not a port (1-65535).`);
      this.apiServer = { cidrs: [...props.apiServer.cidrs], port };
    }
    this.metricsScraper = props.metricsScraper;
  }
}

function isCidr(cidr: string): boolean {
  const [address, bits, ...rest] = cidr.split('/');
  const max = isIPv4(address ?? '') ? 32 : isIPv6(address ?? '') ? 128 : 0;
  return max > 0 && !rest.length && /^\d{1,3}$/.test(bits ?? '') && Number(bits) <= max;
}
