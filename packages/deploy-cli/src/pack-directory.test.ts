import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from './errors.js';
import { packDirectory } from './pack-directory.js';
import { listTarEntries } from './test-support/list-tar-entries.js';

describe('packDirectory', () => {
  let workDirectory: string;
  let project: string;

  beforeEach(async () => {
    workDirectory = await mkdtemp(join(tmpdir(), 'deploy-cli-pack-test-'));
    project = join(workDirectory, 'my-app');
    await mkdir(join(project, 'lib', 'node_modules', 'nested'), { recursive: true });
    await mkdir(join(project, 'node_modules', 'left-pad'), { recursive: true });
    await mkdir(join(project, '.git', 'objects'), { recursive: true });
    await writeFile(join(project, 'package.json'), '{"name":"my-app"}');
    await writeFile(join(project, 'config.yaml'), 'rest: true\n');
    await writeFile(join(project, 'lib', 'index.js'), 'export {};\n');
    await writeFile(join(project, 'lib', 'node_modules', 'nested', 'index.js'), '');
    await writeFile(join(project, 'node_modules', 'left-pad', 'index.js'), '');
    await writeFile(join(project, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    await writeFile(join(project, '.gitignore'), 'node_modules\n');
    await symlink('lib/index.js', join(project, 'main.js'));
  });

  afterEach(async () => {
    await rm(workDirectory, { recursive: true, force: true });
  });

  async function packedNames(options: Parameters<typeof packDirectory>[1] = {}): Promise<string[]> {
    const packed = await packDirectory(project, options);
    try {
      const entries = await listTarEntries(await readFile(packed.path));
      return entries.map((entry) => entry.name).filter((name) => name !== '.' && name !== './');
    } finally {
      await packed.remove();
    }
  }

  it('puts the folder contents at the top level', async () => {
    const names = await packedNames();
    expect(names).toContain('package.json');
    expect(names).toContain('config.yaml');
    expect(names).toContain('lib/index.js');
    expect(names.some((name) => name.startsWith('my-app/'))).toBe(false);
  });

  it('skips node_modules and .git at any depth', async () => {
    const names = await packedNames();
    expect(names.filter((name) => name.split('/').includes('node_modules'))).toEqual([]);
    expect(names.filter((name) => name.split('/').includes('.git'))).toEqual([]);
  });

  it('keeps dotfiles that are not .git', async () => {
    expect(await packedNames()).toContain('.gitignore');
  });

  it('includeNodeModules keeps node_modules', async () => {
    const names = await packedNames({ includeNodeModules: true });
    expect(names).toContain('node_modules/left-pad/index.js');
    expect(names).toContain('lib/node_modules/nested/index.js');
    expect(names.filter((name) => name.split('/').includes('.git'))).toEqual([]);
  });

  it('stores symbolic links as links', async () => {
    const packed = await packDirectory(project);
    const entries = await listTarEntries(await readFile(packed.path));
    await packed.remove();
    expect(entries.find((entry) => entry.name === 'main.js')?.type).toBe('symlink');
  });

  it('reports the size and the entry count', async () => {
    const packed = await packDirectory(project);
    const { size } = await stat(packed.path);
    const entries = await listTarEntries(await readFile(packed.path));
    await packed.remove();
    expect(packed.bytes).toBe(size);
    expect(packed.entries).toBe(
      entries.filter((entry) => entry.name !== '.' && entry.name !== './').length,
    );
  });

  it('deletes its temporary folder on remove', async () => {
    const packed = await packDirectory(project);
    await packed.remove();
    await expect(stat(join(packed.path, '..'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('writes to the output folder when one is given', async () => {
    const output = join(workDirectory, 'out');
    await mkdir(output);
    const packed = await packDirectory(project, {
      outputDirectory: output,
      fileName: 'bundle.tgz',
    });
    expect(packed.path).toBe(join(output, 'bundle.tgz'));
    await packed.remove();
    await expect(stat(output)).resolves.toBeDefined();
  });

  it('rejects a path that is not a folder', async () => {
    await expect(packDirectory(join(project, 'package.json'))).rejects.toBeInstanceOf(UsageError);
  });
});
