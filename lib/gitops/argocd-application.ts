import { ApiObject } from 'cdk8s';
import { Construct, type IConstruct } from 'constructs';
import { propsError } from '../private/errors';
import { ArgoCdDestination } from './argocd-destination';
import { type ArgoCdSyncOptions, syncSpec } from './argocd-sync-policy';
import { ManifestSource } from './manifest-source';

/** Deleting an Application with this finalizer deletes its objects too (all but those marked `Delete=false`). */
export const CASCADE_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/** What every Argo CD object we generate needs to know about the user's repository and Argo CD. */
export interface ArgoCdCommonProps extends ArgoCdSyncOptions {
  /** Git URL of the repository holding `dist/` (the user's repository, e.g. `https://github.com/acme/ml-platform.git`). */
  readonly repoUrl: string;
  /** Branch, tag or commit Argo CD follows. @default 'HEAD' */
  readonly targetRevision?: string;
  /** Argo CD project. @default 'default' */
  readonly project?: string;
  /** Namespace Argo CD runs in (where Application objects live). @default 'argocd' */
  readonly argoCdNamespace?: string;
  /** Namespace for objects without one; every object we render names its namespace. @default - none */
  readonly destinationNamespace?: string;
  /**
   * Deleting the Application deletes what it deployed (finalizer `resources-finalizer.argocd.argoproj.io`),
   * except objects marked `Delete=false`: claims, snapshots, stateful sets with claims and their namespaces.
   * @default true
   */
  readonly cascadeDelete?: boolean;
}

export interface ArgoCdApplicationProps extends ArgoCdCommonProps {
  /** `metadata.name` of the Application, e.g. `ml-platform-gke`. */
  readonly name: string;
  /** Where the manifests come from, e.g. `ManifestSource.renderedManifests('dist/gke')`. */
  readonly source: ManifestSource;
  /** Cluster to deploy to. @default ArgoCdDestination.inCluster() */
  readonly destination?: ArgoCdDestination;
}

/** Throws when a required string prop is blank. */
export function requireText(scope: IConstruct, kind: string, prop: string, value: string | undefined, example: string): string {
  if (!value || !value.trim()) throw propsError(scope, kind, `${prop} is empty; set it, e.g. ${prop}: '${example}'.`);
  return value;
}

/** An Argo CD Application (argoproj.io/v1alpha1) syncing one render of the platform into one cluster. */
export class ArgoCdApplication extends Construct {
  /** `metadata.name`. */
  public readonly name: string;
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: ArgoCdApplicationProps) {
    super(scope, id);
    const repoUrl = requireText(this, 'ArgoCdApplication', 'repoUrl', props.repoUrl, 'https://github.com/acme/ml-platform.git');
    this.name = requireText(this, 'ArgoCdApplication', 'name', props.name, 'ml-platform-gke');
    const destination = props.destination ?? ArgoCdDestination.inCluster();
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: this.name,
        namespace: props.argoCdNamespace ?? 'argocd',
        ...(props.cascadeDelete ?? true ? { finalizers: [CASCADE_FINALIZER] } : {}),
      },
      spec: {
        project: props.project ?? 'default',
        source: props.source.toJson(repoUrl, props.targetRevision ?? 'HEAD'),
        destination: destination.toJson(props.destinationNamespace),
        ...syncSpec(props, props.destinationNamespace, this, 'ArgoCdApplication'),
      },
    });
  }
}
