/** Splits a byte stream into text lines, keeping partial lines until their end arrives. */
const MAX_LINE = 64 * 1024;

export class LineSplitter {
  readonly #onLine: (line: string) => void;
  #partial = '';
  readonly #decoder = new TextDecoder();

  constructor(onLine: (line: string) => void) {
    this.#onLine = onLine;
  }

  push(chunk: Uint8Array): void {
    const text = this.#partial + this.#decoder.decode(chunk, { stream: true });
    const lines = text.split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) this.#emit(line);
    // NOTE: a line without newline that keeps growing is cut, so a binary blob cannot eat memory.
    while (this.#partial.length > MAX_LINE) {
      this.#emit(this.#partial.slice(0, MAX_LINE));
      this.#partial = this.#partial.slice(MAX_LINE);
    }
  }

  /** Emits the last line if the stream did not end with a newline. */
  end(): void {
    const rest = this.#partial + this.#decoder.decode();
    this.#partial = '';
    if (rest !== '') this.#emit(rest);
  }

  #emit(line: string): void {
    this.#onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
  }
}
