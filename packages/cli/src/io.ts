/** Where the CLI writes. Tests pass string collectors; the bin passes the process streams. */
export interface OutputStream {
  write(text: string): unknown;
  /** Whether this is a terminal (progress redraws one line in place only then). */
  isTTY?: boolean;
  /** Terminal width in characters, when known. */
  columns?: number;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Clock in milliseconds for progress and ETA; `performance.now` by default. */
  now?: () => number;
}

/** The real process streams. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr };
}

/** The stream's width, or 80 when unknown (not a terminal, or a terminal that reports 0 columns). */
export function widthOf(stream: OutputStream): number {
  return stream.columns !== undefined && stream.columns > 0 ? stream.columns : 80;
}
