export * from './csi-driver';
export * from './kube-version';
export * from './profile';
export * from './same-app';
export * from './known-props';
