/**
 * A headless Service (clusterIP: None) is only valid as type ClusterIP (kube-apiserver ValidateService: "may not be
 * set to 'None' for LoadBalancer services", likewise NodePort), and ExternalName Services carry no clusterIP.
 */
import { type Finding, finding } from './finding';
import type { Json, ManifestObject } from './manifest-index';

/** `service/headless-type` over every Service. */
export function checkServiceTypes(objects: readonly ManifestObject[]): Finding[] {
  const out: Finding[] = [];
  for (const svc of objects) {
    if (svc?.kind !== 'Service' || svc.apiVersion !== 'v1') continue;
    const spec: Json = (svc as Json).spec ?? {};
    const type = spec.type ?? 'ClusterIP';
    const headless = spec.clusterIP === 'None' || (Array.isArray(spec.clusterIPs) && spec.clusterIPs[0] === 'None');
    if (headless && type !== 'ClusterIP') {
      out.push(finding('service/headless-type', svc, 'spec.type',
        `type ${JSON.stringify(type)} with clusterIP: None is refused (a headless Service has no virtual IP to expose); ` +
        `keep this Service headless with type ClusterIP and expose the pods through a separate ${type} Service`));
    }
    if (type === 'ExternalName' && spec.clusterIP !== undefined && spec.clusterIP !== '') {
      out.push(finding('service/headless-type', svc, 'spec.clusterIP',
        `clusterIP ${JSON.stringify(spec.clusterIP)} on an ExternalName Service is refused; remove clusterIP`));
    }
  }
  return out;
}
