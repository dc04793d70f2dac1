import type { IConstruct } from 'constructs';

/**
 * One message format for every construct: `<Kind> '<construct path>': <what is wrong>; <what to do>.`
 *
 * The rule for when to use which:
 * - **throw** (`propsError`) in the constructor when a prop makes the construct's own attributes meaningless
 *   (a name, namespace, replica count or size that the DNS names, claim names or Services are built from), so
 *   nothing downstream is built from a value the API server would refuse;
 * - **`addProblems`** (`node.addValidation`) for everything else, so one synth reports every remaining problem of
 *   every construct at once, after the whole tree (including later `allowFrom`/`grant` calls) exists.
 */

/** `StatefulDatabase 'platform/postgres'`: how a message names the construct it is about. */
export function describeConstruct(scope: IConstruct, kind: string): string {
  return `${kind} '${scope.node.path}'`;
}

/** The error a constructor throws for a prop it cannot build from. */
export function propsError(scope: IConstruct, kind: string, problem: string): Error {
  return new Error(`${describeConstruct(scope, kind)}: ${problem}`);
}

/**
 * Registers problems found at synth (cdk8s prefixes each with `[<construct path>]`). `problems` runs once, when the
 * App validates, so it sees every later call on the construct.
 */
export function addProblems(scope: IConstruct, problems: () => readonly string[]): void {
  scope.node.addValidation({ validate: () => [...problems()] });
}
