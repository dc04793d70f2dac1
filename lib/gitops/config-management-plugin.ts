import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { readAsset } from '../assets';

/** Props of `ConfigManagementPlugin`. */
export interface ConfigManagementPluginProps {
  /** Plugin name, unique in the Argo CD instance. @default 'cdk8s-stateful-ml' */
  readonly name?: string;
  /** Plugin version; Applications then reference it as `<name>-<version>`. @default - none */
  readonly version?: string;
  /** Installs the app's dependencies once per manifest generation, before `generate`. @default 'npm ci --no-audit --no-fund' */
  readonly installCommand?: string;
}

/**
 * The config file (`plugin.yaml`) of an Argo CD config management plugin that runs `cdk8s synth` in a
 * repo-server sidecar: argoproj.io/v1alpha1 ConfigManagementPlugin, mounted at
 * `/home/argocd/cmp-server/config/plugin.yaml`. It is not a cluster object. The sidecar image needs Node.js 20+
 * and `sh`. `generate` prints exactly one profile's manifests on stdout; reports go to stderr.
 */
export class ConfigManagementPlugin extends Construct {
  /** The name Applications put in `spec.source.plugin.name`. */
  public readonly pluginName: string;
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: ConfigManagementPluginProps = {}) {
    super(scope, id);
    const name = props.name ?? 'cdk8s-stateful-ml';
    this.pluginName = props.version ? `${name}-${props.version}` : name;
    const install = props.installCommand ?? 'npm ci --no-audit --no-fund';
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ConfigManagementPlugin',
      metadata: { name },
      spec: {
        ...(props.version ? { version: props.version } : {}),
        // init output is not manifests: keep it off stdout all the same.
        init: { command: ['sh', '-c'], args: [`${install} >&2`] },
        generate: { command: ['sh', '-c'], args: [readAsset(__dirname, 'scripts/cmp-generate.sh')] },
        discover: { fileName: 'cdk8s.yaml' },
      },
    });
  }
}
