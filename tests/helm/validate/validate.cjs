#!/usr/bin/env node
// Checks the Helm chart's rendered manifests and its values files.
//
//   node validate.cjs manifests FILE.yaml...      every object against the Kubernetes and
//                                                 Prometheus Operator schemas (kubernetes-models),
//                                                 unknown fields included, plus the chart's
//                                                 own promises (probes, security context, ...)
//   node validate.cjs values SCHEMA FILE.json...  merged values that values.schema.json must accept
//   node validate.cjs configs OUTDIR FILE.yaml... writes each ConfigMap's config.toml to OUTDIR
//   node validate.cjs reject SCHEMA FILE.json=EXPECTED...
//                                                 merged values it must reject, with EXPECTED
//                                                 (a substring) in one of the errors
// Exit 0 when everything holds; every problem is printed with its file and object.
'use strict';

const fs = require('fs');
const path = require('path');
const YAML = require('yaml');
const Ajv = require('ajv');

const MODELS = {
  'v1/ConfigMap': () => require('kubernetes-models/v1/ConfigMap').ConfigMap,
  'v1/Secret': () => require('kubernetes-models/v1/Secret').Secret,
  'v1/Service': () => require('kubernetes-models/v1/Service').Service,
  'v1/ServiceAccount': () => require('kubernetes-models/v1/ServiceAccount').ServiceAccount,
  'apps/v1/Deployment': () => require('kubernetes-models/apps/v1/Deployment').Deployment,
  'monitoring.coreos.com/v1/ServiceMonitor': () =>
    require('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor').ServiceMonitor,
  'monitoring.coreos.com/v1/Probe': () =>
    require('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Probe').Probe,
  'monitoring.coreos.com/v1/PrometheusRule': () =>
    require('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule').PrometheusRule,
};

// The TypeScript interface of each kind, for the unknown-field check (strict.cjs).
const TYPES = {
  'v1/ConfigMap': ['kubernetes-models/v1/ConfigMap', 'IConfigMap'],
  'v1/Secret': ['kubernetes-models/v1/Secret', 'ISecret'],
  'v1/Service': ['kubernetes-models/v1/Service', 'IService'],
  'v1/ServiceAccount': ['kubernetes-models/v1/ServiceAccount', 'IServiceAccount'],
  'apps/v1/Deployment': ['kubernetes-models/apps/v1/Deployment', 'IDeployment'],
  'monitoring.coreos.com/v1/ServiceMonitor': [
    '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor', 'IServiceMonitor'],
  'monitoring.coreos.com/v1/Probe': [
    '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Probe', 'IProbe'],
  'monitoring.coreos.com/v1/PrometheusRule': [
    '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule', 'IPrometheusRule'],
};

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

let problems = 0;
function problem(where, msg) {
  problems++;
  console.error(`${where}: ${msg}`);
}

function loadDocs(file) {
  const docs = [];
  for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
    if (doc.errors.length) {
      problem(file, `YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
      continue;
    }
    // YAML 1.1 as Kubernetes reads it (sigs.k8s.io/yaml): 0440 is octal, yes/no are booleans.
    const obj = doc.toJS({ version: '1.1' });
    if (obj !== null && obj !== undefined) docs.push(obj);
  }
  return docs;
}

function checkLabels(where, labels) {
  for (const [k, v] of Object.entries(labels || {})) {
    if (!LABEL_NAME.test(k)) problem(where, `label name ${JSON.stringify(k)} is not valid`);
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) {
      problem(where, `label ${k}=${JSON.stringify(v)} is not a valid label value`);
    }
  }
}

// What the chart promises of every Deployment it renders, whatever the values.
function checkDeployment(where, d) {
  const pod = d.spec.template.spec;
  const podLabels = d.spec.template.metadata.labels || {};
  for (const [k, v] of Object.entries(d.spec.selector.matchLabels || {})) {
    if (podLabels[k] !== v) problem(where, `selector ${k}=${v} does not match the pod labels`);
  }
  const ann = d.spec.template.metadata.annotations || {};
  if (!/^[a-f0-9]{64}$/.test(ann['checksum/config'] || '')) problem(where, 'no checksum/config annotation');
  const psc = pod.securityContext || {};
  if (psc.runAsNonRoot !== true) problem(where, 'pod securityContext.runAsNonRoot is not true');
  if (!psc.seccompProfile || psc.seccompProfile.type !== 'RuntimeDefault') {
    problem(where, 'pod seccompProfile is not RuntimeDefault');
  }
  for (const c of pod.containers) {
    const cw = `${where} container ${c.name}`;
    const sc = c.securityContext || {};
    if (sc.readOnlyRootFilesystem !== true) problem(cw, 'readOnlyRootFilesystem is not true');
    if (sc.allowPrivilegeEscalation !== false) problem(cw, 'allowPrivilegeEscalation is not false');
    if (!sc.capabilities || !(sc.capabilities.drop || []).includes('ALL')) problem(cw, 'capabilities are not all dropped');
    if (!c.resources || !c.resources.requests || !c.resources.limits) problem(cw, 'no resource requests and limits');
    const probes = { livenessProbe: '/-/healthy', readinessProbe: '/-/ready' };
    // With a web config (basic auth, client certificates) those paths need credentials the kubelet
    // does not have, so the probes must check the TCP port instead.
    const webConfig = (c.args || []).some((a) => a.startsWith('--web.config.file='));
    for (const [probe, want] of Object.entries(probes)) {
      if (webConfig) {
        if (!(c[probe] && c[probe].tcpSocket)) problem(cw, `${probe} is not a tcpSocket probe although --web.config.file is set`);
        continue;
      }
      const got = c[probe] && c[probe].httpGet && c[probe].httpGet.path;
      if (got !== want) problem(cw, `${probe} checks ${got}, not ${want}`);
    }
    const portNames = new Set((c.ports || []).map((p) => p.name));
    for (const probe of Object.keys(probes)) {
      const handler = c[probe] && (c[probe].httpGet || c[probe].tcpSocket);
      const port = handler && handler.port;
      if (typeof port === 'string' && !portNames.has(port)) problem(cw, `${probe} names port ${port}, which does not exist`);
    }
    const mounts = new Set((c.volumeMounts || []).map((m) => m.name));
    const volumes = new Set((pod.volumes || []).map((v) => v.name));
    for (const m of mounts) if (!volumes.has(m)) problem(cw, `mounts volume ${m}, which the pod does not have`);
  }
}

function checkManifests(files) {
  const seen = new Map();
  const typed = [];
  let count = 0;
  for (const file of files) {
    const objects = loadDocs(file);
    const configMaps = new Map();
    const secrets = new Map();
    const services = [];
    const deployments = [];
    for (const obj of objects) {
      count++;
      const key = `${obj.apiVersion}/${obj.kind}`;
      const where = `${path.basename(file)}: ${obj.kind} ${obj.metadata && obj.metadata.name}`;
      const model = MODELS[key];
      if (!model) {
        problem(where, `no schema for ${key}: add it to MODELS in validate.cjs`);
        continue;
      }
      try {
        new (model())(obj).validate();
      } catch (e) {
        problem(where, `schema: ${e.message}`);
        continue;
      }
      typed.push({ where, key, obj });
      const md = obj.metadata;
      const ns = md.namespace || 'default';
      if (!DNS1123_SUBDOMAIN.test(md.name) || md.name.length > 253) problem(where, 'name is not a DNS-1123 subdomain');
      if (['Service', 'Deployment'].includes(obj.kind) && (md.name.length > 63 || !DNS1123_LABEL.test(md.name))) {
        problem(where, 'name is not a DNS-1123 label of at most 63 characters');
      }
      const id = `${file}|${key}|${ns}|${md.name}`;
      if (seen.has(id)) problem(where, 'rendered twice');
      seen.set(id, true);
      checkLabels(where, md.labels);
      if (obj.kind === 'ConfigMap') {
        configMaps.set(`${ns}/${md.name}`, obj);
        const size = Object.values(obj.data || {}).reduce((n, v) => n + Buffer.byteLength(v), 0);
        if (size > 1024 * 1024) problem(where, `data is ${size} bytes, over the 1 MiB ConfigMap limit`);
      }
      if (obj.kind === 'Secret') secrets.set(`${ns}/${md.name}`, obj);
      if (obj.kind === 'Service') services.push(obj);
      if (obj.kind === 'Deployment') {
        deployments.push(obj);
        checkLabels(`${where} pod`, obj.spec.template.metadata.labels);
        checkDeployment(where, obj);
      }
    }
    // References inside one release: ConfigMaps and the chart's Secret exist, Services select pods.
    for (const d of deployments) {
      const where = `${path.basename(file)}: Deployment ${d.metadata.name}`;
      const ns = d.metadata.namespace || 'default';
      for (const v of d.spec.template.spec.volumes || []) {
        if (v.configMap && !configMaps.has(`${ns}/${v.configMap.name}`) && !/existing/.test(path.basename(file))) {
          problem(where, `volume ${v.name} names ConfigMap ${v.configMap.name}, which is not rendered`);
        }
      }
    }
    for (const s of services) {
      const sel = s.spec.selector || {};
      const selects = deployments.some((d) =>
        Object.entries(sel).every(([k, v]) => (d.spec.template.metadata.labels || {})[k] === v));
      if (!selects) problem(`${path.basename(file)}: Service ${s.metadata.name}`, 'selects no rendered pod');
    }
  }
  return { count, typed };
}

// Unknown fields: the schemas carried by kubernetes-models allow any extra field (as the API
// server's non-strict decoding does), so each object is also type-checked as a TypeScript object
// literal against its model's interface, where every unknown field is an error.
function strictCheck(typed) {
  if (typed.length === 0) return;
  let ts;
  try {
    ts = require('typescript');
  } catch (e) {
    problem('strict', 'typescript is not installed (scripts/check-chart runs npm ci)');
    return;
  }
  const lines = [];
  const imports = new Map();
  typed.forEach(({ key }) => {
    const [mod, iface] = TYPES[key];
    imports.set(mod, iface);
  });
  for (const [mod, iface] of imports) lines.push(`import type { ${iface} } from ${JSON.stringify(mod)};`);
  const starts = [];
  let lineNo = lines.length + 1;
  typed.forEach(({ key, obj }, i) => {
    const text = `export const o${i}: ${TYPES[key][1]} = ${JSON.stringify(obj, null, 1)};`;
    starts.push(lineNo);
    lineNo += text.split('\n').length;
    lines.push(text);
  });
  // Next to the node_modules the models come from, so TypeScript resolves their typings.
  const file = path.join(process.env.CHART_VALIDATE_WORKDIR || __dirname, `.strict-${process.pid}.ts`);
  fs.writeFileSync(file, lines.join('\n'));
  try {
    const program = ts.createProgram([file], {
      strict: true, noEmit: true, skipLibCheck: true, types: [],
      module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 || ts.ModuleResolutionKind.NodeJs,
      target: ts.ScriptTarget.ES2020,
    });
    for (const d of ts.getPreEmitDiagnostics(program)) {
      const msg = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      let where = 'strict';
      if (d.file && d.start !== undefined) {
        const line = d.file.getLineAndCharacterOfPosition(d.start).line + 1;
        let idx = starts.length - 1;
        while (idx > 0 && starts[idx] > line) idx--;
        where = `${typed[idx].where} (unknown field or wrong type)`;
      }
      problem(where, msg.split('\n').slice(-2).join(' '));
    }
  } finally {
    fs.rmSync(file, { force: true });
  }
}

function schemaValidator(schemaFile) {
  const ajv = new Ajv({ allErrors: true, strict: false });
  return ajv.compile(JSON.parse(fs.readFileSync(schemaFile, 'utf8')));
}

function describe(errors) {
  return (errors || []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && e.params.additionalProperty ? ` (${e.params.additionalProperty})` : ''}`);
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'manifests') {
  const { count, typed } = checkManifests(args);
  strictCheck(typed);
  if (problems === 0) console.log(`manifests: ${count} objects in ${args.length} renders valid`);
} else if (mode === 'values') {
  const validate = schemaValidator(args[0]);
  for (const file of args.slice(1)) {
    if (!validate(JSON.parse(fs.readFileSync(file, 'utf8')))) {
      for (const e of describe(validate.errors)) problem(path.basename(file), `values.schema.json: ${e}`);
    }
  }
  if (problems === 0) console.log(`values: ${args.length - 1} value sets accepted by values.schema.json`);
} else if (mode === 'reject') {
  const validate = schemaValidator(args[0]);
  for (const spec of args.slice(1)) {
    const eq = spec.indexOf('=');
    const file = spec.slice(0, eq);
    const expected = spec.slice(eq + 1);
    if (validate(JSON.parse(fs.readFileSync(file, 'utf8')))) {
      problem(path.basename(file), 'values.schema.json accepted these values');
      continue;
    }
    const errors = describe(validate.errors);
    if (!errors.some((e) => e.includes(expected))) {
      problem(path.basename(file), `rejected, but no error mentions ${JSON.stringify(expected)}: ${errors.join('; ')}`);
    }
  }
  if (problems === 0) console.log(`reject: ${args.length - 1} bad value sets rejected by values.schema.json`);
} else if (mode === 'configs') {
  // configs OUTDIR FILE...: writes each rendered ConfigMap's config.toml to
  // OUTDIR/<render>--<configmap>.toml, for the exporter's --config.check, and each
  // PrometheusRule's spec to OUTDIR/<render>--<name>.rules.json, for promtool check rules.
  const [outDir, ...files] = args;
  for (const file of files) {
    for (const obj of loadDocs(file)) {
      if (obj.kind === 'ConfigMap' && obj.data && obj.data['config.toml'] !== undefined) {
        const name = `${path.basename(file, '.yaml')}--${obj.metadata.name}.toml`;
        fs.writeFileSync(path.join(outDir, name), obj.data['config.toml']);
      }
      if (obj.kind === 'PrometheusRule') {
        // spec is a Prometheus rule file; JSON is YAML, so promtool reads it as is.
        const name = `${path.basename(file, '.yaml')}--${obj.metadata.name}.rules.json`;
        fs.writeFileSync(path.join(outDir, name), JSON.stringify(obj.spec, null, 1));
      }
    }
  }
} else {
  console.error('usage: validate.cjs manifests FILE... | values SCHEMA FILE... | reject SCHEMA FILE=EXPECTED...');
  process.exit(2);
}
process.exit(problems === 0 ? 0 : 1);
