export * from './container';
export * from './network-access';
export * from './probe';
export * from './stateful-workload';
export * from './workload-namespace';
export * from './snapshot-schedule';
export * from './restored-claim';
export * from './expansion-plan';
