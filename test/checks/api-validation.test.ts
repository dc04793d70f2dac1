/**
 * The value rules' building blocks at their boundaries: versions, quantities, time zones, crons, keys, props.
 */
import {
  RELAXED_ENV_NAMES_MINOR, compareQuantities, configKeyProblem, duplicateObjectErrors, engineOf, envVarNameProblem,
  isKnownTimeZone, parseQuantity, scheduleNeverFires,
} from '../../lib/checks';
import { unknownPropsProblem } from '../../lib/profiles';

describe('env var names per Kubernetes version (KEP-4369)', () => {
  test('strict through 1.31, printable ASCII but "=" from 1.32', () => {
    expect(RELAXED_ENV_NAMES_MINOR).toBe(32);
    expect(envVarNameProblem('1ST', '1.31')).toContain('not starting with a digit');
    expect(envVarNameProblem('1ST', '1.32')).toBeUndefined();
    expect(envVarNameProblem('a b:c', '1.34')).toBeUndefined();
    expect(envVarNameProblem('A=B', '1.36')).toContain("other than '='");
    expect(envVarNameProblem('TAB\there', '1.32')).toContain('printable ASCII');
    expect(envVarNameProblem('my-var.x_1', '1.27')).toBeUndefined();
  });
});

describe('quantities', () => {
  test.each([
    ['250m', 0.25], ['1', 1], ['1.5', 1.5], ['1Ki', 1024], ['1Gi', 2 ** 30], ['1G', 1e9], ['1e3', 1000], ['.5', 0.5], [2, 2],
  ])('%s = %s', (q, v) => expect(parseQuantity(q)).toBeCloseTo(v as number));
  test('unparseable values compare as undefined', () => {
    expect(parseQuantity('10GB')).toBeUndefined();
    expect(compareQuantities('1Gi', '1024Mi')).toBe(0);
    expect(compareQuantities('2', '1500m')).toBe(1);
    expect(compareQuantities('x', '1')).toBeUndefined();
  });
});

describe('time zones as time.LoadLocation resolves them', () => {
  test.each(['UTC', 'Etc/UTC', 'GMT', 'Europe/Berlin', 'US/Pacific', 'Asia/Calcutta', 'America/Argentina/Buenos_Aires'])('%s is known', (tz) => {
    expect(isKnownTimeZone(tz)).toBe(true);
  });
  test.each(['Europe/Nowhere', 'europe/berlin', 'utc', 'Local', '+01:00', '', 'Europe/Berlin/'])('%j is not', (tz) => {
    expect(isKnownTimeZone(tz)).toBe(false);
  });
});

describe('crons that never fire', () => {
  test.each(['0 0 30 2 *', '0 0 31 2,4 ?', '*/5 * 31 11 *', '0 0 30/1 2 *'])('%s never fires', (s) => expect(scheduleNeverFires(s)).toContain('never fires'));
  test.each(['0 0 29 2 *', '0 0 31 * *', '0 0 30 2 1', '@daily', '0 0 30 1-3 *', '0 0 L 2 *'])('%s can fire (or is not ours to judge)', (s) => {
    expect(scheduleNeverFires(s)).toBeUndefined();
  });
});

describe('ConfigMap/Secret keys', () => {
  test.each(['a', '.a', 'a-b_c.d', 'K'.repeat(253)])('%s is a key', (k) => expect(configKeyProblem(k)).toBeUndefined());
  test.each(['', '.', '..', '..a', 'a/b', 'a b', 'K'.repeat(254)])('%j is not', (k) => expect(configKeyProblem(k)).toBeDefined());
});

describe('engines from images', () => {
  test.each([
    ['postgres:16.4-bookworm', 'postgres', '16'], ['ghcr.io/zalando/spilo-17:4.0-p2', 'postgres', '17'], ['mysql:8.4.3', 'mysql', '8.4'],
    ['docker.io/library/mariadb:10.11.10', 'mariadb', '10.11'], ['redis:7.4.2', 'redis', '7'],
  ])('%s is %s %s', (image, family, major) => expect(engineOf(image)).toEqual({ family, major }));
  test('exporters and other images are not engines', () => {
    expect(engineOf('quay.io/prometheuscommunity/postgres-exporter:v0.15.0')).toBeUndefined();
    expect(engineOf('minio/minio:RELEASE.2025-04-22T22-12-26Z')).toBeUndefined();
  });
});

test('duplicate objects name both sources; versions of one group are one object', () => {
  const sts = (source: string, apiVersion = 'apps/v1') => ({ source, object: { apiVersion, kind: 'StatefulSet', metadata: { name: 'db', namespace: 'ml' } } });
  expect(duplicateObjectErrors([sts('a/db'), sts('b/db', 'apps/v1beta2')])).toEqual([
    '[b/db] name clash: renders StatefulSet ml/db, which [a/db] already renders (same apiVersion group, kind, namespace and name); ' +
    'give one of them another name or namespace, or create it once and pass it to both',
  ]);
  expect(duplicateObjectErrors([sts('a/db'), { source: 'c', object: { ...sts('c').object, metadata: { name: 'db', namespace: 'other' } } }])).toEqual([]);
});

test('unknown props suggest the nearest known one', () => {
  expect(unknownPropsProblem('X', { usernameKey: 'u' }, ['username', 'password'])).toBe("X: unknown prop 'usernameKey' (did you mean 'username'?); known props: username, password.");
  expect(unknownPropsProblem('X', { zzz: 1 }, ['username'])).toBe("X: unknown prop 'zzz'; known props: username.");
  expect(unknownPropsProblem('X', { username: 'u' }, ['username'])).toBeUndefined();
});
