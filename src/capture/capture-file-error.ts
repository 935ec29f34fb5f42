/**
 * A capture file that cannot be read at all (missing, unreadable, empty, not a capture, unsupported
 * version). The message is one line naming the file; the CLI maps this error to exit code 2.
 * Damage found later in a readable file is not an error: it is counted and the file is marked truncated.
 */
export class CaptureFileError extends Error {
  /** The file the error is about. */
  readonly path: string;

  constructor(path: string, reason: string) {
    super(`${path}: ${reason}`);
    this.name = 'CaptureFileError';
    this.path = path;
  }
}
