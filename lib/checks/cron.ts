/**
 * CronJob schedules and time zones. kube-apiserver validateTimeZone resolves `spec.timeZone` with Go's
 * time.LoadLocation (the tz database, case-sensitive, `Local` refused); Node's ICU list (Intl.supportedValuesOf)
 * holds the canonical names, and ICU resolves the tz database's aliases (`Etc/UTC`, `US/Pacific`), so together
 * they stand in for it. A schedule whose day-of-month exists in none of its months (`0 0 30 2 *`) parses, but the
 * CronJob controller (robfig/cron) never starts a Job: that is a warning.
 */
import { type Finding, finding } from './finding';
import type { Json, ManifestObject } from './manifest-index';

let canonical: Map<string, string> | undefined;
/** lower-case name -> exact name, for the canonical zones plus the UTC aliases ICU does not list. */
function canonicalZones(): Map<string, string> {
  if (!canonical) {
    const names = [...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/UTC', 'GMT', 'Etc/GMT', 'UCT', 'Etc/UCT', 'Universal', 'Etc/Universal', 'Zulu', 'Etc/Zulu'];
    canonical = new Map(names.map((n) => [n.toLowerCase(), n]));
  }
  return canonical;
}

/** Whether Kubernetes can load `name` as a CronJob timeZone. */
export function isKnownTimeZone(name: string): boolean {
  if (name === 'Local' || !/^[A-Z][A-Za-z0-9_+-]*(\/[A-Z][A-Za-z0-9_+-]*)*$/.test(name)) return false;
  const exact = canonicalZones().get(name.toLowerCase());
  if (exact !== undefined) return exact === name;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Why `timeZone` is not a time zone Kubernetes accepts, with the fix, or undefined. */
export function timeZoneProblem(timeZone: string): string | undefined {
  if (isKnownTimeZone(timeZone)) return undefined;
  const near = canonicalZones().get(String(timeZone).toLowerCase());
  return `invalid timeZone '${timeZone}': use an IANA time zone name such as 'Etc/UTC' or 'Europe/Berlin'` +
    (near ? ` (names are case-sensitive: '${near}')` : ' (this one is not in the tz database)');
}

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** Longest month lengths (February 29 fires in leap years). */
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The values a cron field selects, or undefined for `*`/`?` or anything unparseable (then nothing is claimed). */
function fieldValues(text: string, min: number, max: number, names: readonly string[] = []): Set<number> | undefined {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^([^/]+)(?:\/(\d+))?$/.exec(part);
    if (!m) return undefined;
    const step = m[2] ? Number(m[2]) : 1;
    if (step < 1) return undefined;
    const value = (s: string) => (/^\d+$/.test(s) ? Number(s) : names.indexOf(s.toLowerCase()) + min);
    let lo: number;
    let hi: number;
    if (m[1] === '*' || m[1] === '?') {
      if (!m[2]) return undefined;
      [lo, hi] = [min, max];
    } else {
      const bounds = m[1].split('-');
      lo = value(bounds[0]);
      hi = bounds.length > 1 ? value(bounds[1]) : m[2] ? max : lo;
    }
    if (!(lo >= min && hi <= max && lo <= hi)) return undefined;
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/** Why a (valid) schedule never fires, or undefined. Only day-of-month vs month: the day-of-week must be `*`. */
export function scheduleNeverFires(schedule: string): string | undefined {
  const parts = String(schedule).trim().split(/\s+/);
  if (parts.length !== 5 || (parts[4] !== '*' && parts[4] !== '?')) return undefined;
  const days = fieldValues(parts[2], 1, 31);
  const months = fieldValues(parts[3], 1, 12, MONTH_NAMES) ?? (parts[3] === '*' ? new Set(Array.from({ length: 12 }, (_, i) => i + 1)) : undefined);
  if (!days || !months) return undefined;
  const fires = [...months].some((mo) => [...days].some((d) => d <= DAYS_IN_MONTH[mo - 1]));
  return fires ? undefined : `schedule '${schedule}' never fires: no month it names has day ${[...days].join(',')}; use a day every chosen month has (February has 28, or 29 in leap years; April, June, September and November have 30), or other months`;
}

/** `cronjob/time-zone` (error) and `cronjob/never-fires` (warning) over every CronJob. */
export function checkCronJobs(objects: readonly ManifestObject[]): Finding[] {
  const out: Finding[] = [];
  for (const obj of objects) {
    if (obj?.kind !== 'CronJob') continue;
    const spec: Json = (obj as Json).spec ?? {};
    if (typeof spec.timeZone === 'string') {
      const problem = timeZoneProblem(spec.timeZone);
      if (problem) out.push(finding('cronjob/time-zone', obj, 'spec.timeZone', problem));
    }
    if (typeof spec.schedule === 'string') {
      const never = scheduleNeverFires(spec.schedule);
      if (never) out.push(finding('cronjob/never-fires', obj, 'spec.schedule', never));
    }
  }
  return out;
}
