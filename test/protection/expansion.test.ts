import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ExpansionPlan, Profile } from '../../lib';
import { synth } from '../support/synth';
import { describeEachShell } from '../support/shells';
import { StandInCluster } from './support/stand-in';
import { postgresLike } from './support/workloads';

describe('ExpansionPlan', () => {
  test('one step per ordinal; the workload keeps its template; nothing is synthesized', () => {
    const { chart, workload } = postgresLike(Profile.gke(), { replicas: 3 });
    const before = synth(chart);
    const plan = new ExpansionPlan(chart, 'grow', { target: workload, template: 'data', size: '50Gi' });
    expect(synth(chart)).toEqual(before);
    expect(plan.claims).toEqual([
      { ordinal: 0, claimName: 'data-pg-0', from: '20Gi', to: '50Gi' },
      { ordinal: 1, claimName: 'data-pg-1', from: '20Gi', to: '50Gi' },
      { ordinal: 2, claimName: 'data-pg-2', from: '20Gi', to: '50Gi' },
    ]);
    expect(plan.fileName).toBe('expand-pg-data-50gi.sh');
    const steps = plan.script.split('\n').filter((l) => /^(check_replicas|expand_claim|orphan_statefulset) /.test(l));
    expect(steps).toEqual([
      'check_replicas ml-db pg 3',
      'expand_claim ml-db data-pg-0 20Gi 50Gi 50Gi',
      'expand_claim ml-db data-pg-1 20Gi 50Gi 50Gi',
      'expand_claim ml-db data-pg-2 20Gi 50Gi 50Gi',
      'orphan_statefulset ml-db pg',
    ]);
  });

  test('writeTo writes the executable script', () => {
    const { chart, workload } = postgresLike(Profile.eks());
    const plan = new ExpansionPlan(chart, 'grow', { target: workload, template: 'wal', size: '1.5Ti' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-'));
    const file = plan.writeTo(dir);
    expect(path.basename(file)).toBe('expand-pg-wal-1.5ti.sh');
    expect(fs.readFileSync(file, 'utf8')).toBe(plan.script);
    expect(fs.statSync(file).mode & 0o777).toBe(0o755);
    // The API server reports 1.5Ti as 1536Gi; the plan waits for that.
    expect(plan.script).toContain('expand_claim ml-db wal-pg-0 5Gi 1.5Ti 1536Gi');
    fs.rmSync(dir, { recursive: true });
  });

  describeEachShell('the plan under %s (stand-in kubectl)', (shell) => {
    let cluster: StandInCluster;
    beforeEach(() => { cluster = new StandInCluster(); });
    afterEach(() => cluster.dispose());
    const plan = () => {
      const { chart, workload } = postgresLike(Profile.gke(), { replicas: 2 });
      return new ExpansionPlan(chart, 'grow', { target: workload, template: 'data', size: '50Gi' });
    };
    const bound = { 'spec.resources.requests.storage': '20Gi', 'status.capacity.storage': '20Gi', 'status.phase': 'Bound' };

    test('patches each claim, waits for its capacity, then orphans the StatefulSet', () => {
      cluster.statefulSet('pg', 2).claim('data-pg-0', bound).claim('data-pg-1', bound);
      const run = cluster.run(plan().script, { shell });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.calls.filter((c) => /^(patch|wait|delete)/.test(c))).toEqual([
        'patch pvc data-pg-0 -n ml-db --type merge -p {"spec":{"resources":{"requests":{"storage":"50Gi"}}}}',
        'wait pvc/data-pg-0 -n ml-db --for=jsonpath={.status.capacity.storage}=50Gi --timeout=15m',
        'patch pvc data-pg-1 -n ml-db --type merge -p {"spec":{"resources":{"requests":{"storage":"50Gi"}}}}',
        'wait pvc/data-pg-1 -n ml-db --for=jsonpath={.status.capacity.storage}=50Gi --timeout=15m',
        'delete statefulset pg -n ml-db --cascade=orphan',
      ]);
      expect(cluster.claimField('data-pg-1', 'spec.resources.requests.storage')).toBe('50Gi');
    });

    test('re-running after a partial run skips claims already grown', () => {
      cluster.statefulSet('pg', 2)
        .claim('data-pg-0', { ...bound, 'spec.resources.requests.storage': '50Gi', 'status.capacity.storage': '50Gi' })
        .claim('data-pg-1', bound);
      const run = cluster.run(plan().script, { shell });
      expect(run.status).toBe(0);
      expect(run.calls.filter((c) => c.startsWith('patch '))).toEqual([
        'patch pvc data-pg-1 -n ml-db --type merge -p {"spec":{"resources":{"requests":{"storage":"50Gi"}}}}',
      ]);
    });

    test('stops before touching anything when the cluster does not match the plan', () => {
      cluster.statefulSet('pg', 3).claim('data-pg-0', bound).claim('data-pg-1', bound);
      const scaled = cluster.run(plan().script, { shell });
      expect(scaled.status).toBe(1);
      expect(scaled.stderr).toContain('StatefulSet ml-db/pg has 3 replicas but this plan covers 2: regenerate the plan');
      expect(scaled.calls.filter((c) => !c.startsWith('get '))).toEqual([]);

      cluster.statefulSet('pg', 2).claim('data-pg-0', { ...bound, 'spec.resources.requests.storage': '30Gi' });
      const drifted = cluster.run(plan().script, { shell });
      expect(drifted.status).toBe(1);
      expect(drifted.stderr).toContain('claim ml-db/data-pg-0 requests 30Gi, but the plan was made for 20Gi: regenerate the plan');
      expect(drifted.calls.some((c) => c.startsWith('patch ') || c.startsWith('delete '))).toBe(false);
    });

    test('a claim that never reaches the size stops the plan before the StatefulSet is orphaned', () => {
      cluster.statefulSet('pg', 2).claim('data-pg-0', bound).claim('data-pg-1', bound).failing('^wait pvc/data-pg-0');
      const run = cluster.run(plan().script, { shell });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('claim ml-db/data-pg-0 did not reach 50Gi in 15m: if it shows the FileSystemResizePending condition');
      expect(run.calls.some((c) => c.startsWith('delete '))).toBe(false);
      expect(run.calls.some((c) => c.includes('data-pg-1'))).toBe(false);
    });
  });
});

describe('ExpansionPlan bad input', () => {
  test('a tier that cannot expand (kind local-path)', () => {
    const { chart, workload } = postgresLike(Profile.kind());
    expect(() => new ExpansionPlan(chart, 'grow', { target: workload, template: 'data', size: '50Gi' })).toThrow(
      "ExpansionPlan 'test/grow': claim template 'data' of StatefulWorkload 'pg' is on tier 'fast' (StorageClass ml-fast-v1, rancher.io/local-path), " +
      'which does not allow volume expansion: restore the data into a workload on a tier that can expand, or use a profile whose driver expands volumes ' +
      '(on kind: Profile.kind({ csiHostpath: true })).');
  });

  test('kind with the CSI hostpath driver can expand', () => {
    const { chart, workload } = postgresLike(Profile.kind({ csiHostpath: true }));
    expect(new ExpansionPlan(chart, 'grow', { target: workload, template: 'data', size: '50Gi' }).claims).toHaveLength(2);
  });

  test('shrinking, an unknown template, a bad size', () => {
    const { chart, workload } = postgresLike(Profile.gke());
    expect(() => new ExpansionPlan(chart, 'a', { target: workload, template: 'data', size: '20Gi' })).toThrow(
      "ExpansionPlan 'test/a': new size 20Gi of claim template 'data' is not larger than the current 20Gi: volumes can only grow.");
    expect(() => new ExpansionPlan(chart, 'b', { target: workload, template: 'logs', size: '50Gi' })).toThrow(
      "ExpansionPlan 'test/b': StatefulWorkload 'pg' has no volume claim template 'logs' (it has: data, wal).");
    expect(() => new ExpansionPlan(chart, 'c', { target: workload, template: 'data', size: '50GB' })).toThrow(
      "Invalid new size of ExpansionPlan 'test/c' '50GB': not a Kubernetes quantity (e.g. '20Gi', '512Mi', '500m'). Did you mean '50Gi'?");
  });
});
