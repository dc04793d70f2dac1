export * from './credentials';
export * from './cloud-identity';
