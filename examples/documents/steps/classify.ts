/** Classifies a document by multilingual keyword rules: invoice, letter, scientific, legal, other. */
import type { StepContext } from 'sluice';
import type { Language } from './detect-language.js';
import { words } from './lib/text.js';

const RULES: Record<string, string[]> = {
  invoice: [
    'invoice',
    'vat',
    'total',
    'amount',
    'payment',
    'due',
    'rechnung',
    'betrag',
    'facture',
    'montant',
    'factura',
  ],
  letter: [
    'dear',
    'sincerely',
    'regards',
    'geehrte',
    'grüßen',
    'schreiben',
    'madame',
    'monsieur',
    'cordialement',
    'estimado',
  ],
  scientific: [
    'study',
    'results',
    'model',
    'method',
    'measurements',
    'résultats',
    'modèle',
    'méthode',
    'mesures',
    'étudions',
    'ergebnisse',
  ],
  legal: [
    'agreement',
    'party',
    'parties',
    'shall',
    'hereunder',
    'jurisdiction',
    'terminate',
    'vertrag',
    'contrat',
    'contrato',
  ],
};

export interface Category {
  label: string;
  scores: Record<string, number>;
}

export default async function classify(
  ctx: StepContext<{ text: string; language: Language }>,
): Promise<{ category: Category }> {
  const tokens = words(ctx.inputs.text);
  const scores: Record<string, number> = {};
  for (const [label, cues] of Object.entries(RULES)) {
    scores[label] = tokens.filter((word) => cues.includes(word)).length;
  }
  const [label, score] = Object.entries(scores).sort(([a, x], [b, y]) => y - x || a.localeCompare(b))[0] ?? [
    'other',
    0,
  ];
  ctx.log.info(
    `category ${score > 0 ? label : 'other'} (${ctx.inputs.language.code}): ${JSON.stringify(scores)}`,
  );
  return { category: { label: score > 0 ? label : 'other', scores } };
}
