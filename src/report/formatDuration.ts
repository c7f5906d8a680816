/** A duration in words a person reads at a glance: `850 ms`, `12.3 s`, `2 min 13 s`, `3 min`, `1 h 05 min`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return 'unknown';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const totalSeconds = Math.round(seconds);
  const minutes = Math.floor(totalSeconds / 60);
  const secondsLeft = totalSeconds % 60;
  if (minutes < 60) return secondsLeft === 0 ? `${minutes} min` : `${minutes} min ${secondsLeft} s`;
  const hours = Math.floor(minutes / 60);
  const minutesLeft = minutes % 60;
  return minutesLeft === 0 ? `${hours} h` : `${hours} h ${String(minutesLeft).padStart(2, '0')} min`;
}
