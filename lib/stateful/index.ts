export * from './container';
export * from './network-access';
export * from './probe';
export * from './stateful-workload';
export * from './workload-namespace';
