// Validates SARIF files against the official SARIF 2.1.0 JSON schema (as shipped by the npm
// package @microsoft/jest-sarif) with ajv, and against what GitHub code scanning documents for
// uploads ("SARIF support for code scanning"). Usage: node validate.mjs FILE_OR_DIR...
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

// GitHub's upload rules: one run per category, a category (automationDetails.id), a physical
// location with a relative or file: URI and a region with startLine on every result, a fingerprint,
// a numeric security-severity from 0 to 10 on every rule, helpUri only as an absolute http(s) link,
// and (drvsec's own contract) an invocation with the exit code.
function githubProblems(doc) {
  const problems = [];
  if (doc.runs.length !== 1) problems.push(`${doc.runs.length} runs (drvsec writes one)`);
  for (const [r, run] of doc.runs.entries()) {
    const at = `runs[${r}]`;
    if (typeof run.automationDetails?.id !== "string" || !run.automationDetails.id) problems.push(`${at}: no automationDetails.id`);
    const inv = run.invocations?.[0];
    if (!inv || !Number.isInteger(inv.exitCode) || typeof inv.executionSuccessful !== "boolean")
      problems.push(`${at}: no invocation with exitCode and executionSuccessful`);
    const bases = run.originalUriBaseIds ?? {};
    for (const [i, rule] of (run.tool.driver.rules ?? []).entries()) {
      const sev = rule.properties?.["security-severity"];
      const v = Number(sev);
      if (typeof sev !== "string" || !/^\d+(\.\d+)?$/.test(sev) || v < 0 || v > 10)
        problems.push(`${at}.rules[${i}] (${rule.id}): security-severity '${sev}' is not a number from 0 to 10`);
      if (rule.helpUri !== undefined && !/^https?:\/\//.test(rule.helpUri)) problems.push(`${at}.rules[${i}]: helpUri '${rule.helpUri}'`);
      if (!rule.help?.text) problems.push(`${at}.rules[${i}]: no embedded help text`);
    }
    for (const [i, res] of (run.results ?? []).entries()) {
      const where = `${at}.results[${i}] (${res.ruleId})`;
      if (!res.partialFingerprints || Object.keys(res.partialFingerprints).length === 0) problems.push(`${where}: no partialFingerprints`);
      // A merge that lacks a shard and was given no file list has nothing to name (documented).
      if ((res.locations ?? []).length === 0 && res.ruleId === "input-not-analyzed") continue;
      const loc = res.locations?.[0]?.physicalLocation;
      const uri = loc?.artifactLocation?.uri;
      if (typeof uri !== "string" || uri === "") { problems.push(`${where}: no artifactLocation.uri`); continue; }
      const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(uri)?.[0];
      if (scheme && scheme !== "file:") problems.push(`${where}: uri '${uri}' is neither relative nor file:`);
      if (!scheme && loc.artifactLocation.uriBaseId && !bases[loc.artifactLocation.uriBaseId])
        problems.push(`${where}: uriBaseId ${loc.artifactLocation.uriBaseId} not in originalUriBaseIds`);
      if (!Number.isInteger(loc.region?.startLine) || loc.region.startLine < 1) problems.push(`${where}: no region.startLine`);
    }
  }
  return problems;
}

let invalid = 0;
for (const f of files) {
  const doc = JSON.parse(readFileSync(f, "utf8"));
  const schemaValid = validate(doc);
  const problems = schemaValid ? githubProblems(doc) : [];
  if (schemaValid && problems.length === 0) continue;
  invalid++;
  console.error(`INVALID ${f}`);
  if (!schemaValid) for (const e of validate.errors.slice(0, 10)) console.error(`  ${e.instancePath} ${e.message}`);
  for (const p of problems.slice(0, 10)) console.error(`  github: ${p}`);
}
console.log(`validated ${files.length} SARIF files: ${files.length - invalid} valid, ${invalid} invalid`);
process.exit(invalid > 0 || files.length === 0 ? 1 : 0);
