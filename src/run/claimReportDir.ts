import fs from 'node:fs';
import path from 'node:path';
import { prepareReportDir } from '../report/prepareReportDir.js';

/**
 * Makes the run's report folder ready before its first request (prepareReportDir: exit 2 when it cannot be), noting
 * which folders of its path it had to create. `release()` removes those again, deepest first and only while empty, for
 * a run that ends before its report is written: a refused run leaves no empty folder behind. A folder that existed,
 * or that something else filled meanwhile, is left as it is; rmdir never follows a link.
 */
export function claimReportDir(dir: string): { release(): void } {
  const created: string[] = [];
  for (let at = path.resolve(dir); !exists(at); at = path.dirname(at)) {
    created.push(at);
    if (path.dirname(at) === at) break;
  }
  prepareReportDir(dir);
  return {
    release() {
      for (const folder of created.splice(0)) {
        try {
          fs.rmdirSync(folder);
        } catch {
          return;
        }
      }
    },
  };
}

function exists(at: string): boolean {
  try {
    fs.lstatSync(at);
    return true;
  } catch {
    return false;
  }
}
