export * from './quantity';
export * from './storage-class-pack';
export * from './snapshot-api';
export * from './snapshot-class';
export * from './cron-schedule';
export * from './snapshot-hook';
export * from './restore-source';
export * from './tier-affinity';
