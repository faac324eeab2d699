#!/usr/bin/env node
// Validates a JSON file against a JSON Schema (draft 2020-12) with ajv, pinned in
// package-lock.json. Usage: node validate-json.js SCHEMA FILE. Exit 0 valid, 1 invalid, 2 usage.
'use strict';
const fs = require('fs');
const Ajv2020 = require('ajv/dist/2020');
const addFormats = require('ajv-formats');
if (process.argv.length !== 4) { console.error('usage: validate-json.js SCHEMA FILE'); process.exit(2); }
const ajv = new Ajv2020({ allErrors: true, strictTypes: false });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(fs.readFileSync(process.argv[2], 'utf8')));
if (validate(JSON.parse(fs.readFileSync(process.argv[3], 'utf8')))) { console.log(process.argv[3] + ': valid'); process.exit(0); }
for (const e of validate.errors) console.error(process.argv[3] + ': ' + (e.instancePath || '/') + ' ' + e.message);
process.exit(1);
