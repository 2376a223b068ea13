import fs from 'node:fs';
import os from 'node:os';

/** Linux reports process CPU time in clock ticks; 100 per second on every kernel this runs on. */
const TICKS_PER_SECOND = 100;

/** User + system CPU time of one process in ms, or undefined when it is gone. */
export function readProcessCpuMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name: state is field 3, utime field 14 and stime field 15 (1-based in proc(5)).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Every PostgreSQL server process (postmaster and backends) on this machine. */
export function listPostgresPids(): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') {
        pids.push(Number(entry));
      }
    } catch {
      // gone
    }
  }
  return pids;
}

/** Busy and total CPU time of the whole machine, in ms summed over cores. */
function readMachineCpuMs(): { busy: number; total: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((sum, value) => sum + value, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: ((total - idle) * 1000) / TICKS_PER_SECOND, total: (total * 1000) / TICKS_PER_SECOND };
}

export type CpuSample = { processes: Map<number, number>; postgres: Map<number, number>; machine: { busy: number; total: number } };

/** CPU spent so far by `pids`, by every postgres process, and by the machine. */
export function sampleCpu(pids: readonly number[]): CpuSample {
  const read = (list: readonly number[]) =>
    new Map(
      list.flatMap((pid) => {
        const ms = readProcessCpuMs(pid);
        return ms === undefined ? [] : [[pid, ms] as const];
      }),
    );
  return { processes: read(pids), postgres: read(listPostgresPids()), machine: readMachineCpuMs() };
}

export type CpuUse = { processesMs: number; postgresMs: number; machineBusyPercent: number; cores: number };

/** CPU used between two samples; a process absent from `before` started in between and counts from zero. */
export function cpuBetween(before: CpuSample, after: CpuSample): CpuUse {
  const delta = (a: Map<number, number>, b: Map<number, number>) => [...b.entries()].reduce((sum, [pid, ms]) => sum + ms - (a.get(pid) ?? 0), 0);
  const busy = after.machine.busy - before.machine.busy;
  const total = after.machine.total - before.machine.total;
  return {
    processesMs: delta(before.processes, after.processes),
    postgresMs: delta(before.postgres, after.postgres),
    machineBusyPercent: total > 0 ? (busy / total) * 100 : 0,
    cores: os.cpus().length,
  };
}
