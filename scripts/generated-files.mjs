// How the generators (scripts/generate.mjs, scripts/esm.mjs) write their
// files: only those whose text changed, or, with --check, none, naming each
// that is out of date.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Writes (or checks) `files` (relative path → text) under `root`; returns
 * how many differ. `label` prefixes the messages. */
export function writeGenerated(root, files, { check, label }) {
  let changed = 0;
  for (const [file, text] of files) {
    const full = path.join(root, file);
    const old = existsSync(full) ? readFileSync(full, "utf8") : null;
    if (old === text) continue;
    changed++;
    if (check) {
      console.error(`${label}: ${file} is out of date`);
    } else {
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, text);
    }
  }
  return changed;
}
