import { describe, expect, it } from 'vitest';
import { takenAtFromFileName } from '../steps/lib/taken-at.js';

describe('takenAtFromFileName', () => {
  it('reads the local time from a timestamp name, with or without text around it', () => {
    expect(takenAtFromFileName('2026-11-24T22-15-00.jpg')).toBe('2026-11-24T22:15:00');
    expect(takenAtFromFileName('front door 2026-11-24T22-15-00 motion.png')).toBe('2026-11-24T22:15:00');
  });

  it('adds the offset of a frame cut from a video', () => {
    expect(takenAtFromFileName('clip-2026-11-24T23-59-58-t00004.jpg')).toBe('2026-11-25T00:00:02');
  });

  it('gives null for no timestamp, two of them, or an impossible date', () => {
    expect(takenAtFromFileName('snapshot.jpg')).toBeNull();
    expect(takenAtFromFileName('2026-11-24T22-15-00_2026-11-24T22-16-00.jpg')).toBeNull();
    expect(takenAtFromFileName('2026-02-30T22-15-00.jpg')).toBeNull();
    expect(takenAtFromFileName('2026-11-24T24-00-00.jpg')).toBeNull();
    expect(takenAtFromFileName('12026-11-24T22-15-00.jpg')).toBeNull();
  });
});
