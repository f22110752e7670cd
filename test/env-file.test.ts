/**
 * `.env` in the project directory is read by the server itself (and by the CLI
 * commands), whatever the current directory: variables already in the
 * environment win, a missing file is fine, a malformed one stops the start
 * naming its line. The real start runs the compiled server from a copy of the
 * project (its own package.json and .env) with another current directory.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadEnvFile, projectDirectory } from '../src/config';
import { spawnServer } from './helpers/scale';

const ROOT = path.join(__dirname, '..');

describe('loadEnvFile', () => {
  let dir: string;
  const touched = ['ENV_FILE_TEST_A', 'ENV_FILE_TEST_B', 'ENV_FILE_TEST_C'];
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peer-community-env-'));
  });
  afterEach(() => {
    for (const name of touched) delete process.env[name];
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finds the package root from the code, not the current directory', () => {
    expect(projectDirectory()).toBe(ROOT);
  });

  it('reads the file; the environment wins over it', () => {
    fs.writeFileSync(path.join(dir, '.env'), '# a comment\n\nENV_FILE_TEST_A=from file\nexport ENV_FILE_TEST_B="quoted # kept"\nENV_FILE_TEST_C=file\n');
    process.env.ENV_FILE_TEST_C = 'environment';
    expect(loadEnvFile(dir)).toBe(path.join(dir, '.env'));
    expect([process.env.ENV_FILE_TEST_A, process.env.ENV_FILE_TEST_B, process.env.ENV_FILE_TEST_C]).toEqual(['from file', 'quoted # kept', 'environment']);
  });

  it('is fine without a file', () => {
    expect(loadEnvFile(dir)).toBeNull();
  });

  it.each([
    ['a line without =', 'ENV_FILE_TEST_A=1\nPORT 4000\n', 'line 2'],
    ['a bad name', '4PORT=1\n', 'line 1'],
    ['an unclosed quote', 'ENV_FILE_TEST_A="never closed\nENV_FILE_TEST_B=2\n', 'never closed'],
  ])('refuses %s, naming where, and sets nothing', (_, text, where) => {
    fs.writeFileSync(path.join(dir, '.env'), text);
    let error: unknown;
    try {
      loadEnvFile(dir);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('.env');
    expect((error as ConfigError).message).toContain(where);
    expect(process.env.ENV_FILE_TEST_A).toBeUndefined();
  });

  it('accepts a quoted value over several lines', () => {
    fs.writeFileSync(path.join(dir, '.env'), 'ENV_FILE_TEST_A="first\nsecond"\nENV_FILE_TEST_B=after\n');
    loadEnvFile(dir);
    expect(process.env.ENV_FILE_TEST_A).toBe('first\nsecond');
    expect(process.env.ENV_FILE_TEST_B).toBe('after');
  });
});

describe('the server reads its project .env', () => {
  let project: string;
  let elsewhere: string;
  beforeAll(() => {
    // A project-like copy: package.json, the compiled code and node_modules (linked), so the
    // server finds this .env and not the checkout's.
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'peer-community-project-'));
    elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'peer-community-cwd-'));
    fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(project, 'package.json'));
    fs.cpSync(path.join(ROOT, 'dist', 'src'), path.join(project, 'dist', 'src'), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(project, 'node_modules'));
  });
  afterAll(() => {
    fs.rmSync(project, { recursive: true, force: true });
    fs.rmSync(elsewhere, { recursive: true, force: true });
  });

  const main = () => path.join(project, 'dist', 'src', 'main.js');

  it('from another current directory; the environment wins over the file', async () => {
    const fromFile = path.join(project, 'from-file.sqlite');
    const fromEnv = path.join(project, 'from-env.sqlite');
    fs.writeFileSync(path.join(project, '.env'), `DATABASE_URL=sqlite:${fromFile}\nNODE_ENV=production\n`);
    const server = await spawnServer({ DATABASE_URL: `sqlite:${fromEnv}` }, { main: main(), cwd: elsewhere });
    try {
      const listening = server
        .output()
        .split('\n')
        .find((line) => line.includes('listening at'));
      expect(JSON.parse(listening!)).toMatchObject({ database: fromEnv, nodeEnv: 'production' });
      expect(fs.existsSync(fromFile)).toBe(false);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('the CLI commands read it too', async () => {
    fs.writeFileSync(path.join(project, '.env'), 'DATABASE_URL=postgres://app@127.0.0.1:5432/community\n');
    const child = spawn(process.execPath, [path.join(project, 'dist', 'src', 'cli', 'backup.js'), 'x.sqlite'], {
      cwd: elsewhere,
      env: { PATH: process.env.PATH ?? '' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    expect(await new Promise<number | null>((resolve) => child.once('exit', resolve))).toBe(2);
    expect(stderr).toContain('DATABASE_URL is PostgreSQL');
  });

  it('a malformed .env stops the start, naming the line', async () => {
    fs.writeFileSync(path.join(project, '.env'), 'NODE_ENV=production\nPORT 4000\n');
    const child = spawn(process.execPath, [main()], { cwd: elsewhere, env: { PATH: process.env.PATH ?? '', PORT: '0', DATABASE_URL: 'sqlite::memory:' } });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('Configuration error: Invalid .env');
    expect(stderr).toContain('line 2');
  });
});
