// Validates SARIF files against the official SARIF 2.1.0 JSON schema (as shipped by the npm
// package @microsoft/jest-sarif) with ajv. Usage: node validate.mjs FILE_OR_DIR...
// Exits 1 when any file is invalid, and when no SARIF file was found at all.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const Ajv = require("ajv-draft-04"); // the SARIF 2.1.0 schema is JSON Schema draft-04
const addFormats = require("ajv-formats");
const schema = JSON.parse(readFileSync(require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8"));

// unicodeRegExp off: the official schema's "language" pattern is not valid in /u mode.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(schema);

const files = [];
const collect = (p) => {
  if (statSync(p).isDirectory()) for (const e of readdirSync(p).sort()) collect(join(p, e));
  else if (p.endsWith(".sarif")) files.push(p);
};
process.argv.slice(2).forEach(collect);

let invalid = 0;
for (const f of files) {
  const doc = JSON.parse(readFileSync(f, "utf8"));
  if (validate(doc)) continue;
  invalid++;
  console.error(`INVALID ${f}`);
  for (const e of validate.errors.slice(0, 10)) console.error(`  ${e.instancePath} ${e.message}`);
}
console.log(`validated ${files.length} SARIF files: ${files.length - invalid} valid, ${invalid} invalid`);
process.exit(invalid > 0 || files.length === 0 ? 1 : 0);
