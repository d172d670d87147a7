// The Action's outputs (SPEC §2): reproducible, digest, differing (JSON array of paths),
// report (path of the JSON report); manifest (path) for mode: verify and record; directory
// (where the report, the manifest and machine.json are: upload it for a later compare).
import * as core from '@actions/core';

export interface Outputs {
  reproducible: boolean;
  digest: string;
  differing: string[];
  report: string;
  manifest?: string;
  directory: string;
}

export function outputValues(o: Outputs): Record<string, string> {
  const v: Record<string, string> = {
    reproducible: o.reproducible ? 'true' : 'false',
    digest: o.digest,
    differing: JSON.stringify(o.differing),
    report: o.report,
  };
  if (o.manifest !== undefined) v.manifest = o.manifest;
  v.directory = o.directory;
  return v;
}

export function setOutputs(o: Outputs): void {
  for (const [name, value] of Object.entries(outputValues(o))) core.setOutput(name, value);
}
