import { Construct, type IConstruct } from 'constructs';
import { Profile } from './profile';

/**
 * Why `other` cannot be wired into `scope` (it lives in another App, or renders for another profile), or
 * undefined. Each App renders one profile's folder: a reference across Apps points at objects that are never
 * rendered next to it (an MLflow backend URI naming a database that is not in the folder).
 */
export function crossAppProblem(scope: IConstruct, other: unknown, role: string): string | undefined {
  if (!Construct.isConstruct(other)) return undefined;
  const fix = 'create both in the same App (one App per profile) and pass that one';
  if (other.node.root !== scope.node.root) {
    return `${role} '${other.node.path}' belongs to another App than '${scope.node.path}', so its objects are never rendered with these; ${fix}`;
  }
  const mine = Profile.tryOf(scope);
  const theirs = Profile.tryOf(other);
  if (mine && theirs && mine !== theirs) {
    return `${role} '${other.node.path}' renders for profile '${theirs.name}', not '${mine.name}' like '${scope.node.path}'; ${fix}`;
  }
  return undefined;
}
