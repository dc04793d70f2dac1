export * from './synth';
export { SCAFFOLD_PROFILES, type ScaffoldOptions, scaffold, scaffoldFiles } from './init';
