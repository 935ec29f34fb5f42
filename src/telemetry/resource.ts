/**
 * The resource every span and metric carries: service.*, host.name, and k8s.* from the downward-API
 * environment when present. OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME (parsed by otel-env.ts) win.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

export type ResourceAttributes = Record<string, string | number | boolean>;

/** Downward-API variables (set by the Helm chart) → k8s resource attributes. */
const K8S_ENV: ReadonlyArray<[string, string]> = [
  ['K8S_POD_NAME', 'k8s.pod.name'],
  ['K8S_POD_UID', 'k8s.pod.uid'],
  ['K8S_NAMESPACE_NAME', 'k8s.namespace.name'],
  ['K8S_POD_NAMESPACE', 'k8s.namespace.name'],
  ['K8S_NODE_NAME', 'k8s.node.name'],
  ['K8S_CONTAINER_NAME', 'k8s.container.name'],
  ['K8S_DEPLOYMENT_NAME', 'k8s.deployment.name'],
  ['K8S_DAEMONSET_NAME', 'k8s.daemonset.name'],
  ['K8S_CLUSTER_NAME', 'k8s.cluster.name'],
];

export interface ResourceOptions {
  /** service.name when OTEL_SERVICE_NAME is not set. Default `smpp-otel-agent`. */
  serviceName?: string;
  /** service.version. Default: the package version given by the caller, else `0.0.0`. */
  serviceVersion?: string;
  /** service.instance.id. Default: the pod UID, else a random UUID per process. */
  serviceInstanceId?: string;
  /** host.name. Default: os.hostname(). */
  hostName?: string;
  /** Extra attributes from the agent's config (OTEL_RESOURCE_ATTRIBUTES overrides them). */
  attributes?: ResourceAttributes;
}

export function buildResource(opts: ResourceOptions, env: NodeJS.ProcessEnv, fromEnv: { serviceName?: string; attributes: Record<string, string> }): ResourceAttributes {
  const k8s: ResourceAttributes = {};
  for (const [v, attr] of K8S_ENV) {
    const val = env[v];
    if (val !== undefined && val !== '' && k8s[attr] === undefined) k8s[attr] = val;
  }
  const out: ResourceAttributes = {
    'service.name': opts.serviceName ?? 'smpp-otel-agent',
    'service.version': opts.serviceVersion ?? '0.0.0',
    'service.instance.id': opts.serviceInstanceId ?? (typeof k8s['k8s.pod.uid'] === 'string' ? k8s['k8s.pod.uid'] : randomUUID()),
    'host.name': opts.hostName ?? (env.K8S_NODE_NAME || hostname()),
    'telemetry.sdk.name': 'smpp-otel-agent',
    'telemetry.sdk.language': 'nodejs',
    ...k8s,
    ...(opts.attributes ?? {}),
    ...fromEnv.attributes,
  };
  if (fromEnv.serviceName !== undefined) out['service.name'] = fromEnv.serviceName;
  return out;
}
