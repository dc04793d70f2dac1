import { Profile } from '../profiles';
import { ContainerResources } from '../stateful';
import { Quantity } from '../storage/quantity';

/**
 * Requests of a GPU trainer pod per GPU when none are given: 8 CPUs and 64Gi. Sized so that an
 * 8-GPU pod (64 CPUs, 512Gi) fits the 8-GPU machines of every cloud (A100/H100: 96+ vCPUs and
 * 900+ GiB) with room for system daemons, and feeds each GPU's DataLoader workers. The profile's
 * default sizing (a fraction of a CPU, 1Gi) would starve them.
 */
export const GPU_POD_RESOURCES_PER_GPU: { readonly cpu: number; readonly memoryGi: number } = {
  /** CPUs (cores) per GPU. */
  cpu: 8,
  /** Memory in GiB per GPU. */
  memoryGi: 64,
};

/** Per-pod CPU, memory, memory limit and /dev/shm of a trainer after defaults. */
export interface TrainerPodResources {
  /** CPU request (`64`, `500m`). */
  readonly cpu: string;
  /** Memory request (`512Gi`). */
  readonly memory: string;
  /** Memory limit, which /dev/shm counts against. */
  readonly memoryLimit: string;
  /** Size limit of the memory-backed /dev/shm. */
  readonly sharedMemory: string;
}

/**
 * The trainer pod's resources: what is given, else proportional to the GPUs (GPU_POD_RESOURCES_PER_GPU),
 * else the profile's default sizing. /dev/shm defaults to half the memory limit.
 */
export function trainerPodResources(resources: Omit<ContainerResources, 'extended'> | undefined, sharedMemory: string | undefined,
  gpus: number, profile: Profile, where: string): TrainerPodResources {
  const perGpu = gpus > 0;
  const cpu = resources?.cpu ?? (perGpu ? String(GPU_POD_RESOURCES_PER_GPU.cpu * gpus) : profile.defaultResources.cpu);
  const memory = resources?.memory ?? (perGpu ? `${GPU_POD_RESOURCES_PER_GPU.memoryGi * gpus}Gi` : profile.defaultResources.memory);
  const memoryLimit = resources?.memoryLimit ?? memory;
  const shm = sharedMemory
    ?? Quantity.bytes(Math.floor(Quantity.parse(memoryLimit, `memory limit of ${where}`).value / 2)).text;
  Quantity.parse(shm, `sharedMemory of ${where}`);
  return { cpu, memory, memoryLimit, sharedMemory: shm };
}
