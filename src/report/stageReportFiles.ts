import fs from 'node:fs';
import path from 'node:path';
import { createTempFile, type TempFile } from '../shared/privateFs.js';
import { openTextSink, type TextSink } from './openTextSink.js';

/** The files of one report, each written to a temporary file first and put in place together. */
export interface ReportFiles {
  /** Starts the file `name` as a new private temporary file in the folder; its text goes to the returned sink. */
  open(name: string): TextSink;
  /**
   * Puts every file in place by renaming it over its final name, in the order they were opened, and returns the
   * final paths. The last file opened is the marker (report.json): whatever stood at its name is removed before
   * the others land, so at no moment does a marker stand beside files of another run.
   */
  commit(): string[];
  /**
   * Marks `name` as no part of this report: at commit, a file or symlink of this user's under that name is removed
   * together with the old marker. Another user's is left alone: this process touches only what it made.
   */
  drop(name: string): void;
  /** Closes and removes every temporary file not yet in place; the files under the final names stay as they were. */
  discard(): void;
}

interface Staged {
  name: string;
  temp: TempFile;
  sink: TextSink;
  placed: boolean;
}

/**
 * Stages the files of a report in `dir` (SPEC §4). Nothing here opens an existing file for writing or follows a
 * symlink: each file is created new (O_EXCL, O_NOFOLLOW, 0600) under a random name and renamed over the final name
 * only once complete, so a file another user planted keeps its content and owner, and a failure part-way leaves no
 * half-written file under a final name.
 */
export function stageReportFiles(dir: string): ReportFiles {
  const staged: Staged[] = [];
  const dropped: string[] = [];

  return {
    open(name) {
      const temp = createTempFile(path.join(dir, name));
      const entry: Staged = { name, temp, sink: openTextSink(temp.fd), placed: false };
      staged.push(entry);
      return entry.sink;
    },

    commit() {
      for (const entry of staged) entry.sink.close();
      const marker = staged.at(-1);
      if (marker) removeEntry(path.join(dir, marker.name));
      for (const name of dropped) removeOwnEntry(path.join(dir, name));
      return staged.map((entry) => {
        const finalPath = path.join(dir, entry.name);
        fs.renameSync(entry.temp.path, finalPath);
        entry.placed = true;
        return finalPath;
      });
    },

    drop(name) {
      dropped.push(name);
    },

    discard() {
      for (const entry of staged) {
        if (entry.placed) continue;
        // Best effort: the error that led here is the one worth reporting, not a second one while tidying up.
        try {
          entry.sink.close();
        } catch {}
        try {
          removeEntry(entry.temp.path);
        } catch {}
      }
    },
  };
}

/** Removes the file or symlink at `filePath` (never what a symlink points to); nothing there is fine. */
function removeEntry(filePath: string): void {
  try {
    fs.unlinkSync(filePath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function removeOwnEntry(filePath: string): void {
  let entry: fs.Stats;
  try {
    entry = fs.lstatSync(filePath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if ((entry.isFile() || entry.isSymbolicLink()) && entry.uid === process.geteuid?.()) removeEntry(filePath);
}
