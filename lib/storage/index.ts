export * from './quantity';
export * from './storage-class-pack';
