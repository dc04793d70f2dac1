export * from './database';
export * from './external-database';
