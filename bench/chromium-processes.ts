/**
 * The Chromium a bench started, seen from outside through Linux /proc: its browser process (found
 * by a tag on its command line), and the resident memory and CPU time of it and all its children.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** Parent pid of every process. */
function parents(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

/** `rootPid` and its descendants. */
function tree(rootPid: number): number[] {
  const children = parents();
  const pids: number[] = [];
  const stack = [rootPid];
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    pids.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return pids;
}

/** Resident memory of every Chromium process, summed, in MiB. */
export function chromiumRssMiB(rootPid: number): number {
  let kib = 0;
  for (const pid of tree(rootPid)) {
    try {
      const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      kib += Number(match?.[1] ?? 0);
    } catch {
      // Gone.
    }
  }
  return kib / 1024;
}

/** User and system CPU seconds of every live Chromium process (and of children they reaped), summed. */
export function chromiumCpuSeconds(rootPid: number): number {
  const ticksPerSecond = 100;
  let ticks = 0;
  for (const pid of tree(rootPid)) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      // utime, stime, cutime, cstime: fields 14-17 of stat, 12-15 after the command name.
      ticks += [11, 12, 13, 14].reduce((sum, at) => sum + Number(fields[at] ?? 0), 0);
    } catch {
      // Gone.
    }
  }
  return ticks / ticksPerSecond;
}

/** Chromium's browser process: the one carrying `tag` whose parent does not. */
export function taggedRootPid(tag: string): number {
  const tagged = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(tag)) continue;
      tagged.set(pid, Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]));
    } catch {
      // Gone.
    }
  }
  const root = [...tagged].find(([, ppid]) => !tagged.has(ppid));
  if (!root) throw new Error('could not find the Chromium this bench started');
  return root[0];
}

/**
 * Gives every thread of Chromium's processes at least `niceness`: Chromium's zygote resets what
 * it inherits, so `nice -n 10 npx tsx bench/...` alone would leave the renderer (and ONNX
 * Runtime's threads in it) at full priority. New threads appear as work starts: call it again.
 */
export function reniceTree(rootPid: number, niceness: number): void {
  for (const pid of tree(rootPid)) {
    let threads: string[] = [];
    try {
      threads = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const thread of threads) {
      try {
        if (getPriority(Number(thread)) < niceness) setPriority(Number(thread), niceness);
      } catch {
        // The thread ended, or raising it is not ours to do.
      }
    }
  }
}
