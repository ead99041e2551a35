// Parse JavaScript read from stdin at a pinned ECMAScript level with acorn; exit 1 on a syntax
// error, printing where. Used by tests/test_map_script.py:
//   node tools/parse_es.js 2020 < script.js
'use strict';
const acorn = require('acorn');
const level = Number(process.argv[2] || 2020);
let src = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => { src += c; });
process.stdin.on('end', () => {
  try {
    acorn.parse(src, { ecmaVersion: level, sourceType: 'script', allowHashBang: false });
    process.stdout.write(`ok: ECMAScript ${level}, ${src.length} characters\n`);
  } catch (e) {
    const line = src.split('\n')[(e.loc ? e.loc.line : 1) - 1] || '';
    process.stdout.write(`${e.message}\n${line.trim().slice(0, 200)}\n`);
    process.exit(1);
  }
});
