// Types every dashboard in dashboards/*.json against Grafana's published dashboard schema (the
// `Dashboard` type of npm @grafana/schema) with the TypeScript compiler, strictly: each file
// becomes `const dashboard: Dashboard = <its JSON>;`, so enum literals keep their types and
// unknown fields are excess-property errors. The schema's TypeScript enums (FieldColorModeId,
// ThresholdsMode, ...) become the unions of their values (`${Enum}`), which is what JSON holds.
// `__inputs` and `__requires` are left out: they are the Import dialog's envelope, not part of
// the dashboard model.
//   node check.cjs WORKDIR DASHBOARD.json...   exit 1 on any diagnostic
//   node check.cjs --self-test WORKDIR FILE    a broken copy of FILE must fail
const fs = require('fs');
const path = require('path');
const ts = require('typescript');

const PRELUDE = `import type { Dashboard } from '@grafana/schema';

// A string enum as JSON spells it: the union of its values; everything else unchanged.
type Json<T> = T extends string
  ? string extends T ? T : \`\${T}\`
  : T extends (infer U)[] ? Json<U>[]
  : T extends object ? { [K in keyof T]: Json<T[K]> }
  : T;

`;

function check(workdir, files) {
  fs.mkdirSync(workdir, { recursive: true });
  const sources = files.map((file) => {
    const d = JSON.parse(fs.readFileSync(file, 'utf8'));
    delete d.__inputs;
    delete d.__requires;
    const out = path.join(workdir, path.basename(file, '.json').replace(/[^A-Za-z0-9_]/g, '_') + '.ts');
    fs.writeFileSync(out, PRELUDE + `export const dashboard: Json<Dashboard> = ${JSON.stringify(d, null, 2)};\n`);
    return out;
  });
  const program = ts.createProgram(sources, {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10, skipLibCheck: true,
    typeRoots: [], types: [],
    baseUrl: workdir, paths: { '@grafana/schema': [path.join(require.resolve('@grafana/schema/package.json'), '../dist/types/index.d.ts')] },
  });
  const diags = ts.getPreEmitDiagnostics(program);
  for (const d of diags) {
    const where = d.file ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : '';
    console.error(`${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n  ')}`);
  }
  return diags.length;
}

const args = process.argv.slice(2);
if (args[0] === '--self-test') {
  const [, workdir, file] = args;
  const d = JSON.parse(fs.readFileSync(file, 'utf8'));
  d.panels[1].gridPos.w = 'wide';
  d.templating.list[0].hide = 7;
  d.graphTooltip = 'shared';
  d.time.zone = 'UTC'; // an unknown field
  const broken = path.join(workdir, 'broken.json');
  fs.mkdirSync(workdir, { recursive: true });
  fs.writeFileSync(broken, JSON.stringify(d));
  const n = check(path.join(workdir, 'broken'), [broken]);
  if (n < 4) { console.error(`self-test: a broken dashboard gave ${n} diagnostics, want 4`); process.exit(1); }
  console.log(`self-test: the broken dashboard gave ${n} diagnostics`);
} else {
  const [workdir, ...files] = args;
  const n = check(workdir, files);
  if (n) { console.error(`${n} problem(s) against @grafana/schema`); process.exit(1); }
  console.log(`${files.length} dashboards type-check against @grafana/schema ${require('@grafana/schema/package.json').version}`);
}
