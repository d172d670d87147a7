// Entry point of the `dettrace` executable (bin/dettrace.js imports this module): run main()
// on process.argv and exit with its status. Anything thrown or rejected outside main() also
// ends as one stderr line and status 125, never a stack trace (unless --debug N > 0).
import { TOOL_ERROR } from './errors.js';
import { errorReport, main } from './main.js';

function die(err: unknown): void {
  try {
    process.stderr.write(errorReport(err));
  } finally {
    process.exit(TOOL_ERROR);
  }
}

process.on('uncaughtException', die);
process.on('unhandledRejection', die);
// A closed stdout (dettrace --help | head -1) is not an error of ours.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') die(err);
});

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  die,
);
