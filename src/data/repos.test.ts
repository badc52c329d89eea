import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgliteClient, sqlStore, type MetadataStore, type SqlClient } from '../store/index.js';
import { openLocalObjectStore } from './local/local-object-store.js';
import { Repos, parseRepoAddress } from './repos.js';

let dir: string;
let store: MetadataStore;
let client: SqlClient;
let repos: Repos;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-repos-'));
  client = await openPgliteClient(join(dir, 'db'));
  store = sqlStore(client);
  repos = new Repos(store.repos, openLocalObjectStore(join(dir, 'objects')));
});

afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(dir, 'tree-'));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

const text = (data: Uint8Array) => Buffer.from(data).toString();

describe('repos', () => {
  it('puts a folder as one commit, keeping relative paths under --to', async () => {
    await repos.create('cams');
    const source = await tree({ 'cam1/a.jpg': 'A', 'cam1/b.jpg': 'B', 'cam2/c.jpg': 'C' });
    const commit = await repos.put('cams', 'main', { kind: 'path', path: source }, { to: '/frames' });
    expect(commit).toMatchObject({ added: 3, changed: 0, removed: 0, fileCount: 3, bytes: 3 });
    const head = await repos.resolveCommit('cams');
    expect(head.id).toBe(commit?.id);
    expect((await repos.list(head, '/frames')).map((entry) => [entry.path, entry.type, entry.files])).toEqual(
      [
        ['/frames/cam1', 'dir', 2],
        ['/frames/cam2', 'dir', 1],
      ],
    );
    const [file] = await repos.files(head, '/frames/cam2/c.jpg');
    expect(text(await repos.read(file!))).toBe('C');
  });

  it('keeps old commits immutable and diffs them', async () => {
    const first = await repos.resolveCommit('cams');
    const second = await repos.put(
      'cams',
      'main',
      { kind: 'bytes', data: Buffer.from('A2') },
      { to: '/frames/cam1/a.jpg' },
    );
    const third = await repos.remove('cams', 'main', '/frames/cam2');
    expect(second).toMatchObject({ changed: 1, fileCount: 3 });
    expect(third).toMatchObject({ removed: 1, fileCount: 2, parent: second?.id });
    const [old] = await repos.files(first, '/frames/cam1/a.jpg');
    expect(text(await repos.read(old!))).toBe('A');
    const diff = await repos.diff(first, third);
    expect(diff.map((entry) => [entry.path, entry.before?.size ?? null, entry.after?.size ?? null])).toEqual([
      ['/frames/cam1/a.jpg', 1, 2],
      ['/frames/cam2/c.jpg', 1, null],
    ]);
    expect((await repos.log(third)).map((commit) => commit.id)).toEqual([third.id, second?.id, first.id]);
    // The same content again is no change and no commit.
    expect(
      await repos.put(
        'cams',
        'main',
        { kind: 'bytes', data: Buffer.from('A2') },
        { to: '/frames/cam1/a.jpg' },
      ),
    ).toBeNull();
  });

  it('branches from a commit without touching the original branch', async () => {
    const main = await repos.resolveCommit('cams');
    await repos.createBranch('cams', 'dev', main.id);
    await repos.put('cams', 'dev', { kind: 'bytes', data: Buffer.from('D') }, { to: '/d.txt' });
    const dev = await repos.resolveCommit('cams', 'dev');
    expect(dev.fileCount).toBe(3);
    expect((await repos.records.listFiles(dev)).map((file) => file.path)).toEqual([
      '/d.txt',
      '/frames/cam1/a.jpg',
      '/frames/cam1/b.jpg',
    ]);
    expect((await repos.records.listFiles(await repos.resolveCommit('cams'))).length).toBe(2);
    expect((await repos.diff(main, dev)).map((entry) => entry.path)).toEqual(['/d.txt']);
  });

  it('refuses symlinks and reports unknown repos, branches and paths', async () => {
    const source = await tree({ 'ok.txt': 'x' });
    await symlink('/etc/passwd', join(source, 'evil'));
    await expect(repos.put('cams', 'main', { kind: 'path', path: source })).rejects.toThrow(/symbolic link/);
    await expect(repos.resolveCommit('nope')).rejects.toMatchObject({ code: 'REPO_NOT_FOUND' });
    await expect(repos.resolveCommit('cams', 'nobranch')).rejects.toMatchObject({ code: 'BRANCH_NOT_FOUND' });
    const head = await repos.resolveCommit('cams');
    await expect(repos.list(head, '/missing')).rejects.toMatchObject({ code: 'PATH_NOT_FOUND' });
    await expect(repos.create('cams')).rejects.toMatchObject({ code: 'REPO_EXISTS' });
  });

  it('reports a corrupted object instead of serving it', async () => {
    const head = await repos.resolveCommit('cams');
    const [file] = await repos.files(head, '/frames/cam1/b.jpg');
    const objects = join(dir, 'objects', file!.hash.slice(0, 2));
    expect(await readdir(objects)).toContain(file!.hash.slice(2));
    await writeFile(join(objects, file!.hash.slice(2)), 'tampered');
    await expect(repos.read(file!)).rejects.toMatchObject({ code: 'OBJECT_CORRUPT' });
  });

  it('commits one file into a repo of 100,000 files by writing only that file', async () => {
    await repos.create('big');
    const changes = Array.from({ length: 100_000 }, (_, index) => ({
      path: `/f/${String(index).padStart(6, '0')}.txt`,
      hash: 'a'.repeat(64),
      size: 1,
    }));
    await store.repos.commit({ repo: 'big', branch: 'main', message: 'bulk', changes });
    const rows = async () =>
      Number(
        (await client.query<{ n: number }>("SELECT count(*) AS n FROM files WHERE repo = 'big'")).rows[0]?.n,
      );
    const before = await rows();
    const one = await repos.put(
      'big',
      'main',
      { kind: 'bytes', data: Buffer.from('new') },
      { to: '/f/new.txt' },
    );
    expect(one).toMatchObject({ added: 1, fileCount: 100_001 });
    // O(files changed): the commit wrote one file row, not a copy of the tree.
    expect(await rows()).toBe(before + 1);
    const replaced = await repos.put(
      'big',
      'main',
      { kind: 'bytes', data: Buffer.from('v2') },
      { to: '/f/000001.txt' },
    );
    expect(replaced).toMatchObject({ changed: 1, fileCount: 100_001 });
    expect(await rows()).toBe(before + 2);
    const parent = await store.repos.getCommit(replaced!.parent!);
    expect(await repos.diff(parent!, replaced!)).toHaveLength(1);
  });

  it('parses REPO@REF:PATH and refuses escaping paths', () => {
    expect(parseRepoAddress('cams@dev:/a/b')).toEqual({ repo: 'cams', ref: 'dev', path: '/a/b' });
    expect(parseRepoAddress('cams')).toEqual({ repo: 'cams', ref: undefined, path: undefined });
    expect(() => parseRepoAddress('cams:/a/../../etc')).toThrow(/\.\./);
    expect(() => parseRepoAddress('Bad Name')).toThrow(/repo name/);
  });
});
