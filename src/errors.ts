// Errors the CLI reports as one line on stderr, `dettrace: <what>: <why>`, exit status 125
// (SPEC §1: 125 when the tracer itself could not start or run the command).

/** Exit status of every tool error (bad input, missing native pieces, internal failure). */
export const TOOL_ERROR = 125;

/**
 * An error meant for the user: `what` names the thing (an option, a file, a subcommand),
 * `why` says what is wrong with it. `usage` adds the "try 'dettrace --help'" hint.
 */
export class DetError extends Error {
  readonly what: string;
  readonly why: string;
  readonly usage: boolean;
  readonly exitCode: number;

  constructor(what: string, why: string, opts: { usage?: boolean; exitCode?: number; cause?: unknown } = {}) {
    super(what ? `${what}: ${why}` : why, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'DetError';
    this.what = what;
    this.why = why;
    this.usage = opts.usage ?? false;
    this.exitCode = opts.exitCode ?? TOOL_ERROR;
  }
}

/** A command-line mistake: same as DetError, with the --help hint. */
export function usageError(what: string, why: string): DetError {
  return new DetError(what, why, { usage: true });
}

/** Collapse any text to a single line (messages from the OS or other code may hold newlines). */
export function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ').trim();
}

/**
 * The single stderr line for an error. DetError: `dettrace: what: why`; anything else is a
 * bug: `dettrace: internal error: message`. No trailing newline.
 */
export function formatError(err: unknown): string {
  if (err instanceof DetError) {
    const hint = err.usage ? " (try 'dettrace --help')" : '';
    return oneLine(`dettrace: ${err.message}`) + hint;
  }
  const message = err instanceof Error ? err.message : String(err);
  return oneLine(`dettrace: internal error: ${message || 'unknown error'}`);
}

/** Exit status for an error: DetError's own (125 unless said otherwise), else 125. */
export function exitCodeOf(err: unknown): number {
  return err instanceof DetError ? err.exitCode : TOOL_ERROR;
}
