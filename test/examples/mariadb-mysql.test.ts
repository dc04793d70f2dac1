import { App } from 'cdk8s';
import { Profile } from '../../lib';
import * as mariadb from '../../examples/mariadb/main';
import * as mysql from '../../examples/mysql/main';
import { all, find } from '../support/synth';
import { envOf, renderExample } from './render';

type Build = (app: App, profile?: Profile) => { readonly profile: Profile };
const EXAMPLES: Array<[string, Build, string, number, string]> = [
  ['mariadb', mariadb.build, 'aks', 2, 'mariadb-admin'],
  ['mysql', mysql.build, 'gke', 3, 'mysqladmin'],
];

describe.each(EXAMPLES)('examples/%s', (name, build, profileName, replicas, admin) => {
  const { rendered, objects } = renderExample(build);
  const sts = find(objects, 'StatefulSet', name);
  const server = sts.spec.template.spec.containers.find((c: any) => c.name === name);

  test(`renders on ${profileName} with ${replicas} pods, passing the gates, no Secret rendered`, () => {
    expect(rendered.profile.name).toBe(profileName);
    expect(rendered.gates.errors).toEqual([]);
    expect(sts.spec.replicas).toBe(replicas);
    expect(all(objects, 'Secret')).toEqual([]);
    expect(all(objects, 'Role')).toEqual([]);
  });

  test('readiness from the rendered ready.sh (threads and lag through an option file); liveness a ping; empty-primary guard wired', () => {
    expect(server.readinessProbe.exec.command).toEqual(['sh', '/etc/db/config/ready.sh']);
    expect(server.livenessProbe.exec.command).toEqual([admin, '--socket=/var/run/mysqld/mysqld.sock', 'ping']);
    const env = envOf(server);
    expect(env.DB_CLIENT_CNF).toBe('/var/run/mysqld/probe.cnf');
    expect(env.DB_READY_MAX_LAG_SECONDS).toBe('30');
    expect(env.REPLICA_HOSTS).toBe(Array.from({ length: replicas - 1 }, (_, i) => `${name}-${i + 1}.${name}-headless.${sts.metadata.namespace}.svc.cluster.local`).join(' '));
    const config = find(objects, 'ConfigMap', `${name}-config`).data;
    expect(config['ready.sh']).toContain('SHOW REPLICA STATUS');
    expect(config['bootstrap.sh']).toContain('--loose-rpl-semi-sync-master-enabled=OFF --loose-rpl-semi-sync-source-enabled=OFF');
  });

  test('other profiles render too', () => {
    for (const profile of [Profile.kind(), Profile.eks({ efsFileSystemId: 'fs-0123456789abcdef0' })]) {
      expect(renderExample(build, profile).rendered.gates.errors).toEqual([]);
    }
  });
});
