/**
 * `sluice put` and `sluice get` against a Sluice server (`SLUICE_URL`): the same checks on
 * local paths as a local put (`planPut`), one file sent as a raw body and a folder as one
 * multipart commit; folders fetched file by file.
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { SluiceClient } from '../../client/index.js';
import { SluiceError, sha256 } from '../../core/index.js';
import { planPut, type PutSource } from '../../data/index.js';
import type { BranchRecord, CommitRecord, FileEntry } from '../../store/index.js';
import { EXIT } from '../exit-codes.js';
import { json, type Io } from '../io.js';

/** Commits `source` to `repo@branch` on the server; `null` when nothing changed. */
export async function remotePut(
  client: SluiceClient,
  repo: string,
  branch: string,
  source: PutSource,
  options: { to?: string; message?: string; trigger?: boolean },
): Promise<CommitRecord | null> {
  const planned = await planPut(source, options.to);
  const files = await Promise.all(
    planned.map(async (item) => ({
      path: item.path,
      data: item.data ?? (await readFile(item.local as string)),
    })),
  );
  const common = {
    branch,
    ...(options.message !== undefined ? { message: options.message } : {}),
    ...(options.trigger === false ? { trigger: false } : {}),
  };
  const [only] = files;
  if (files.length === 1 && only) return client.putFile(repo, only.path, only.data, common);
  if (files.length === 0) throw new SluiceError('USAGE', 'nothing to put: the folder is empty');
  return client.commitFiles(repo, files, common);
}

/** `sluice get` over HTTP: one file to stdout or `-o`, or a folder's files under `-o`. */
export async function remoteGet(
  client: SluiceClient,
  repo: string,
  ref: string | undefined,
  path: string,
  options: { output?: string; json?: boolean },
  io: Io,
  writeStdout: (data: Uint8Array) => void,
): Promise<number> {
  const files = (await client.ls(repo, { path, recursive: true, ...(ref ? { ref } : {}) })) as FileEntry[];
  const single = files.length === 1 && files[0]?.path === path ? files[0] : undefined;
  if (single && !options.output) {
    writeStdout(await client.getFile(repo, single.path, ref));
    return EXIT.ok;
  }
  if (!options.output)
    throw new SluiceError(
      'USAGE',
      `'${path}' is a folder of ${files.length} files: give -o DIR to write them`,
    );
  const dest = resolve(io.cwd, options.output);
  const written: string[] = [];
  for (const file of files) {
    const target = single
      ? dest
      : join(dest, ...file.path.slice(path === '/' ? 1 : path.length + 1).split('/'));
    const data = await client.getFile(repo, file.path, ref);
    if (sha256(data) !== file.hash)
      throw new SluiceError(
        'OBJECT_CORRUPT',
        `${repo}:${file.path} arrived with other contents than its hash`,
      );
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, data);
    written.push(target);
  }
  if (options.json) io.out(json({ files: written }));
  else
    io.err(
      `wrote ${written.length} file${written.length === 1 ? '' : 's'} from ${repo}@${ref ?? 'main'} to ${dest}\n`,
    );
  return EXIT.ok;
}

/** `sluice branch` through the server that owns the data directory. */
export async function remoteBranch(
  remote: SluiceClient,
  action: 'create' | 'list' | 'delete',
  address: { repo: string; ref?: string | undefined },
  target: string,
  options: { from?: string; json?: boolean },
  io: Io,
): Promise<number> {
  const repo = encodeURIComponent(address.repo);
  if (action === 'list') {
    const branches = await remote.json<BranchRecord[]>('GET', `/api/repos/${repo}/branches`);
    if (options.json) io.out(json(branches));
    else for (const branch of branches) io.out(`${branch.name.padEnd(24)}${branch.head ?? '(no commits)'}\n`);
    return EXIT.ok;
  }
  if (!address.ref) throw new SluiceError('USAGE', `branch ${action} takes REPO@BRANCH (found '${target}')`);
  if (action === 'create') {
    const branch = await remote.json<BranchRecord>('POST', `/api/repos/${repo}/branches`, {
      json: { name: address.ref, ...(options.from ? { from: options.from } : {}) },
    });
    if (options.json) io.out(json(branch));
    else io.out(`created branch ${address.repo}@${branch.name}${branch.head ? ` at ${branch.head}` : ''}\n`);
    return EXIT.ok;
  }
  await remote.json('DELETE', `/api/repos/${repo}/branches/${encodeURIComponent(address.ref)}`);
  if (options.json) io.out(json({ deleted: `${address.repo}@${address.ref}` }));
  else io.out(`deleted branch ${address.repo}@${address.ref}\n`);
  return EXIT.ok;
}
