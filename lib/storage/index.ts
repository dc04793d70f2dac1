export * from './quantity';
export * from './storage-class-pack';
export * from './snapshot-api';
export * from './snapshot-class';
export * from './cron-schedule';
export * from './restore-source';
export * from './volume-attributes-class';
export * from './claim-resource';
