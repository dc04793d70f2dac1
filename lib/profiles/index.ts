export * from './csi-driver';
export * from './kube-version';
export * from './profile';
export * from './cluster-config';
export * from './tier-table';
