/** Where an Argo CD Application gets its manifests from, inside the user's git repository. */
export class ManifestSource {
  /**
   * The committed render (`dist/<profile>/`, the rendered-manifests pattern): Argo CD applies exactly what was
   * reviewed. The folder holds a `kustomization.yaml`, so Argo CD builds it with kustomize, which only lists files.
   */
  public static renderedManifests(path: string): ManifestSource {
    return new ManifestSource(path.replace(/\/+$/, ''));
  }

  /**
   * Synth in the Argo CD repo server through a config management plugin (see `ConfigManagementPlugin`); `path`
   * is the folder holding `cdk8s.yaml`, `profile` the profile the plugin renders.
   */
  public static plugin(pluginName: string, profile: string, path = '.'): ManifestSource {
    return new ManifestSource(path, { name: pluginName, env: [{ name: 'PROFILE', value: profile }] });
  }

  private constructor(
    /** Path inside the repository. */
    public readonly path: string,
    /** `spec.source.plugin`, when a plugin renders. */
    public readonly plugin?: { readonly name: string; readonly env: ReadonlyArray<{ readonly name: string; readonly value: string }> },
  ) {}

  /** The Application's `spec.source`. */
  public toJson(repoURL: string, targetRevision: string): Record<string, unknown> {
    return {
      repoURL,
      targetRevision,
      path: this.path,
      ...(this.plugin ? { plugin: { name: this.plugin.name, env: this.plugin.env.map((e) => ({ ...e })) } } : {}),
    };
  }
}
