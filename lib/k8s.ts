/**
 * The one door to the generated Kubernetes bindings (cdk8s-plus-27's L1 classes), so a
 * binding upgrade touches a single import.
 */
export { k8s } from 'cdk8s-plus-27';
