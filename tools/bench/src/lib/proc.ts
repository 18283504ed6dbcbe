import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** What `/proc/<pid>` says about a process: CPU time used so far, resident memory now and at its peak. */
export interface ProcessSample {
  cpuSeconds: number;
  rssBytes: number;
  peakRssBytes: number;
}

let clockTicks: number | undefined;

/** Clock ticks per second, the unit of `utime`/`stime` in `/proc/<pid>/stat`. */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU seconds (user + system) and RSS of one process, from `/proc/<pid>/stat` and `/proc/<pid>/status`. */
export function sampleProcess(pid: number): ProcessSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: fields are counted after its ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    cpuSeconds: (utime + stime) / ticksPerSecond(),
    rssBytes: statusKb(status, 'VmRSS') * 1024,
    peakRssBytes: statusKb(status, 'VmHWM') * 1024,
  };
}

/** The sum over several processes (a multi-process target). */
export function sampleProcesses(pids: readonly number[]): ProcessSample {
  const total: ProcessSample = { cpuSeconds: 0, rssBytes: 0, peakRssBytes: 0 };
  for (const pid of pids) {
    const sample = sampleProcess(pid);
    total.cpuSeconds += sample.cpuSeconds;
    total.rssBytes += sample.rssBytes;
    total.peakRssBytes += sample.peakRssBytes;
  }
  return total;
}

function statusKb(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) : 0;
}

/** The TCP ports a process listens on, found through its socket inodes in `/proc/<pid>/net/tcp{,6}`. */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]);
    } catch {
      // closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const table of ['tcp', 'tcp6']) {
    let text = '';
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      // local_address st ... inode: state 0A is LISTEN.
      if (columns.length > 9 && columns[3] === '0A' && inodes.has(columns[9])) {
        ports.push(parseInt(columns[1].split(':')[1], 16));
      }
    }
  }
  return ports;
}

/** How many more files a process may open: its soft `Max open files` minus the ones it has open. */
export function spareFileDescriptors(pid: number): number {
  const limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
  const limit = !match || match[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(match[1]);
  return limit - readdirSync(`/proc/${pid}/fd`).length;
}
