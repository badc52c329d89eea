/** The documents pipeline written with the typed builder: the same model as pipeline.yaml. */
import { definePipeline, defineStep } from 'sluice';

const loadPage = defineStep({
  name: 'load_page',
  run: './steps/load-page.ts',
  inputs: ['document_id', 'page_num', 'corpus_dir'],
  outputs: ['page'],
  // It reads corpus files, which are not among its inputs: never reuse an old result.
  cache: false,
});

const extractText = defineStep({
  name: 'extract_text',
  run: { command: ['python3', 'steps/extract_text.py'] },
  inputs: ['page'],
  outputs: ['text'],
  retries: 2,
  timeout: '30s',
});

export default definePipeline({
  name: 'documents',
  description:
    'Loads one page of a scanned document, extracts its text, detects the language, classifies and summarises it. Run with -p document_id=D0 -p page_num=0.\n',
  params: {
    document_id: { type: 'string', description: 'a folder under corpus_dir, e.g. D0' },
    page_num: { type: 'integer', default: 0 },
    corpus_dir: { type: 'string', default: 'corpus', description: 'relative to this file' },
  },
  steps: [
    loadPage,
    extractText,
    defineStep({
      name: 'detect_language',
      run: './steps/detect-language.ts',
      inputs: ['text'],
      outputs: ['language'],
    }),
    defineStep({
      name: 'classify',
      run: './steps/classify.ts',
      inputs: ['text', 'language'],
      outputs: ['category'],
    }),
    defineStep({
      name: 'split_paragraphs',
      run: './steps/split-paragraphs.ts',
      inputs: ['text'],
      outputs: ['paragraphs[]'],
    }),
    defineStep({
      name: 'keywords',
      run: './steps/keywords.ts',
      inputs: ['paragraphs', 'language'],
      outputs: ['paragraph_keywords'],
      parallelism: 4,
    }),
    defineStep({
      name: 'summarise',
      run: './steps/summarise.ts',
      inputs: ['document_id', 'page_num', 'text', 'language', 'category', 'paragraph_keywords[]'],
      outputs: ['summary'],
    }),
    defineStep({
      name: 'translate',
      run: './steps/translate.ts',
      inputs: ['text'],
      outputs: ['translation'],
    }),
  ],
  outputs: ['summary', 'category', 'language'],
});
