/** The cluster an Argo CD Application deploys to. */
export class ArgoCdDestination {
  /** The cluster Argo CD itself runs in (`https://kubernetes.default.svc`). */
  public static inCluster(): ArgoCdDestination {
    return new ArgoCdDestination('server', 'https://kubernetes.default.svc');
  }

  /** A cluster registered in Argo CD under this name (`argocd cluster add --name <name>`). */
  public static clusterName(name: string): ArgoCdDestination {
    if (!name.trim()) throw new Error('ArgoCdDestination.clusterName: the name is empty; pass the name the cluster was registered with in Argo CD.');
    return new ArgoCdDestination('name', name);
  }

  /** A cluster registered in Argo CD by API server URL, e.g. `https://1.2.3.4`. */
  public static server(url: string): ArgoCdDestination {
    if (!/^https?:\/\/\S+$/.test(url)) {
      throw new Error(`ArgoCdDestination.server: '${url}' is not an API server URL; use e.g. 'https://kubernetes.default.svc'.`);
    }
    return new ArgoCdDestination('server', url);
  }

  private constructor(
    /** Which `spec.destination` field identifies the cluster. */
    public readonly field: 'server' | 'name',
    /** Its value. */
    public readonly value: string,
  ) {}

  /** The Application's `spec.destination`. */
  public toJson(namespace?: string): Record<string, string> {
    return { [this.field]: this.value, ...(namespace ? { namespace } : {}) };
  }
}
