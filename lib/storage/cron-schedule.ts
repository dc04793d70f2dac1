/**
 * Validation of CronJob `schedule` and `timeZone` values, as the Kubernetes API server parses
 * them (robfig/cron standard parser: five fields or a descriptor such as `@daily`), so a bad
 * schedule fails synth instead of `kubectl apply`. Shared by snapshot schedules and backups.
 */

import { timeZoneProblem as checkedTimeZoneProblem } from '../checks/cron';
import { k8s } from '../k8s';
import { isDns1123Label } from '../names';

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  // 7 is Sunday too.
  { name: 'day-of-week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

const DESCRIPTORS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

const HINT = "use five fields 'minute hour day-of-month month day-of-week', e.g. '0 3 * * *' (daily at 03:00), or a descriptor such as '@daily'";

function fieldValue(field: CronField, text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const index = field.names?.indexOf(text.toLowerCase()) ?? -1;
  if (index < 0) return undefined;
  return field.name === 'month' ? index + 1 : index;
}

function fieldProblem(field: CronField, text: string): string | undefined {
  for (const part of text.split(',')) {
    const match = /^([^/]+)(?:\/(.+))?$/.exec(part);
    if (!match) return `${field.name} field '${text}' is not valid`;
    const [, range, step] = match;
    if (step !== undefined && !/^[1-9]\d*$/.test(step)) return `${field.name} field '${text}' has step '${step}': a step is a whole number ≥ 1`;
    if (range === '*' || (range === '?' && (field.name === 'day-of-month' || field.name === 'day-of-week'))) continue;
    const bounds = range.split('-');
    if (bounds.length > 2) return `${field.name} field '${text}' is not valid`;
    const values = bounds.map((b) => fieldValue(field, b));
    if (values.some((v) => v === undefined)) return `${field.name} field '${text}' is not valid`;
    for (const v of values as number[]) {
      if (v < field.min || v > field.max) return `${field.name} field '${text}' is out of range ${field.min}-${field.max}`;
    }
    if (values.length === 2 && (values[0] as number) > (values[1] as number)) return `${field.name} field '${text}' has a range that runs backwards`;
  }
  return undefined;
}

/** Why `schedule` is not a schedule Kubernetes accepts (with the fix), or undefined when it is. */
export function cronScheduleProblem(schedule: string): string | undefined {
  const text = String(schedule).trim();
  if (/^(CRON_)?TZ=/.test(text)) {
    return `invalid schedule '${schedule}': Kubernetes rejects TZ/CRON_TZ inside the schedule; set the timeZone property instead`;
  }
  if (text.startsWith('@')) {
    return DESCRIPTORS.includes(text) ? undefined : `invalid schedule '${schedule}': unknown descriptor; ${HINT}`;
  }
  const parts = text.split(/\s+/);
  if (parts.length !== 5) {
    return `invalid schedule '${schedule}': expected 5 fields, got ${text ? parts.length : 0}; ${HINT}`;
  }
  for (let i = 0; i < FIELDS.length; i++) {
    const problem = fieldProblem(FIELDS[i], parts[i]);
    if (problem) return `invalid schedule '${schedule}': ${problem}; ${HINT}`;
  }
  return undefined;
}

/** Why `timeZone` is not an IANA time zone name Kubernetes can look up (with the fix), or undefined. */
export function timeZoneProblem(timeZone: string): string | undefined {
  // The gate's check (tz database names via Node's ICU), so the construct and the gate agree.
  return checkedTimeZoneProblem(timeZone);
}

/** The settings every retention CronJob (snapshots, backups) shares. */
export interface RetentionScheduleSettings {
  readonly schedule: string;
  readonly timeZone?: string;
  /** How many of the newest runs' results to keep. */
  readonly keep: number;
  readonly startingDeadlineSeconds?: number;
  readonly activeDeadlineSeconds?: number;
}

/** CronJob names are limited so that Job names (`<name>-<minutes since epoch>`) stay ≤ 63. */
export const MAX_CRONJOB_NAME = 52;

/** Why `name` cannot name a CronJob (with the fix), or undefined. */
export function cronJobNameProblem(name: string): string | undefined {
  if (isDns1123Label(name, MAX_CRONJOB_NAME)) return undefined;
  return `invalid name '${name}' (${name.length} characters): a CronJob name is a DNS-1123 label of at most ${MAX_CRONJOB_NAME} characters; pass a shorter name`;
}

/** Problems with a retention CronJob's settings; `kept` names what pruning deletes (e.g. 'backup'). */
export function retentionScheduleProblems(settings: RetentionScheduleSettings, kept: string): string[] {
  const errors: string[] = [];
  const cron = cronScheduleProblem(settings.schedule);
  if (cron) errors.push(cron);
  if (settings.timeZone !== undefined) {
    const tz = timeZoneProblem(settings.timeZone);
    if (tz) errors.push(tz);
  }
  if (!Number.isInteger(settings.keep) || settings.keep < 1) {
    errors.push(`keep ${settings.keep} must be a whole number ≥ 1: pruning would delete every ${kept}, including the one just taken`);
  }
  const deadline = settings.startingDeadlineSeconds;
  if (deadline !== undefined && (!Number.isInteger(deadline) || deadline < 10)) {
    errors.push(`startingDeadlineSeconds ${deadline} must be a whole number ≥ 10: the CronJob controller checks every 10 seconds and would miss every run`);
  }
  const active = settings.activeDeadlineSeconds;
  if (active !== undefined && (!Number.isInteger(active) || active < 1)) {
    errors.push(`activeDeadlineSeconds ${active} must be a whole number ≥ 1`);
  }
  return errors;
}

/** How a retention CronJob runs; unset fields take the defaults every retention job shares. */
export interface RetentionCronJobOptions {
  readonly schedule: string;
  /** @default 'Etc/UTC' */
  readonly timeZone?: string;
  /** @default 600 */
  readonly startingDeadlineSeconds?: number;
  /** A run is killed after this many seconds. */
  readonly activeDeadlineSeconds: number;
  /** @default - not set (the CronJob runs) */
  readonly suspend?: boolean;
}

/**
 * The CronJob spec of a retention job (snapshots, backups): never two runs at once, a run that
 * could not start in time is skipped rather than piling up, one retry (a retry is a fresh run).
 */
export function retentionCronJobSpec(options: RetentionCronJobOptions, labels: Readonly<Record<string, string>>, podSpec: k8s.PodSpec): k8s.CronJobSpec {
  return {
    schedule: options.schedule,
    timeZone: options.timeZone ?? 'Etc/UTC',
    concurrencyPolicy: 'Forbid',
    startingDeadlineSeconds: options.startingDeadlineSeconds ?? 600,
    successfulJobsHistoryLimit: 3,
    failedJobsHistoryLimit: 3,
    ...(options.suspend !== undefined ? { suspend: options.suspend } : {}),
    jobTemplate: {
      metadata: { labels: { ...labels } },
      spec: {
        backoffLimit: 1,
        activeDeadlineSeconds: options.activeDeadlineSeconds,
        template: { metadata: { labels: { ...labels } }, spec: podSpec },
      },
    },
  };
}
