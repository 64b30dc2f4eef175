// Grammar checks over the front-end's own corpus of valid LPC (tests/lpc/ok):
// snapshot tests with vscode-tmgrammar-snap, and a coverage check that every
// non-blank character of the corpus gets a scope of its own.
//
// The corpus files are read where they are, so the tests follow the corpus;
// vscode-tmgrammar-snap writes its .snap beside each file, so the run copies
// the sources into a scratch folder together with the snapshots stored here.
//
//   node test/grammar/corpus.js            check
//   node test/grammar/corpus.js --update   rewrite the stored snapshots

'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const extensionDir = path.resolve(__dirname, '..', '..');
const corpusDir = path.resolve(extensionDir, '..', '..', 'tests', 'lpc', 'ok');
const snapshotDir = path.join(__dirname, 'snapshots');
const grammarPath = path.join(extensionDir, 'syntaxes', 'lpc.tmLanguage.json');

/** The corpus files, sorted, as names inside corpusDir. */
function corpusFiles() {
  return fs
    .readdirSync(corpusDir)
    .filter((name) => name.endsWith('.c'))
    .sort();
}

/**
 * Runs vscode-tmgrammar-snap over a scratch copy of the corpus.
 * Returns { status, output, problems } where problems lists corpus files
 * without a stored snapshot and stored snapshots without a corpus file.
 */
function runSnapshots({ update }) {
  const files = corpusFiles();
  const problems = [];
  const stored = fs.readdirSync(snapshotDir).filter((n) => n.endsWith('.snap'));
  for (const snap of stored) {
    if (!files.includes(snap.replace(/\.snap$/, ''))) {
      problems.push(`snapshot ${snap} has no corpus file; delete it`);
    }
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lpc-grammar-'));
  try {
    for (const name of files) {
      fs.copyFileSync(path.join(corpusDir, name), path.join(scratch, name));
      const snap = path.join(snapshotDir, `${name}.snap`);
      if (fs.existsSync(snap)) {
        fs.copyFileSync(snap, path.join(scratch, `${name}.snap`));
      } else if (!update) {
        problems.push(`corpus file ${name} has no snapshot; run npm run snap:update and review it`);
      }
    }
    const bin = require.resolve('vscode-tmgrammar-test/dist/snapshot.js');
    const args = [bin, '--scope', 'source.lpc', '-g', grammarPath, '--expandDiff'];
    if (update) args.push('--updateSnapshot');
    args.push(path.join(scratch, '*.c'));
    const run = spawnSync(process.execPath, args, { cwd: extensionDir, encoding: 'utf8' });
    if (update) {
      for (const name of files) {
        fs.copyFileSync(path.join(scratch, `${name}.snap`), path.join(snapshotDir, `${name}.snap`));
      }
    }
    const output = `${run.stdout}${run.stderr}`.split(scratch).join('<corpus>');
    return { status: run.status, output, problems };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** A vscode-textmate registry holding the LPC grammar. */
async function loadGrammar() {
  const textmate = require('vscode-textmate');
  const oniguruma = require('vscode-oniguruma');
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName) => {
      if (scopeName !== 'source.lpc') return null;
      const text = fs.readFileSync(grammarPath, 'utf8');
      return textmate.parseRawGrammar(text, grammarPath);
    },
  });
  return { grammar: await registry.loadGrammar('source.lpc'), textmate };
}

/** Each token of `text` as { line, text, scopes }. */
function tokenize(grammar, textmate, text) {
  const out = [];
  let state = textmate.INITIAL;
  text.split(/\r?\n/).forEach((line, index) => {
    const result = grammar.tokenizeLine(line, state);
    for (const token of result.tokens) {
      out.push({
        line: index + 1,
        text: line.slice(token.startIndex, token.endIndex),
        scopes: token.scopes,
      });
    }
    state = result.ruleStack;
  });
  return out;
}

/**
 * Tokens of the corpus that carry no scope beyond the file's own
 * (`source.lpc`) yet are not blank: text the grammar does not recognise.
 */
async function unscopedTokens() {
  const { grammar, textmate } = await loadGrammar();
  const found = [];
  for (const name of corpusFiles()) {
    const text = fs.readFileSync(path.join(corpusDir, name), 'utf8');
    for (const token of tokenize(grammar, textmate, text)) {
      if (token.scopes.length === 1 && token.text.trim() !== '') {
        found.push(`${name}:${token.line}: \`${token.text}\``);
      }
    }
  }
  return found;
}

module.exports = { corpusDir, corpusFiles, runSnapshots, loadGrammar, tokenize, unscopedTokens };

if (require.main === module) {
  const update = process.argv.includes('--update');
  const { status, output, problems } = runSnapshots({ update });
  process.stdout.write(output);
  for (const p of problems) console.error(p);
  process.exitCode = status === 0 && (update || problems.length === 0) ? 0 : 1;
}
