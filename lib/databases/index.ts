export * from './database';
export * from './database-tls';
export * from './connection-url';
export * from './database-engine';
export * from './server-config';
export * from './stateful-database';
export * from './stateful-database-props';
export * from './database-roles';
export { ENGINE_DRIVERS } from './engines';
export type {
  EngineDriver, EngineSupport, SupportedLine, EngineSettingsInput, EngineRelease, EngineContext, EngineProps, EnginePod, EngineBackup, BackupConnection, DatabaseSizing,
} from './engines';
export * from './high-availability';
export * from './patroni-config';
export * from './external-database';
export * from './logical-backup';
export * from './backup-destination';
