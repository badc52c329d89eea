import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CombinedInputSpec, DataInputSpec, RepoInputSpec } from '../spec/index.js';
import { computeDatums, datumManifest, repoLeaves, type RepoFile } from './datums.js';

function repo(name: string, glob: string, extra: Partial<RepoInputSpec> = {}): RepoInputSpec {
  return { kind: 'repo', name, repo: extra.repo ?? name, glob, branch: 'main', outerJoin: false, ...extra };
}

function combined(kind: CombinedInputSpec['kind'], name: string, inputs: DataInputSpec[]): CombinedInputSpec {
  return { kind, name, inputs };
}

function files(...paths: string[]): RepoFile[] {
  return [...paths].sort().map((path) => ({ path, hash: `h${path}`, size: path.length }));
}

/** Datums as `key -> [input:path]`, for readable expectations. */
function summary(spec: DataInputSpec, repos: Record<string, RepoFile[]>): Record<string, string[]> {
  const datums = computeDatums(spec, (leaf) => repos[leaf.repo] ?? []);
  return Object.fromEntries(
    datums.map((datum) => [datum.key, datum.files.map((file) => `${file.input}:${file.path}`)]),
  );
}

const cameras = files('/cam1/f1.jpg', '/cam1/f2.jpg', '/cam2/f1.jpg', '/readme.txt');

describe('repo input datums', () => {
  it('makes one datum of everything for the glob /', () => {
    expect(summary(repo('frames', '/', { repo: 'cameras' }), { cameras })).toEqual({
      '/': ['frames:/cam1/f1.jpg', 'frames:/cam1/f2.jpg', 'frames:/cam2/f1.jpg', 'frames:/readme.txt'],
    });
  });

  it('makes one datum per top-level entry for /*', () => {
    expect(summary(repo('frames', '/*', { repo: 'cameras' }), { cameras })).toEqual({
      '/cam1': ['frames:/cam1/f1.jpg', 'frames:/cam1/f2.jpg'],
      '/cam2': ['frames:/cam2/f1.jpg'],
      '/readme.txt': ['frames:/readme.txt'],
    });
  });

  it('makes one datum per file for /*/* and leaves out files under no match', () => {
    expect(summary(repo('frames', '/*/*', { repo: 'cameras' }), { cameras })).toEqual({
      '/cam1/f1.jpg': ['frames:/cam1/f1.jpg'],
      '/cam1/f2.jpg': ['frames:/cam1/f2.jpg'],
      '/cam2/f1.jpg': ['frames:/cam2/f1.jpg'],
    });
  });

  it('takes the shortest matching prefix as the datum root', () => {
    const repos = { r: files('/a/b/c.jpg', '/a/d.jpg', '/x.jpg') };
    expect(summary(repo('r', '/**/*.jpg'), repos)).toEqual({
      '/a/b/c.jpg': ['r:/a/b/c.jpg'],
      '/a/d.jpg': ['r:/a/d.jpg'],
      '/x.jpg': ['r:/x.jpg'],
    });
    expect(Object.keys(summary(repo('r', '/**'), repos))).toEqual(['/']);
  });

  it('makes no datums of an empty repo', () => {
    expect(computeDatums(repo('r', '/'), () => [])).toEqual([]);
  });

  it('splits 100,000 files with one match per folder and file', () => {
    const many: RepoFile[] = [];
    for (let dir = 0; dir < 1000; dir += 1) {
      for (let file = 0; file < 100; file += 1) {
        many.push({
          path: `/d${String(dir).padStart(4, '0')}/f${String(file).padStart(3, '0')}.jpg`,
          hash: 'h',
          size: 1,
        });
      }
    }
    expect(computeDatums(repo('r', '/*'), () => many)).toHaveLength(1000);
    expect(computeDatums(repo('r', '/*/*.jpg'), () => many)).toHaveLength(100_000);
  });
});

describe('combined input datums', () => {
  const images = files('/a.jpg', '/b.jpg', '/c.jpg');
  const labels = files('/a.txt', '/b.txt', '/d.txt');

  it('crosses the members’ datums', () => {
    const spec = combined('cross', 'pairs', [repo('images', '/*'), repo('labels', '/')]);
    expect(summary(spec, { images, labels })).toEqual({
      'images:/a.jpg|labels:/': ['images:/a.jpg', 'labels:/a.txt', 'labels:/b.txt', 'labels:/d.txt'],
      'images:/b.jpg|labels:/': ['images:/b.jpg', 'labels:/a.txt', 'labels:/b.txt', 'labels:/d.txt'],
      'images:/c.jpg|labels:/': ['images:/c.jpg', 'labels:/a.txt', 'labels:/b.txt', 'labels:/d.txt'],
    });
  });

  it('crosses into nothing when a member has no datums', () => {
    const spec = combined('cross', 'pairs', [repo('images', '/*'), repo('labels', '/')]);
    expect(summary(spec, { images })).toEqual({});
  });

  it('puts the members’ datums side by side in a union', () => {
    const spec = combined('union', 'any', [repo('images', '/*'), repo('labels', '/*')]);
    expect(Object.keys(summary(spec, { images, labels }))).toEqual([
      'images:/a.jpg',
      'images:/b.jpg',
      'images:/c.jpg',
      'labels:/a.txt',
      'labels:/b.txt',
      'labels:/d.txt',
    ]);
  });

  it('joins datums whose join_on values are equal', () => {
    const spec = combined('join', 'matched', [
      repo('images', '/(*).jpg', { joinOn: '$1' }),
      repo('labels', '/(*).txt', { joinOn: '$1' }),
    ]);
    expect(summary(spec, { images, labels })).toEqual({
      'on=a|images:/a.jpg|labels:/a.txt': ['images:/a.jpg', 'labels:/a.txt'],
      'on=b|images:/b.jpg|labels:/b.txt': ['images:/b.jpg', 'labels:/b.txt'],
    });
  });

  it('keeps the unmatched datums of an outer_join member', () => {
    const spec = combined('join', 'matched', [
      repo('images', '/(*).jpg', { joinOn: '$1' }),
      repo('labels', '/(*).txt', { joinOn: '$1', outerJoin: true }),
    ]);
    expect(Object.keys(summary(spec, { images, labels }))).toEqual([
      'on=a|images:/a.jpg|labels:/a.txt',
      'on=b|images:/b.jpg|labels:/b.txt',
      'on=d|labels:/d.txt',
    ]);
  });

  it('crosses every datum with the same join value', () => {
    const spec = combined('join', 'matched', [
      repo('images', '/(*)-*.jpg', { joinOn: '$1' }),
      repo('labels', '/(*).txt', { joinOn: '$1' }),
    ]);
    const repos = { images: files('/a-1.jpg', '/a-2.jpg'), labels: files('/a.txt') };
    expect(Object.keys(summary(spec, repos))).toEqual([
      'on=a|images:/a-1.jpg|labels:/a.txt',
      'on=a|images:/a-2.jpg|labels:/a.txt',
    ]);
  });

  it('joins on a template of several captures', () => {
    const spec = combined('join', 'matched', [
      repo('left', '/(*)/(*).csv', { joinOn: '$1-$2' }),
      repo('right', '/(*)-(*).json', { joinOn: '$1-$2' }),
    ]);
    const repos = { left: files('/2024/jan.csv', '/2024/feb.csv'), right: files('/2024-jan.json') };
    expect(Object.keys(summary(spec, repos))).toEqual([
      'on=2024-jan|left:/2024/jan.csv|right:/2024-jan.json',
    ]);
  });

  it('groups all datums with the same group_by value into one', () => {
    const spec = combined('group', 'by_patient', [
      repo('scans', '/(*)/*.dcm', { groupBy: '$1' }),
      repo('notes', '/(*).txt', { groupBy: '$1' }),
    ]);
    const repos = { scans: files('/p1/a.dcm', '/p1/b.dcm', '/p2/a.dcm'), notes: files('/p2.txt', '/p3.txt') };
    expect(summary(spec, repos)).toEqual({
      'by=p1': ['scans:/p1/a.dcm', 'scans:/p1/b.dcm'],
      'by=p2': ['notes:/p2.txt', 'scans:/p2/a.dcm'],
      'by=p3': ['notes:/p3.txt'],
    });
  });

  it('nests combined inputs', () => {
    const spec = combined('union', 'any', [
      repo('a', '/*'),
      combined('cross', 'b', [repo('x', '/*'), repo('y', '/*')]),
    ]);
    const repos = { a: files('/1'), x: files('/1', '/2'), y: files('/3') };
    expect(summary(spec, repos)).toEqual({
      'a:/1': ['a:/1'],
      'b:(x:/1|y:/3)': ['x:/1', 'y:/3'],
      'b:(x:/2|y:/3)': ['x:/2', 'y:/3'],
    });
  });

  it('lists the repo leaves, depth first', () => {
    const x = repo('x', '/*');
    const spec = combined('union', 'any', [repo('a', '/*'), combined('cross', 'b', [x, repo('y', '/')])]);
    expect(repoLeaves(spec).map((leaf) => leaf.name)).toEqual(['a', 'x', 'y']);
    expect(repoLeaves(spec)[1]).toBe(x);
  });

  it('gives unique keys, sorted, whatever the files', () => {
    const path = fc
      .array(fc.constantFrom('a', 'b', 'c.jpg', 'd.txt'), { minLength: 1, maxLength: 3 })
      .map((parts) => `/${parts.join('/')}`);
    const repoFiles = fc.uniqueArray(path, { maxLength: 12 }).map((paths) => files(...paths));
    const spec = combined('union', 'all', [
      combined('cross', 'c', [repo('x', '/*'), repo('y', '/*/*')]),
      combined('join', 'j', [
        repo('p', '/(*)', { joinOn: '$1' }),
        repo('q', '/*/(*)', { joinOn: '$1', outerJoin: true }),
      ]),
      combined('group', 'g', [repo('s', '/**/(*)', { groupBy: '$1' })]),
    ]);
    fc.assert(
      fc.property(repoFiles, repoFiles, (one, two) => {
        const datums = computeDatums(spec, (leaf) => (leaf.name < 'q' ? one : two));
        const keys = datums.map((datum) => datum.key);
        expect(new Set(keys).size).toBe(keys.length);
        expect([...keys].sort()).toEqual(keys);
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});

describe('datumManifest', () => {
  it('lays a plain repo input’s files at their repo paths', () => {
    const spec = repo('frames', '/*', { repo: 'cameras' });
    const [datum] = computeDatums(spec, () => cameras);
    expect(datumManifest(spec, datum!)).toEqual({
      'cam1/f1.jpg': 'h/cam1/f1.jpg',
      'cam1/f2.jpg': 'h/cam1/f2.jpg',
    });
  });

  it('puts each member’s files under its name, nested members deeper', () => {
    const spec = combined('cross', 'pairs', [
      repo('images', '/*'),
      combined('union', 'more', [repo('labels', '/')]),
    ]);
    const [datum] = computeDatums(spec, (leaf) =>
      leaf.name === 'images' ? files('/a.jpg') : files('/x/a.txt'),
    );
    expect(datumManifest(spec, datum!)).toEqual({
      'images/a.jpg': 'h/a.jpg',
      'more/labels/x/a.txt': 'h/x/a.txt',
    });
  });
});
