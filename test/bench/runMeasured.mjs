import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const GNU_TIME = '/usr/bin/time';
const POLL_MS = 50;

/**
 * Runs a command as a child and measures its wall time and peak RSS. Peak RSS comes from GNU time (`%M`, written
 * to a file so it never mixes with the child's stderr); where that is missing, /proc/PID/status VmHWM is polled
 * every 50 ms and the last value seen is taken (it can miss a final spike shorter than the poll).
 * Asynchronous on purpose: the sandbox the child talks to may live in this very process.
 *
 * @param {string} command
 * @param {string[]} args
 * @param {{cwd?: string, env?: NodeJS.ProcessEnv, scratchDir: string, timeoutMs?: number}} options
 * @returns {Promise<{code: number | null, wallMs: number, peakRssMb: number | undefined, rssSource: string, stdout: string, stderr: string}>}
 */
export async function runMeasured(command, args, options) {
  const useTime = fs.existsSync(GNU_TIME);
  const rssFile = path.join(options.scratchDir, `rss-${process.pid}-${Date.now()}.txt`);
  const [file, argv] = useTime ? [GNU_TIME, ['-f', '%M', '-o', rssFile, command, ...args]] : [command, args];
  const started = performance.now();
  const child = spawn(file, argv, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text) => {
    stdout += text;
  });
  child.stderr.setEncoding('utf8').on('data', (text) => {
    stderr += text;
  });
  let polledKb;
  const poll = useTime
    ? undefined
    : setInterval(() => {
        polledKb = readVmHwmKb(child.pid) ?? polledKb;
      }, POLL_MS);
  const timeout = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs ?? 10 * 60_000);
  const code = await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode) => resolve(exitCode));
  }).finally(() => {
    clearTimeout(timeout);
    if (poll) clearInterval(poll);
  });
  const wallMs = performance.now() - started;
  let peakKb = polledKb;
  if (useTime) {
    const text = fs.existsSync(rssFile) ? fs.readFileSync(rssFile, 'utf8') : '';
    fs.rmSync(rssFile, { force: true });
    // GNU time prefixes "Command exited with non-zero status N" when the child fails; the figure is the last line.
    const last = text.trim().split('\n').at(-1);
    peakKb = last && /^\d+$/.test(last) ? Number(last) : undefined;
  }
  return {
    code,
    wallMs,
    peakRssMb: peakKb === undefined ? undefined : peakKb / 1024,
    rssSource: useTime ? 'GNU time %M' : 'polled VmHWM',
    stdout,
    stderr,
  };
}

function readVmHwmKb(pid) {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
