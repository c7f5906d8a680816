import path from 'node:path';
import { countNeedingAttention } from '../run/exitCodeOf.js';
import { escapeControl } from '../shared/escapeControl.js';
import { OUTCOME_KINDS, type RunTotals } from '../types.js';
import { type RunEnd, type RunStatus, statusOf } from './opsTypes.js';

/** The JSON a `--notify-url` receives (SPEC §2): counts and ids only, never customer data or secrets. */
export interface RunNotification {
  /** One Slack-compatible line (mrkdwn) for people: what ran, how it ended, the totals, where the report is. */
  text: string;
  runId: string | null;
  mode: RunEnd['mode'];
  status: RunStatus;
  exitCode: number;
  /** report.json's totals: `valid` only in validate (or when not zero), so they add up to `read` the same way. */
  totals: Partial<RunTotals> | null;
  reportDir: string | null;
}

/** An error message is the tool's own one line; a long one is cut so the notification stays a notification. */
const MAX_MESSAGE_CHARS = 300;
const TOTAL_ORDER = OUTCOME_KINDS;

/**
 * The notification of a run's end. Pure. Rows are counted, never named: the only text from the run is the one-line
 * message of the error that ended it (the tool's own wording, with the run's secrets already masked by the caller),
 * shown with control characters escaped and Slack's three special characters encoded.
 */
export function describeRunEnd(end: RunEnd): RunNotification {
  const status = statusOf(end.exitCode);
  const totals = end.summary?.totals ?? null;
  const reportDir = end.reportDir === undefined ? null : path.resolve(end.reportDir);
  const what = `customer-sync ${end.mode}${end.retailerId ? ` for retailer ${end.retailerId}` : ''}`;
  const parts = [`${icon(end.exitCode)} ${what}: ${headline(end)}.`];
  if (totals) parts.push(`${formatTotals(totals)}.`);
  const problem = end.summary?.abortReason ?? end.error;
  if (problem && end.exitCode >= 2) parts.push(`${cut(problem)}.`);
  if (reportDir) parts.push(`${end.exitCode === 3 ? 'Partial report' : 'Report'}: ${reportDir}`);
  if (end.runId) parts.push(`(run ${end.runId})`);
  return {
    text: escapeSlack(escapeControl(parts.join(' '))),
    runId: end.runId ?? null,
    mode: end.mode,
    status,
    exitCode: end.exitCode,
    totals: totals && listTotals(totals, end.mode),
    reportDir,
  };
}

function listTotals(totals: RunTotals, mode: RunEnd['mode']): Partial<RunTotals> {
  const { valid, ...others } = totals;
  return mode === 'validate' || valid !== 0 ? totals : others;
}

function headline(end: RunEnd): string {
  switch (end.exitCode) {
    case 0:
      return 'finished, every row is fine';
    case 1: {
      const attention = end.summary ? countNeedingAttention(end.summary) : 0;
      return `finished, ${attention} ${attention === 1 ? 'row needs' : 'rows need'} attention (exit 1)`;
    }
    case 2:
      return 'refused before sending any change (exit 2)';
    default:
      return `aborted (exit ${end.exitCode}); the next run resumes`;
  }
}

function icon(exitCode: number): string {
  if (exitCode === 0) return ':white_check_mark:';
  return exitCode === 1 ? ':warning:' : ':x:';
}

function formatTotals(totals: RunTotals): string {
  const counts = TOTAL_ORDER.filter((kind) => totals[kind] > 0).map((kind) => `${totals[kind]} ${kind}`);
  return `${totals.read} read${counts.length > 0 ? `: ${counts.join(', ')}` : ''}`;
}

function cut(message: string): string {
  const line = message.replace(/\s+/g, ' ').trim().replace(/\.$/, '');
  return line.length <= MAX_MESSAGE_CHARS ? line : `${line.slice(0, MAX_MESSAGE_CHARS - 1)}…`;
}

/** Slack reads `<…>` as a link or mention and `&` as the start of an entity: these three are encoded in its text. */
function escapeSlack(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
