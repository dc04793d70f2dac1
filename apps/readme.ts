import * as fs from 'fs';
import * as path from 'path';
import { ClusterConfig, Profile } from '../lib';
import { storageTierTable, withTierTable } from '../lib/profiles';

const README = path.resolve(__dirname, '..', 'README.md');

/**
 * The profiles the README's tier table documents: each factory's defaults, and the opt-in high-performance disk
 * families (AKS Premium SSD v2 needs the zones of your node pools; `eastus-1..3` stand for them here).
 */
export function readmeTierProfiles(): Profile[] {
  return [
    Profile.gke(),
    Profile.gke({ name: 'gke-performancedisks', performanceDisks: ['iops', 'throughput'] }),
    Profile.eks(),
    Profile.aks(),
    Profile.aks({
      name: 'aks-performancedisks', performanceDisks: ['iops', 'throughput'],
      cluster: ClusterConfig.of({ name: 'readme-aks', zones: ['eastus-1', 'eastus-2', 'eastus-3'] }),
    }),
    Profile.kind(),
  ];
}

/** The README with its tier table regenerated from the profiles. */
export function renderReadme(readme: string = fs.readFileSync(README, 'utf8')): string {
  return withTierTable(readme, storageTierTable(readmeTierProfiles()));
}

/** `npm run readme`: rewrites the README's generated block. */
export function writeReadme(): void {
  fs.writeFileSync(README, renderReadme());
}
