/** A small RFC 4180 CSV parser for previews: quoted fields, doubled quotes, CRLF, newlines in quotes. */

/** Parsed rows (the first is the header) and whether the text had more than `maxRows`. */
export interface ParsedCsv {
  header: string[];
  rows: string[][];
  truncated: boolean;
}

/** Parses `text` into a header and at most `maxRows` data rows. */
export function parseCsv(text: string, maxRows = 10_000, delimiter = ','): ParsedCsv {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let truncated = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = () => {
    record.push(field);
    field = '';
    if (!(record.length === 1 && record[0] === '')) records.push(record);
    record = [];
  };
  for (; i < text.length; i += 1) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 1;
        } else quoted = false;
      } else field += char;
    } else if (char === '"' && field === '') quoted = true;
    else if (char === delimiter) {
      record.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i += 1;
      endRecord();
      if (records.length > maxRows) {
        truncated = i + 1 < text.length;
        break;
      }
    } else field += char;
  }
  if (!truncated && (field !== '' || record.length > 0)) endRecord();
  if (records.length > maxRows + 1) {
    records.length = maxRows + 1;
    truncated = true;
  }
  const [header = [], ...rows] = records;
  return { header, rows, truncated };
}
