import { assertGates, formatFindings, GateError, runGates, SKIP_ANNOTATION, type Finding } from '../../lib/checks';
import { goodRender, type Obj, pick, statefulSet } from './fixtures';

function badRender(): Obj[] {
  const render = goodRender();
  const sts = pick(render, 'StatefulSet');
  sts.spec.template.spec.updateStrategy = { type: 'RollingUpdate' };
  sts.spec.template.spec.containers[0].image = 'postgres:latest';
  return render;
}

describe('runGates / assertGates', () => {
  test('a clean render is ok with no findings', () => {
    const report = runGates(goodRender(), { kubeVersion: '1.31' });
    expect(report).toEqual({ findings: [], errors: [], warnings: [], ok: true });
    expect(() => assertGates(goodRender(), { kubeVersion: '1.31' })).not.toThrow();
  });

  test('findings carry rule, upstream, severity, object, path and message', () => {
    const report = runGates(badRender(), { kubeVersion: '1.31' });
    expect(report.ok).toBe(false);
    expect(report.errors).toEqual<Finding[]>([
      {
        rule: 'schema/unknown-field', upstream: 'kubeconform -strict (additionalProperties: false)', severity: 'error',
        object: 'StatefulSet ml-db/postgres', path: 'spec.template.spec.updateStrategy', message: 'unknown field spec.template.spec.updateStrategy',
      },
      {
        rule: 'image/tag', upstream: 'kube-linter latest-tag, Polaris tagNotSpecified, kube-score container-image-tag', severity: 'error',
        object: 'StatefulSet ml-db/postgres', path: 'spec.template.spec.containers[0].image',
        message: 'container "postgres" image "postgres:latest" uses the mutable tag latest; pin a version tag or a digest',
      },
    ]);
  });

  test('formatFindings prints one line per finding', () => {
    const text = formatFindings(runGates(badRender(), { kubeVersion: '1.31' }).findings);
    expect(text.split('\n')).toEqual([
      'error [schema/unknown-field] StatefulSet ml-db/postgres spec.template.spec.updateStrategy: unknown field spec.template.spec.updateStrategy ' +
        '(mirrors: kubeconform -strict (additionalProperties: false))',
      'error [image/tag] StatefulSet ml-db/postgres spec.template.spec.containers[0].image: container "postgres" image "postgres:latest" uses the mutable tag latest; ' +
        'pin a version tag or a digest (mirrors: kube-linter latest-tag, Polaris tagNotSpecified, kube-score container-image-tag)',
    ]);
  });

  test('assertGates throws a GateError listing every error', () => {
    let error: unknown;
    try {
      assertGates(badRender(), { kubeVersion: '1.31' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GateError);
    const gateError = error as GateError;
    expect(gateError.message).toBe(`2 validation gate error(s):\n${formatFindings(gateError.report.errors)}`);
    expect(gateError.report.errors).toHaveLength(2);
  });

  test('skip drops rules (exact ids or families); warn downgrades them', () => {
    expect(runGates(badRender(), { kubeVersion: '1.31', skip: ['image/tag', 'schema/*'] }).findings).toEqual([]);
    const report = runGates(badRender(), { kubeVersion: '1.31', warn: ['image/tag'] });
    expect(report.errors.map((f) => f.rule)).toEqual(['schema/unknown-field']);
    expect(report.warnings.map((f) => [f.rule, f.severity])).toEqual([['image/tag', 'warning']]);
    const onlyWarnings = runGates(badRender(), { kubeVersion: '1.31', warn: ['image/tag'], skip: ['schema/unknown-field'] });
    expect(onlyWarnings.ok).toBe(true);
    expect(() => assertGates(badRender(), { kubeVersion: '1.31', warn: ['image/*'], skip: ['schema/unknown-field'] })).not.toThrow();
  });

  test('unknown rule ids in skip/warn are errors, so a typo cannot disable nothing silently', () => {
    // A typo is a compile error in TypeScript; JavaScript callers get the runtime error.
    // @ts-expect-error 'image-tag' is no rule id
    expect(() => runGates(goodRender(), { kubeVersion: '1.31', skip: ['image-tag'] })).toThrow('skip: unknown rule id "image-tag"');
    // @ts-expect-error no rule family 'nope'
    expect(() => runGates(goodRender(), { kubeVersion: '1.31', warn: ['nope/*'] })).toThrow('warn: no rule matches "nope/*"');
  });

  test(`objects can opt out of rules with the ${SKIP_ANNOTATION} annotation`, () => {
    const render = badRender();
    pick(render, 'StatefulSet').metadata.annotations = { [SKIP_ANNOTATION]: 'image/tag, schema/unknown-field' };
    expect(runGates(render, { kubeVersion: '1.31' }).findings).toEqual([]);
  });

  test('the gate is version aware end to end', () => {
    const render = goodRender();
    pick(render, 'StatefulSet').spec.template.spec.containers[0].securityContext.appArmorProfile = { type: 'RuntimeDefault' };
    expect(runGates(render, { kubeVersion: '1.28' }).errors.map((f) => f.message)).toEqual([
      'unknown field spec.template.spec.containers[0].securityContext.appArmorProfile',
    ]);
    expect(runGates(render, { kubeVersion: '1.31' }).ok).toBe(true);
  });

  // Gate time is measured by `npm run bench` (bench/RESULTS.md), never asserted in a unit test.
  test('a ~200-object render passes the gates (schemas loaded once, reused)', () => {
    const render: Obj[] = goodRender();
    for (let i = 0; render.length < 200; i++) {
      const sts = statefulSet();
      sts.metadata.name = `pg-${i}`;
      render.push(sts);
    }
    expect(runGates(render, { kubeVersion: '1.31', skip: ['statefulset/*', 'pdb/*'] }).findings).toEqual([]);
    expect(runGates(render, { kubeVersion: '1.31', skip: ['statefulset/*', 'pdb/*'] }).findings).toEqual([]);
  });
});
