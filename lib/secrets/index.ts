export * from './credentials';
export * from './tls';
