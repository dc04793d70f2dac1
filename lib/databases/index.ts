export * from './database';
export * from './connection-url';
export * from './database-engine';
export * from './server-config';
export * from './stateful-database';
export * from './external-database';
export * from './logical-backup';
export * from './backup-destination';
