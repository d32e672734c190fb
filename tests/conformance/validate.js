// Schema conformance, the half that does not trust our own reading of the spec:
// 1. every sample message our encoder produced must pass ocpp-rpc's validator
//    (the one its strict mode uses) against the official schema;
// 2. from the official schema (not from our generator), derive schema-invalid
//    mutations of each category, confirm ocpp-rpc rejects each, and write them out
//    with the CALLERROR code our decoder must answer.
// Usage: node validate.js NODE_MODULES SAMPLES.jsonl MUTATIONS.jsonl
'use strict';
const fs = require('fs');
const path = require('path');

const [, , modulesDir, samplesFile, mutationsFile] = process.argv;
const rpcDir = path.join(modulesDir, 'ocpp-rpc');
const validators = require(path.join(rpcDir, 'lib', 'standard-validators.js'));
const versions = {
  '1.6': { subprotocol: 'ocpp1.6', file: 'ocpp1_6.json' },
  '2.0.1': { subprotocol: 'ocpp2.0.1', file: 'ocpp2_0_1.json' },
};
for (const v of Object.values(versions)) {
  v.validator = validators.find((x) => x.subprotocol === v.subprotocol);
  v.schemas = new Map(
    require(path.join(rpcDir, 'lib', 'schemas', v.file)).map((s) => [s.$id, s]));
}

// Per-version spellings of the codes our decoder answers with, by category.
const CODES = {
  'missing-required': { '1.6': 'OccurenceConstraintViolation', '2.0.1': 'OccurrenceConstraintViolation' },
  'wrong-type': { '1.6': 'TypeConstraintViolation', '2.0.1': 'TypeConstraintViolation' },
  'enum-value': { '1.6': 'PropertyConstraintViolation', '2.0.1': 'PropertyConstraintViolation' },
  'max-length': { '1.6': 'PropertyConstraintViolation', '2.0.1': 'PropertyConstraintViolation' },
  'below-minimum': { '1.6': 'PropertyConstraintViolation', '2.0.1': 'PropertyConstraintViolation' },
  'above-maximum': { '1.6': 'PropertyConstraintViolation', '2.0.1': 'PropertyConstraintViolation' },
  'not-integer': { '1.6': 'PropertyConstraintViolation', '2.0.1': 'PropertyConstraintViolation' },
  'not-multiple': { '1.6': 'PropertyConstraintViolation', '2.0.1': 'PropertyConstraintViolation' },
  'too-few-items': { '1.6': 'PropertyConstraintViolation', '2.0.1': 'PropertyConstraintViolation' },
  'too-many-items': { '1.6': 'PropertyConstraintViolation', '2.0.1': 'PropertyConstraintViolation' },
  'unknown-property': { '1.6': 'FormationViolation', '2.0.1': 'FormatViolation' },
  'bad-format': { '1.6': 'FormationViolation', '2.0.1': 'FormatViolation' },
};

function isValid(version, id, payload) {
  try {
    versions[version].validator.validate(id, payload);
    return true;
  } catch (e) {
    if (!e.rpcErrorCode) throw e;
    return false;
  }
}

function pathText(p) {
  let out = '';
  for (const seg of p) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += (out ? '.' : '') + seg;
  }
  return out;
}

function resolve(root, node) {
  while (node && node.$ref) node = root.definitions[node.$ref.split('/').pop()];
  return node;
}

function wrongTypeValue(type) {
  return { string: 12345, integer: 'x', number: 'x', boolean: 'true', object: 'x', array: { a: 1 } }[type];
}

// Calls emit(category, path, setter) for every mutation of `value` at `p`.
// `setter(doc)` applies the mutation to a deep copy of the whole payload.
function mutations(root, schema, value, p, emit) {
  schema = resolve(root, schema);
  if (!schema) return;
  const at = (fn) => (doc) => {
    if (p.length === 0) return fn(doc);
    let parent = doc;
    for (const seg of p.slice(0, -1)) parent = parent[seg];
    parent[p[p.length - 1]] = fn(parent[p[p.length - 1]]);
    return doc;
  };
  const type = schema.type;
  if (type === undefined) return; // any JSON value is valid
  emit('wrong-type', p, at(() => wrongTypeValue(type)));
  if (type === 'object') {
    if (schema.additionalProperties === false) {
      emit('unknown-property', p, at((o) => ({ ...o, unknownProperty: 1 })));
    }
    for (const req of schema.required || []) {
      if (value[req] === undefined) continue;
      emit('missing-required', [...p, req], at((o) => {
        const copy = { ...o };
        delete copy[req];
        return copy;
      }));
    }
    for (const [name, sub] of Object.entries(schema.properties || {})) {
      if (value[name] !== undefined) mutations(root, sub, value[name], [...p, name], emit);
    }
  } else if (type === 'array') {
    if ((schema.minItems || 0) > 0) emit('too-few-items', p, at(() => []));
    if (schema.maxItems !== undefined) {
      emit('too-many-items', p, at((a) => Array(schema.maxItems + 1).fill(a[0])));
    }
    if (value.length > 0) mutations(root, schema.items, value[0], [...p, 0], emit);
  } else if (type === 'string') {
    if (schema.enum) emit('enum-value', p, at(() => 'NotInTheSchemaEnum'));
    if (schema.maxLength !== undefined) {
      emit('max-length', p, at(() => 'x'.repeat(schema.maxLength + 1)));
    }
    if (schema.format === 'date-time') emit('bad-format', p, at(() => '2024-02-30T25:00:00'));
    if (schema.format === 'uri') emit('bad-format', p, at(() => 'no scheme here'));
  } else if (type === 'integer' || type === 'number') {
    if (type === 'integer') emit('not-integer', p, at((x) => x + 0.5));
    if (schema.minimum !== undefined) emit('below-minimum', p, at(() => schema.minimum - 1));
    if (schema.maximum !== undefined) emit('above-maximum', p, at(() => schema.maximum + 1));
    if (schema.multipleOf !== undefined) {
      emit('not-multiple', p, at((x) => x + schema.multipleOf / 2));
    }
  }
}

const samples = fs.readFileSync(samplesFile, 'utf8').split('\n').filter(Boolean).map(JSON.parse);
const problems = [];
const covered = new Set();
let valid = 0;
const out = [];
for (const s of samples) {
  const id = `urn:${s.action}.${s.kind}`;
  const schema = versions[s.version].schemas.get(id);
  if (!schema) {
    problems.push(`${s.version} ${id}: no such schema`);
    continue;
  }
  const payload = JSON.parse(s.json);
  try {
    versions[s.version].validator.validate(id, payload);
    valid++;
    covered.add(`${s.version} ${id} ${s.full ? 'full' : 'minimal'}`);
  } catch (e) {
    problems.push(`${s.version} ${id} (${s.full ? 'full' : 'minimal'}): ${e.message}`);
    continue;
  }
  if (!s.full) continue;
  mutations(schema, schema, payload, [], (category, p, setter) => {
    const mutated = setter(JSON.parse(s.json));
    if (isValid(s.version, id, mutated)) {
      problems.push(`${s.version} ${id}: ${category} at '${pathText(p)}' is not invalid`);
      return;
    }
    out.push(JSON.stringify({
      version: s.version, action: s.action, kind: s.kind, category,
      path: pathText(p), expected: CODES[category][s.version], json: JSON.stringify(mutated),
    }));
  });
}
for (const [version, v] of Object.entries(versions)) {
  for (const id of v.schemas.keys()) {
    for (const variant of ['full', 'minimal']) {
      if (!covered.has(`${version} ${id} ${variant}`)) {
        problems.push(`${version} ${id}: no valid ${variant} sample`);
      }
    }
  }
}
fs.writeFileSync(mutationsFile, out.join('\n') + '\n');
for (const p of problems.slice(0, 50)) console.error(`FAIL ${p}`);
if (problems.length > 0) {
  console.error(`${problems.length} problems`);
  process.exit(1);
}
const actions = new Set(samples.map((s) => `${s.version} ${s.action}`)).size;
console.log(`schemas: ${valid} messages of ${actions} actions valid; ${out.length} mutations derived`);
console.log(`VALID_COUNT=${valid}`);
