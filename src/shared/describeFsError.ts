/**
 * A file-system error as a short phrase for a one-line message ("no such file", "permission denied"), the one
 * wording every file problem of the tool uses, rather than Node's full message with its syscall and path.
 */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a folder';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'ELOOP':
      return 'it is a symbolic link';
    case 'ENOSPC':
      return 'the disk is full';
    case 'EDQUOT':
      return 'the disk quota is used up';
    case 'EROFS':
      return 'the file system is read-only';
    case 'EIO':
      return 'the disk reported an input/output error';
    case 'EEXIST':
      return 'it already exists';
    default:
      return (error as Error).message;
  }
}
