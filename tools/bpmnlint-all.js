// Runs bpmnlint (recommended rules, .bpmnlintrc) on every BPMN file under processes/.
const { execFileSync } = require('node:child_process');
const { readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

function bpmnFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return bpmnFiles(path);
    return name.endsWith('.bpmn') ? [path] : [];
  });
}

const files = bpmnFiles('processes');
let failed = 0;
for (const file of files) {
  try {
    execFileSync(join('node_modules', '.bin', 'bpmnlint'), [file], { stdio: 'inherit' });
    console.log(`bpmnlint ok: ${file}`);
  } catch (error) {
    failed += 1;
  }
}
console.log(`bpmnlint: ${files.length - failed} of ${files.length} files clean`);
process.exit(failed ? 1 : 0);
