import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { configKeyProblem } from '../checks/config-keys';
import { k8s } from '../k8s';
import { assertKnownProps, propNames } from '../profiles/known-props';

/** A key of a Secret, as `secretKeyRef` names it. */
export interface SecretKeyRef {
  /** Secret name. */
  readonly name: string;
  /** Key inside the Secret. */
  readonly key: string;
}

/** Keys of the username and password inside the credentials Secret. */
export interface CredentialKeys {
  /** @default 'username' */
  readonly username?: string;
  /** @default 'password' */
  readonly password?: string;
}

/** Where an External Secrets Operator `ExternalSecret` reads the credentials from. */
export interface ExternalSecretCredentialsProps {
  /** Name of the Kubernetes Secret the operator writes (in every namespace that uses it). */
  readonly secretName: string;
  /** Name of the SecretStore or ClusterSecretStore. */
  readonly store: string;
  /** @default 'ClusterSecretStore' (a namespaced SecretStore would have to exist in every namespace) */
  readonly storeKind?: 'SecretStore' | 'ClusterSecretStore';
  /** Key of the secret in the external store (e.g. a path in Vault, a name in AWS Secrets Manager). */
  readonly remoteKey: string;
  /** Properties of the remote secret holding username and password. @default - 'username' and 'password' */
  readonly remoteProperties?: CredentialKeys;
  /** @default '1h' */
  readonly refreshInterval?: string;
  /** @default - 'username' and 'password' */
  readonly keys?: CredentialKeys;
}

const SECRET_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * Credentials by reference only: the name of a Secret and the keys inside it. The Secret's data
 * never passes through synth; pods read it with `secretKeyRef` or a mounted file. A Secret is
 * namespaced, so every namespace that uses the credentials needs its own copy: `bind()` records
 * that, creating an ExternalSecret there when the credentials come from an external store.
 */
export class Credentials {
  /** A Secret you create (sealed-secrets, SOPS, by hand) in every namespace that uses it. */
  public static existingSecret(secretName: string, keys: CredentialKeys = {}): Credentials {
    assertKnownProps(`Credentials.existingSecret('${secretName}') keys`, keys, CREDENTIAL_KEYS);
    return new Credentials(secretName, keys, undefined);
  }

  /** An External Secrets Operator ExternalSecret, synthesized in every namespace that uses it. */
  public static externalSecret(props: ExternalSecretCredentialsProps): Credentials {
    const where = `Credentials.externalSecret('${props.secretName}')`;
    assertKnownProps(where, props, EXTERNAL_SECRET_PROPS);
    assertKnownProps(`${where} keys`, props.keys, CREDENTIAL_KEYS);
    assertKnownProps(`${where} remoteProperties`, props.remoteProperties, CREDENTIAL_KEYS);
    for (const field of ['store', 'remoteKey'] as const) {
      if (typeof props[field] !== 'string' || props[field].trim() === '') {
        throw new Error(`${where}: ${field} is ${JSON.stringify(props[field] ?? null)}; set ${field === 'store' ? 'the name of the (Cluster)SecretStore' : 'the key (path) of the secret in the external store'}.`);
      }
    }
    return new Credentials(props.secretName, props.keys ?? {}, props);
  }

  public readonly secretName: string;
  public readonly usernameKey: string;
  public readonly passwordKey: string;
  private readonly boundNamespaces = new Set<string>();

  private constructor(secretName: string, keys: CredentialKeys, private readonly external?: ExternalSecretCredentialsProps) {
    if (!SECRET_NAME.test(secretName) || secretName.length > 253) {
      throw new Error(`Invalid Secret name '${secretName}': a DNS-1123 subdomain (lower-case letters, digits, '-' and '.').`);
    }
    this.secretName = secretName;
    this.usernameKey = keys.username ?? 'username';
    this.passwordKey = keys.password ?? 'password';
    for (const key of [this.usernameKey, this.passwordKey]) {
      const problem = configKeyProblem(key);
      if (problem) throw new Error(`Credentials '${secretName}': Secret ${problem}.`);
    }
  }

  /** `true` when an ExternalSecret provides the Secret. */
  public get isExternal(): boolean {
    return this.external !== undefined;
  }

  /** Namespaces the Secret must exist in (those `bind()` was called for), sorted. */
  public get namespaces(): string[] {
    return [...this.boundNamespaces].sort();
  }

  public get username(): SecretKeyRef {
    return { name: this.secretName, key: this.usernameKey };
  }

  public get password(): SecretKeyRef {
    return { name: this.secretName, key: this.passwordKey };
  }

  /** An env var read from one key of the Secret. */
  public envVar(name: string, which: 'username' | 'password'): k8s.EnvVar {
    return { name, valueFrom: { secretKeyRef: { ...(which === 'username' ? this.username : this.password) } } };
  }

  /** A pod volume projecting the Secret's keys as files (mode 0400). */
  public volume(volumeName: string): k8s.Volume {
    return { name: volumeName, secret: { secretName: this.secretName, defaultMode: 0o400 } };
  }

  /**
   * A projected-volume source placing the Secret's keys at the given paths (e.g.
   * `{ password: 'grants/mlflow/password' }`), so one volume can carry several Secrets.
   */
  public projection(paths: { readonly username?: string; readonly password?: string }): k8s.VolumeProjection {
    const items = [
      ...(paths.username ? [{ key: this.usernameKey, path: paths.username }] : []),
      ...(paths.password ? [{ key: this.passwordKey, path: paths.password }] : []),
    ];
    return { secret: { name: this.secretName, items } };
  }

  /**
   * Declares that pods in `namespace` read these credentials. For external credentials this
   * synthesizes the ExternalSecret in that namespace (once per namespace, under `scope`).
   */
  public bind(scope: Construct, namespace: string): void {
    if (this.boundNamespaces.has(namespace)) return;
    this.boundNamespaces.add(namespace);
    if (!this.external) return;
    const ext = this.external;
    const remote = { username: ext.remoteProperties?.username ?? 'username', password: ext.remoteProperties?.password ?? 'password' };
    new ApiObject(scope, `ExternalSecret-${namespace}-${this.secretName}`, {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: this.secretName, namespace },
      spec: {
        refreshInterval: ext.refreshInterval ?? '1h',
        secretStoreRef: { name: ext.store, kind: ext.storeKind ?? 'ClusterSecretStore' },
        // Owner creation policy: the operator owns the Secret it writes, and deletes it with the ExternalSecret.
        target: { name: this.secretName, creationPolicy: 'Owner' },
        data: [
          { secretKey: this.usernameKey, remoteRef: { key: ext.remoteKey, property: remote.username } },
          { secretKey: this.passwordKey, remoteRef: { key: ext.remoteKey, property: remote.password } },
        ],
      },
    });
  }
}

/** Keys checked at runtime (synth only transpiles); the compiler keeps these lists equal to the interfaces. */
const CREDENTIAL_KEYS = propNames<CredentialKeys>({ username: true, password: true });
const EXTERNAL_SECRET_PROPS = propNames<ExternalSecretCredentialsProps>({
  secretName: true, store: true, storeKind: true, remoteKey: true, remoteProperties: true, refreshInterval: true, keys: true,
});
