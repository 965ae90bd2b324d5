import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commands } from '../src/index.js';
import { runCli, runSpawned } from './support/run-cli.js';

describe('wimse-pep: help and usage errors', () => {
  it('lists the commands with --help (exit 0) and without a command (exit 2)', async () => {
    const help = await runCli(['--help']);
    assert.equal(help.code, 0);
    for (const name of ['keygen', 'dev-issuer', 'mint', 'inspect', 'request', 'audit verify', 'audit prove']) {
      assert.match(help.stdout, new RegExp(`^  ${name} `, 'm'));
    }
    const none = await runCli([]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /Usage: wimse-pep <command>/);
  });

  for (const command of commands) {
    it(`${command.name} --help prints its usage and exits 0`, async () => {
      // A command of a group is two words: `audit verify`.
      const words = command.name.split(' ');
      const result = await runCli([...words, '--help']);
      assert.equal(result.code, 0);
      assert.match(result.stdout, new RegExp(`^Usage: wimse-pep ${command.name} `));
      assert.match(result.stdout, /Example/);
      assert.deepEqual(await runCli(['help', ...words]), result);
    });
  }

  it('an unknown command, an unknown option, a missing option or argument: exit 2 with a hint', async () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /unknown command "frobnicate"/],
      [['help', 'frobnicate'], /unknown command "frobnicate"/],
      [['keygen', '--out'], /--out/],
      [['keygen', '--colour', 'blue', '--out', 'x'], /Unknown option '--colour'/],
      [['keygen'], /--out is required/],
      [['keygen', '--alg', 'HS256', '--out', 'x'], /--alg must be ES256 or EdDSA/],
      [['mint', '--sub', 'wimse://a.example/x'], /--issuer-key is required/],
      [['inspect'], /missing the WIT/],
      [['inspect', 'a', 'b'], /unexpected argument "b"/],
      [['request', 'not a url', '--wit', 'w', '--key', 'k'], /not an absolute URL/],
      [['dev-issuer', '--trust-domain', 'td.example', '--port', '70000'], /--port must be an integer from 0 to 65535/],
      [['audit'], /audit needs a subcommand: keygen, verify, prove/],
      [['audit', 'frobnicate'], /audit has no subcommand "frobnicate": keygen, verify, prove/],
      [['help', 'audit', 'frobnicate'], /audit has no subcommand "frobnicate"/],
      [['audit', 'verify', 'log.jsonl'], /--key is required/],
      [['audit', 'verify', '--key', 'k'], /missing the log file/],
      [
        ['audit', 'verify', 'log.jsonl', '--key', 'nothing+here'],
        /--key nothing\+here is neither a verifier key nor a readable file/,
      ],
      [['audit', 'prove', 'log.jsonl', 'x'], /the record number must be a whole number, not "x"/],
      [
        ['audit', 'keygen', '--name', 'two words', '--out', 'k'],
        /--name: .*a key name must be non-empty, without spaces/,
      ],
    ];
    for (const [argv, message] of cases) {
      const result = await runCli(argv);
      assert.equal(result.code, 2, `${argv.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message, argv.join(' '));
      assert.match(result.stderr, /--help' for usage/);
    }
  });

  it('the same in a spawned process (pnpm wimse-pep)', { timeout: 30_000 }, async () => {
    const [help, wrong] = await Promise.all([runSpawned(['keygen', '--help']), runSpawned(['keygen', '--nope'])]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: wimse-pep keygen/);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /Unknown option '--nope'/);
  });
});
