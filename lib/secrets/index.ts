export * from './credentials';
export * from './cloud-identity';
export * from './tls';
