import { k8s } from '../k8s';

/** Secret keys holding each Redis user's password. */
export interface RedisUserKeys {
  /** Full access for operators (`redis-cli --user admin`). @default 'admin-password' */
  readonly admin?: string;
  /** Replicas authenticating to their primary (`masteruser`). @default 'replication-password' */
  readonly replication?: string;
  /** Sentinels talking to the servers and to each other. @default 'sentinel-password' */
  readonly sentinel?: string;
  /** Health probes (PING and INFO only). @default 'probe-password' */
  readonly probe?: string;
}

/** A client user of the Redis servers, limited to the commands and keys it uses. */
export interface RedisClientUser {
  /** ACL user name (letters, digits, `-`, `_`). */
  readonly name: string;
  /** Secret key holding its password. */
  readonly passwordKey: string;
  /** Commands it may run on the data servers (`hset`, `client|setname`). */
  readonly commands: readonly string[];
  /** Key patterns it may touch (`*ml_features`). */
  readonly keyPatterns: readonly string[];
}

/**
 * Commands Feast's Redis online store sends (feast/infra/online_stores/redis.py of 0.40, redis-py):
 * reads are pipelined HMGET, materialization HMGET then HSET (+ EXPIRE with key_ttl_seconds),
 * `feast apply`/teardown SCAN + HGETALL/HKEYS + DEL/HDEL; the connection AUTH/HELLO/CLIENT
 * SETNAME/PING/ROLE (redis-py ignores a refused CLIENT SETINFO, which Redis 7.0 lacks).
 */
export const FEAST_REDIS_COMMANDS: readonly string[] = [
  'auth', 'hello', 'ping', 'client|setname', 'role',
  'hmget', 'hget', 'hgetall', 'hkeys', 'hset', 'hdel', 'expire', 'exists', 'del', 'unlink', 'scan',
];

/**
 * What anyone may ask a Sentinel without logging in: where the primary and replicas are. Feast
 * 0.40 creates redis-py's `Sentinel(hosts, **kwargs)` without `sentinel_kwargs`, so it sends no
 * user, password or TLS to the Sentinels (only to the servers they name); the answer holds no
 * secret, and a client that verifies the server's certificate cannot be sent to an impostor.
 */
export const SENTINEL_DISCOVERY_COMMANDS: readonly string[] = [
  'ping', 'hello', 'client|setname',
  'sentinel|get-master-addr-by-name', 'sentinel|masters', 'sentinel|master',
  'sentinel|slaves', 'sentinel|replicas', 'sentinel|sentinels',
];

/** The ACL user Feast connects as: its commands, and only the keys of its project. */
export function feastRedisUser(project: string, passwordKey = 'feast-password'): RedisClientUser {
  // Feast keys are <serialized entity key><project>, so the project is the key suffix.
  return { name: 'feast', passwordKey, commands: FEAST_REDIS_COMMANDS, keyPatterns: [`*${project}`] };
}

/** One line of the users file the start scripts read: `<user> <ENV_VAR or -> <ACL rules>`. */
interface UserLine {
  readonly user: string;
  /** `-`: no password (the `default` user, whose rules say `off resetpass` or `on nopass`). */
  readonly envVar: string;
  readonly secretKey?: string;
  readonly rules: string;
}

const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const RESERVED = new Set(['default', 'admin', 'replication', 'sentinel', 'probe']);

/**
 * Redis ACL users, each with its own password key in one Secret. The `default` user is disabled
 * (no login without a user name); passwords reach the pods only as Secret references and are
 * stored in the runtime configuration as SHA-256 hashes.
 */
export class RedisUsers {
  /** Passwords in the keys of an existing Secret (see docs/credentials.md for creating it). */
  public static fromSecret(secretName: string, keys: RedisUserKeys = {}): RedisUsers {
    return new RedisUsers(secretName, keys);
  }

  private constructor(
    /** Secret holding every password. */
    public readonly secretName: string,
    private readonly keys: RedisUserKeys,
  ) {}

  /** Secret key of a built-in user. */
  public keyOf(user: 'admin' | 'replication' | 'sentinel' | 'probe'): string {
    return this.keys[user] ?? `${user}-password`;
  }

  /** Why `clients` cannot be rendered, if they cannot. */
  public clientProblem(clients: readonly RedisClientUser[]): string | undefined {
    const seen = new Set<string>();
    for (const c of clients) {
      if (!USER_NAME.test(c.name)) return `Redis user name '${c.name}' is invalid: use letters, digits, '-' and '_'`;
      if (RESERVED.has(c.name)) return `Redis user name '${c.name}' is reserved for the built-in users (${[...RESERVED].join(', ')}): pick another name`;
      if (seen.has(c.name)) return `Redis user '${c.name}' is declared twice: declare each client user once`;
      seen.add(c.name);
      for (const cmd of c.commands) {
        if (!/^[a-z][a-z0-9_-]*(\|[a-z][a-z0-9_-]*)?$/.test(cmd)) return `Redis user '${c.name}': command '${cmd}' is not a lower-case command or command|subcommand`;
      }
      for (const pattern of c.keyPatterns) {
        if (!pattern || /\s/.test(pattern)) return `Redis user '${c.name}': key pattern '${pattern}' is empty or contains white space`;
      }
    }
    return undefined;
  }

  private line(user: string, secretKey: string, rules: string): UserLine {
    return { user, envVar: envVarOf(user), secretKey, rules };
  }

  /** Users of the data servers, built-in ones first. */
  private serverLines(clients: readonly RedisClientUser[]): UserLine[] {
    return [
      this.line('admin', this.keyOf('admin'), '~* &* +@all'),
      this.line('replication', this.keyOf('replication'), 'resetchannels -@all +psync +replconf +ping'),
      // The commands Sentinel sends to the servers it monitors (Redis Sentinel documentation).
      this.line('sentinel', this.keyOf('sentinel'),
        '&* -@all +multi +slaveof +ping +exec +subscribe +config|rewrite +role +publish +info +client|setname +client|kill +script|kill'),
      this.line('probe', this.keyOf('probe'), 'resetchannels -@all +ping +info'),
      ...clients.map((c) => this.line(c.name, c.passwordKey,
        `resetchannels ${c.keyPatterns.map((p) => `~${p}`).join(' ')} -@all ${c.commands.map((cmd) => `+${cmd}`).join(' ')}`)),
      // Nobody logs in without a user name (and protected mode stays effective: no nopass user).
      { user: 'default', envVar: '-', rules: 'off resetpass -@all' },
    ];
  }

  /** Users of the Sentinels: Sentinel peers and operators in full, probes, and anonymous discovery of the primary. */
  private sentinelLines(): UserLine[] {
    return [
      this.line('admin', this.keyOf('admin'), '~* &* +@all'),
      this.line('sentinel', this.keyOf('sentinel'), '~* &* +@all'),
      this.line('probe', this.keyOf('probe'), 'resetchannels -@all +ping +info'),
      { user: 'default', envVar: '-', rules: `on nopass resetchannels -@all ${SENTINEL_DISCOVERY_COMMANDS.map((c) => `+${c}`).join(' ')}` },
    ];
  }

  /** The users file of the data servers (ConfigMap `users.acl`). */
  public serverFile(clients: readonly RedisClientUser[]): string {
    return renderUsersFile(this.serverLines(clients));
  }

  /** The users file of the Sentinels (ConfigMap `sentinel-users.acl`). */
  public sentinelFile(): string {
    return renderUsersFile(this.sentinelLines());
  }

  /** `REDIS_PASSWORD_<USER>` env vars (Secret references) for the data servers. */
  public serverEnv(clients: readonly RedisClientUser[]): k8s.EnvVar[] {
    return this.env(this.serverLines(clients));
  }

  /** `REDIS_PASSWORD_<USER>` env vars (Secret references) for the Sentinels. */
  public sentinelEnv(): k8s.EnvVar[] {
    return this.env(this.sentinelLines());
  }

  /** The env var carrying `user`'s password, read from its Secret key. */
  public envVar(user: string, secretKey: string): k8s.EnvVar {
    return { name: envVarOf(user), valueFrom: { secretKeyRef: { name: this.secretName, key: secretKey } } };
  }

  private env(lines: readonly UserLine[]): k8s.EnvVar[] {
    return lines.filter((l) => l.secretKey !== undefined).map((l) => this.envVar(l.user, l.secretKey!));
  }
}

/** `REDIS_PASSWORD_<USER>` with the name upper-cased and `-` as `_`. */
export function envVarOf(user: string): string {
  return `REDIS_PASSWORD_${user.toUpperCase().replace(/-/g, '_')}`;
}

function renderUsersFile(lines: readonly UserLine[]): string {
  return [
    '# <user> <env var holding its password, - for none> <ACL rules>; read by the start scripts, which',
    '# write `user <user> reset on #<sha256 of the password> <rules>` (`user default reset <rules>`).',
    ...lines.map((l) => `${l.user} ${l.envVar} ${l.rules}`),
  ].join('\n') + '\n';
}
