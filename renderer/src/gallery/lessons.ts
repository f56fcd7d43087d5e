// The lesson graphs behind the template gallery, read from assets/lessons/*.netwright.json.
// Each becomes an entry with its lesson number, bilingual description (a lesson file's
// description holds English, then Japanese on the next line), node count and the loaded
// document. Pure: the unit test feeds it files read with node:fs.
import { loadDocument, type GraphDocument, type Text } from '../../../engine/protocol/index.js';

export interface Lesson {
  /** The file name without `.netwright.json`: a stable id for tests and translations. */
  readonly id: string;
  /** From "Lesson N — …" in the document's name; lessons without one sort last. */
  readonly number: number | null;
  /** The English title without the "Lesson N — " prefix. */
  readonly title: string;
  readonly description: Text;
  readonly nodeCount: number;
  readonly document: GraphDocument;
}

const LESSON_NAME = /^Lesson\s+(\d+)\s*[—–-]\s*(.*)$/;
const JAPANESE = /[\u3040-\u30ff\u3400-\u9fff]/;

export function lessonId(fileName: string): string {
  return (fileName.split('/').pop() ?? fileName).replace(/\.netwright\.json$/, '');
}

/** Splits "English\nJapanese" (the Japanese part found by its script, whatever the line count). */
export function splitDescription(description: string): Text {
  const lines = description.split('\n');
  const firstJapanese = lines.findIndex((line, index) => index > 0 && JAPANESE.test(line));
  if (firstJapanese < 0) return { en: description.trim(), ja: description.trim() };
  return { en: lines.slice(0, firstJapanese).join('\n').trim(), ja: lines.slice(firstJapanese).join('\n').trim() };
}

/** One lesson from its file; null when the file does not load (the unit test keeps that from shipping). */
export function parseLesson(fileName: string, text: string): Lesson | null {
  const loaded = loadDocument(text);
  if (loaded.document === undefined) return null;
  const doc = loaded.document;
  const match = LESSON_NAME.exec(doc.name);
  return {
    id: lessonId(fileName),
    number: match ? Number(match[1]) : null,
    title: match ? (match[2] ?? doc.name) : doc.name,
    description: splitDescription(doc.description ?? ''),
    nodeCount: doc.nodes.length,
    document: doc,
  };
}

/** Lesson order, then title: the curriculum's sequence, with each lesson's graphs together. */
export function sortLessons(lessons: readonly Lesson[]): Lesson[] {
  return [...lessons].sort((a, b) => (a.number ?? Infinity) - (b.number ?? Infinity) || a.id.localeCompare(b.id));
}

/**
 * The bundled lessons. Vite inlines the files as strings at build time, so the gallery works
 * the same in Electron and the web host, offline, without a round trip to the host.
 */
export function bundledLessons(): Lesson[] {
  const files = import.meta.glob<string>('../../../assets/lessons/*.netwright.json', { eager: true, query: '?raw', import: 'default' });
  const lessons = Object.entries(files).map(([file, text]) => parseLesson(file, text));
  return sortLessons(lessons.filter((lesson): lesson is Lesson => lesson !== null));
}
