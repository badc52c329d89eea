/** Loads one page of a document from the corpus folder: `<corpus_dir>/<document_id>/page-<n>.txt`. */
import { readdir, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { StepContext } from 'sluice';

export interface Page {
  document_id: string;
  page_num: number;
  raw: string;
}

export default async function loadPage(
  ctx: StepContext<{ document_id: string; page_num: number; corpus_dir: string }>,
): Promise<{ page: Page }> {
  const { document_id, page_num, corpus_dir } = ctx.inputs;
  const corpus = resolve(ctx.pipelineDir, corpus_dir);
  const file = resolve(corpus, document_id, `page-${page_num}.txt`);
  if (!file.startsWith(`${corpus}/`))
    throw new Error(`document id '${document_id}' leaves the corpus folder`);
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch {
    const documents = await readdir(corpus).catch(() => [] as string[]);
    const pages = documents.includes(document_id) ? await readdir(resolve(corpus, document_id)) : [];
    throw new Error(
      `no page ${page_num} of document '${document_id}' at ${file}; ` +
        (pages.length > 0
          ? `its pages: ${pages.sort().join(', ')}`
          : `documents: ${documents.sort().join(', ')}`),
    );
  }
  ctx.log.info(`loaded ${file} (${raw.length} characters)`);
  return { page: { document_id, page_num, raw } };
}
