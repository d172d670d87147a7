// `--image REF`: run the tracer inside a container image (an extension of SPEC §1, for hosts
// where the sandbox needs privileges only a container grants). To be implemented: pull or
// build the image, `docker run` it with the work dir mounted and the capabilities the tracer
// needs (see /work/shared/NOTES.md), run `dettrace run` inside, and return its status.
import { DetError } from './errors.js';
import type { RunIO, TracedResult } from './run.js';
import type { RunOptions } from './types.js';

/** Run `opts.command` traced inside the container image `opts.image`. */
export async function runInImage(opts: RunOptions, io: RunIO = {}): Promise<TracedResult> {
  void io;
  throw new DetError(`--image ${opts.image ?? ''}`.trim(), 'running inside a container image is not supported by this build of dettrace; drop --image to trace on this host');
}
