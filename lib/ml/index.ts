export * from './tracking-server';
export * from './redis-mode';
export * from './redis-config';
export * from './redis';
export * from './feast-config';
export * from './feast-registry';
export * from './feature-store';
