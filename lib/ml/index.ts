export * from './tracking-server';
