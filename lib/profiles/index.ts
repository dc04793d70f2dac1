export * from './csi-driver';
export * from './cluster-network';
export * from './kube-version';
export * from './profile';
export * from './version-gates';
export * from './cluster-config';
export * from './tier-table';
