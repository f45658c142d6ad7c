import os from 'node:os';

/** Where a result was measured; stored with every result file so numbers are never quoted without it. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  totalMemoryBytes: number;
  node: string;
  v8: string;
  platform: string;
  arch: string;
  date: string;
}

export function machineInfo(now: Date = new Date()): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus.length > 0 ? cpus[0].model.trim() : 'unknown',
    cores: cpus.length,
    totalMemoryBytes: os.totalmem(),
    node: process.version,
    v8: process.versions.v8,
    platform: os.platform(),
    arch: os.arch(),
    date: now.toISOString(),
  };
}
