#!/usr/bin/env node
/**
 * Cuts still frames out of camera videos: a Sluice command step (`node steps/extract_frames.mjs`).
 *
 * Inputs (the JSON file named by $SLUICE_INPUTS):
 *   videos         a datum folder holding `<device>/<name>.mp4` (.mov, .mkv, .avi, .webm too)
 *   every_seconds  a whole number of seconds from 1 up: one frame every that many seconds
 * Output `frames`: `$SLUICE_OUT/frames/<device>/<name>-t<seconds, 5 digits>.jpg`, the frame at
 * 0 s, N s, 2N s, … of each video (`clip.mp4` -> `clip-t00000.jpg`, `clip-t00002.jpg`, …).
 * When `<name>` holds a timestamp, validate adds the offset to it (see steps/lib/taken-at.ts).
 *
 * Needs ffmpeg on PATH (Debian package ffmpeg). Exits 1 with the reason on stderr for bad
 * inputs or an unreadable video, 2 when ffmpeg is missing.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rename, rm } from 'node:fs/promises';
import { basename, extname, join, relative, sep } from 'node:path';

const VIDEO_EXTENSIONS = ['.mp4', '.mov', '.mkv', '.avi', '.webm'];

class StepFailure extends Error {
  /** @param {string} message @param {number} exitCode */
  constructor(message, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/**
 * Runs ffmpeg with `args`; resolves with its stderr, rejects with a StepFailure.
 *
 * @param {string[]} args
 * @param {string} video the repo path, for messages
 * @returns {Promise<void>}
 */
function ffmpeg(args, video) {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', (error) =>
      reject(
        /** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT'
          ? new StepFailure('ffmpeg is not installed (not on PATH): install the Debian package ffmpeg', 2)
          : new StepFailure(`cannot start ffmpeg: ${error.message}`),
      ),
    );
    child.on('close', (code) => {
      if (code === 0) resolve();
      else
        reject(
          new StepFailure(
            `video ${video} cannot be read: ffmpeg exited ${code}: ${stderr.trim() || '(no message)'}`,
          ),
        );
    });
  });
}

/**
 * Every file under `dir` as repo paths.
 *
 * @param {string} dir
 * @returns {Promise<string[]>}
 */
async function listFiles(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

/**
 * Extracts the frames of one video into `outDir/<device>/`.
 *
 * @param {string} videosDir
 * @param {string} video repo path `<device>/<name>.mp4`
 * @param {number} everySeconds
 * @param {string} outDir
 * @returns {Promise<string[]>} the repo paths written
 */
async function extractVideo(videosDir, video, everySeconds, outDir) {
  const segments = video.split('/');
  if (segments.length < 2)
    throw new StepFailure(`video ${video}: not in a device folder; expected <device>/<name>.mp4`);
  const extension = extname(video).toLowerCase();
  if (!VIDEO_EXTENSIONS.includes(extension))
    throw new StepFailure(
      `video ${video}: extension '${extension || '(none)'}' is not allowed; allowed: ${VIDEO_EXTENSIONS.join(', ')}`,
    );
  const device = /** @type {string} */ (segments.at(-2));
  const name = basename(video, extname(video));
  const work = await mkdtemp(join(outDir, '.work-'));
  try {
    await ffmpeg(
      ['-i', join(videosDir, video), '-vf', `fps=1/${everySeconds}`, '-q:v', '3', join(work, '%05d.jpg')],
      video,
    );
    const numbered = (await readdir(work)).filter((file) => /^\d{5}\.jpg$/.test(file)).sort();
    if (numbered.length === 0) throw new StepFailure(`video ${video} holds no frames`);
    await mkdir(join(outDir, device), { recursive: true });
    const written = [];
    for (const file of numbered) {
      // ffmpeg numbers from 1; frame k of fps=1/N shows second (k - 1) * N.
      const seconds = (Number(file.slice(0, 5)) - 1) * everySeconds;
      const path = `${device}/${name}-t${String(seconds).padStart(5, '0')}.jpg`;
      await rename(join(work, file), join(outDir, path));
      written.push(path);
    }
    return written;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function main() {
  const inputsFile = process.env.SLUICE_INPUTS;
  const out = process.env.SLUICE_OUT;
  if (!inputsFile || !out)
    throw new StepFailure('SLUICE_INPUTS and SLUICE_OUT must be set (run me as a Sluice command step)');
  /** @type {Record<string, unknown>} */
  const inputs = JSON.parse(await readFile(inputsFile, 'utf8'));
  const { videos, every_seconds: everySeconds } = inputs;
  if (typeof videos !== 'string')
    throw new StepFailure(`input 'videos' must be a folder path, found ${JSON.stringify(videos)}`);
  if (typeof everySeconds !== 'number' || !Number.isInteger(everySeconds) || everySeconds < 1)
    throw new StepFailure(
      `every_seconds must be a whole number of seconds from 1 up, found ${JSON.stringify(everySeconds)}`,
    );
  const files = await listFiles(videos);
  if (files.length === 0) throw new StepFailure(`the videos datum holds no file (folder ${videos})`);
  const outDir = join(out, 'frames');
  await mkdir(outDir, { recursive: true });
  for (const video of files) {
    const written = await extractVideo(videos, video, everySeconds, outDir);
    console.log(`${video}: ${written.length} frames, every ${everySeconds} s (${written.join(', ')})`);
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = error instanceof StepFailure ? error.exitCode : 1;
});
