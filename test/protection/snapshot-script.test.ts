import { renderedScript } from '../support/scripts';
import { describeEachShell } from '../support/shells';
import { StandInCluster } from './support/stand-in';

const SCRIPT = renderedScript('stateful/scripts/snapshot-claims.sh');
const ENV = {
  NAMESPACE: 'ml-db', STATEFULSET: 'pg', TEMPLATES: 'data wal', SELECTOR: 'app.kubernetes.io/instance=pg',
  SNAPSHOT_CLASS: 'ml-snapshots', SCHEDULE: 'pg-snapshots', KEEP: '3',
};
const NOW = '20250301-030000';

const deletions = (calls: string[]) => calls.filter((c) => c.startsWith('delete '));
const creations = (calls: string[]) => calls.filter((c) => c.startsWith('create '));

describeEachShell('snapshot-claims.sh under %s', (shell) => {
  let cluster: StandInCluster;
  beforeEach(() => { cluster = new StandInCluster(NOW); });
  afterEach(() => cluster.dispose());

  test('snapshots every claim of every ordinal of the selected templates, named <claim>-<run time>', () => {
    cluster.claims({
      'data-pg-0': 'Bound', 'data-pg-1': 'Bound', 'wal-pg-0': 'Bound', 'wal-pg-1': 'Bound',
      // Same labels, but not a claim of the templates/StatefulSet: left alone.
      'scratch-pg-0': 'Bound', 'data-pg-extra': 'Bound', 'data-pgbouncer-0': 'Bound',
    });
    const run = cluster.run(SCRIPT, { shell, env: ENV });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.calls[0]).toBe('get persistentvolumeclaims -n ml-db -l app.kubernetes.io/instance=pg -o jsonpath=' +
      '{range .items[*]}{.metadata.name}{" "}{.status.phase}{"\\n"}{end}');
    expect(creations(run.calls)).toEqual(Array(4).fill('create -n ml-db -f -'));
    expect(run.created.map((m) => /name: (.*)/.exec(m)![1])).toEqual([
      `data-pg-0-${NOW}`, `wal-pg-0-${NOW}`, `data-pg-1-${NOW}`, `wal-pg-1-${NOW}`,
    ]);
    expect(run.created[0]).toBe([
      'apiVersion: snapshot.storage.k8s.io/v1',
      'kind: VolumeSnapshot',
      'metadata:',
      `  name: data-pg-0-${NOW}`,
      '  namespace: ml-db',
      '  labels:',
      '    app.kubernetes.io/managed-by: cdk8s-stateful-ml',
      '    ml.cdk8s.io/snapshot-schedule: pg-snapshots',
      '    ml.cdk8s.io/source-claim: data-pg-0',
      'spec:',
      '  volumeSnapshotClassName: ml-snapshots',
      '  source:',
      '    persistentVolumeClaimName: data-pg-0',
    ].join('\n'));
    expect(deletions(run.calls)).toEqual([]);
    expect(run.calls.some((c) => c.startsWith('exec '))).toBe(false);
  });

  test('pruning keeps exactly the KEEP newest (the new one included) and deletes only older scheduled snapshots', () => {
    cluster.claims({ 'data-pg-0': 'Bound' }).snapshots('data-pg-0', {
      'data-pg-0-20250225-030000': true,
      'data-pg-0-20250228-030000': true,
      'data-pg-0-20250226-030000': true,
      'data-pg-0-20250227-030000': true,
      // Carries the schedule's labels but not its naming: never deleted.
      'data-pg-0-before-upgrade': true,
    });
    const run = cluster.run(SCRIPT, { shell, env: { ...ENV, TEMPLATES: 'data' } });
    expect(run.status).toBe(0);
    expect(run.calls).toContain('get volumesnapshots -n ml-db -l ml.cdk8s.io/snapshot-schedule=pg-snapshots,ml.cdk8s.io/source-claim=data-pg-0 ' +
      '-o jsonpath={range .items[*]}{.metadata.name}{" "}{.status.readyToUse}{"\\n"}{end}');
    expect(deletions(run.calls)).toEqual([
      'delete volumesnapshot -n ml-db data-pg-0-20250226-030000 --wait=false',
      'delete volumesnapshot -n ml-db data-pg-0-20250225-030000 --wait=false',
    ]);
    expect(cluster.snapshotNames('data-pg-0')).toEqual([
      'data-pg-0-20250227-030000', 'data-pg-0-20250228-030000', `data-pg-0-${NOW}`, 'data-pg-0-before-upgrade',
    ]);
  });

  test('KEEP=1 keeps only the snapshot just taken; other claims\' snapshots are untouched', () => {
    cluster.claims({ 'data-pg-0': 'Bound', 'data-pg-1': 'Bound' })
      .snapshots('data-pg-0', { 'data-pg-0-20250228-030000': true })
      .snapshots('data-pg-1', { 'data-pg-1-20250228-030000': true });
    const run = cluster.run(SCRIPT, { shell, env: { ...ENV, TEMPLATES: 'data', KEEP: '1' } });
    expect(run.status).toBe(0);
    expect(deletions(run.calls)).toEqual([
      'delete volumesnapshot -n ml-db data-pg-0-20250228-030000 --wait=false',
      'delete volumesnapshot -n ml-db data-pg-1-20250228-030000 --wait=false',
    ]);
    expect(cluster.snapshotNames('data-pg-0')).toEqual([`data-pg-0-${NOW}`]);
  });

  test('snapshots that are not ready do not count towards KEEP: failed ones never crowd out good ones', () => {
    cluster.claims({ 'data-pg-0': 'Bound' }).snapshots('data-pg-0', {
      'data-pg-0-20250228-030000': false, // failed or still uploading, newer than the cut: kept
      'data-pg-0-20250227-030000': true,
      'data-pg-0-20250226-030000': true,
      'data-pg-0-20250225-030000': false, // older than the cut: deleted
      'data-pg-0-20250224-030000': true,
    });
    const run = cluster.run(SCRIPT, { shell, env: { ...ENV, TEMPLATES: 'data' } });
    expect(run.status).toBe(0);
    expect(deletions(run.calls)).toEqual([
      'delete volumesnapshot -n ml-db data-pg-0-20250225-030000 --wait=false',
      'delete volumesnapshot -n ml-db data-pg-0-20250224-030000 --wait=false',
    ]);
  });

  test('a failed create prunes nothing for that claim, carries on with the others and fails the job', () => {
    cluster.claims({ 'data-pg-0': 'Bound', 'data-pg-1': 'Bound' })
      .snapshots('data-pg-0', { 'data-pg-0-20250101-030000': true, 'data-pg-0-20250102-030000': true, 'data-pg-0-20250103-030000': true })
      .snapshots('data-pg-1', { 'data-pg-1-20250101-030000': true, 'data-pg-1-20250102-030000': true, 'data-pg-1-20250103-030000': true })
      .failing('^create ');
    const run = cluster.run(SCRIPT, { shell, env: { ...ENV, TEMPLATES: 'data' } });
    expect(run.status).toBe(1);
    expect(creations(run.calls)).toHaveLength(2);
    expect(deletions(run.calls)).toEqual([]);
    expect(run.stderr).toContain(`could not create data-pg-0-${NOW}: keeping every older snapshot of data-pg-0`);
  });

  test('a claim that is not Bound is reported and fails the job; the others are snapshotted', () => {
    cluster.claims({ 'data-pg-0': 'Bound', 'data-pg-1': 'Pending' });
    const run = cluster.run(SCRIPT, { shell, env: { ...ENV, TEMPLATES: 'data' } });
    expect(run.status).toBe(1);
    expect(run.created.map((m) => /name: (.*)/.exec(m)![1])).toEqual([`data-pg-0-${NOW}`]);
    expect(run.stderr).toContain('claim data-pg-1 is Pending, not Bound: not snapshotted');
  });

  test('no claims found fails loudly', () => {
    const run = cluster.run(SCRIPT, { shell, env: ENV });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("no claims of templates 'data wal' of StatefulSet pg found in ml-db");
  });

  test('claims are found by label at run time: a scaled-up ordinal is snapshotted with no new render, and no pod is exec\'d', () => {
    cluster.claims({ 'data-pg-0': 'Bound', 'data-pg-1': 'Bound', 'data-pg-2': 'Bound' });
    const run = cluster.run(SCRIPT, { shell, env: { ...ENV, TEMPLATES: 'data' } });
    expect(run.status).toBe(0);
    expect(run.created.map((m) => /name: (.*)/.exec(m)![1])).toEqual([`data-pg-0-${NOW}`, `data-pg-1-${NOW}`, `data-pg-2-${NOW}`]);
    expect(run.calls.filter((c) => !/^(get|create|delete) /.test(c))).toEqual([]);
  });

  test.each(['0', '-1', 'three', ''])('KEEP=%p is refused before anything is done', (keep) => {
    cluster.claims({ 'data-pg-0': 'Bound' });
    const run = cluster.run(SCRIPT, { shell, env: { ...ENV, KEEP: keep } });
    expect(run.status).not.toBe(0);
    expect(run.calls).toEqual([]);
  });
});
