import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { propsError } from '../private/errors';
import { type ArgoCdCommonProps, requireText } from './argocd-application';
import { ArgoCdDestination } from './argocd-destination';
import { syncSpec } from './argocd-sync-policy';

/** One generated Application: a profile's render and the cluster it goes to. */
export interface ApplicationSetTarget {
  /** Profile name; the Application syncs `<distPath>/<profile>/`. */
  readonly profile: string;
  /** Cluster for this profile. @default ArgoCdDestination.inCluster() */
  readonly destination?: ArgoCdDestination;
}

export interface ArgoCdApplicationSetProps extends ArgoCdCommonProps {
  /** `metadata.name` of the ApplicationSet; each Application is named `<name>-<profile>`. */
  readonly name: string;
  /** One entry per profile (list generator). */
  readonly targets: readonly ApplicationSetTarget[];
  /** Folder of the renders in the repository. @default 'dist' */
  readonly distPath?: string;
}

/**
 * An Argo CD ApplicationSet with a list generator: one Application per profile, each syncing
 * `dist/<profile>/` into its cluster. With `cascadeDelete` (the default) the controller gives each Application
 * the cascade finalizer; objects marked `Delete=false` (claims, snapshots, their StatefulSets and Namespaces)
 * survive it. `cascadeDelete: false` sets `preserveResourcesOnDeletion` and nothing is deleted.
 */
export class ArgoCdApplicationSet extends Construct {
  public readonly name: string;
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: ArgoCdApplicationSetProps) {
    super(scope, id);
    const repoUrl = requireText(this, 'ArgoCdApplicationSet', 'repoUrl', props.repoUrl, 'https://github.com/acme/ml-platform.git');
    this.name = requireText(this, 'ArgoCdApplicationSet', 'name', props.name, 'ml-platform');
    if (!props.targets.length) throw propsError(this, 'ArgoCdApplicationSet', "targets is empty; list at least one profile, e.g. [{ profile: 'gke' }].");
    const destinations = props.targets.map((t) => t.destination ?? ArgoCdDestination.inCluster());
    const field = destinations[0].field;
    if (destinations.some((d) => d.field !== field)) {
      throw propsError(this, 'ArgoCdApplicationSet', `targets mix clusters by name and by server URL; the template has one destination field, so use ArgoCdDestination.clusterName() for all or ArgoCdDestination.server() for all.`);
    }
    const dist = (props.distPath ?? 'dist').replace(/\/+$/, '');
    const destination: Record<string, string> = { [field]: '{{.cluster}}' };
    if (props.destinationNamespace) destination.namespace = props.destinationNamespace;
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: { name: this.name, namespace: props.argoCdNamespace ?? 'argocd' },
      spec: {
        goTemplate: true,
        goTemplateOptions: ['missingkey=error'],
        generators: [{ list: { elements: props.targets.map((t, i) => ({ profile: t.profile, cluster: destinations[i].value })) } }],
        syncPolicy: { preserveResourcesOnDeletion: !(props.cascadeDelete ?? true) },
        template: {
          // The controller adds the cascade finalizer itself unless preserveResourcesOnDeletion is set.
          metadata: { name: `${this.name}-{{.profile}}` },
          spec: {
            project: props.project ?? 'default',
            source: { repoURL: repoUrl, targetRevision: props.targetRevision ?? 'HEAD', path: `${dist}/{{.profile}}` },
            destination,
            ...syncSpec(props, props.destinationNamespace, this, 'ArgoCdApplicationSet'),
          },
        },
      },
    });
  }
}
