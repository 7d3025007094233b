/**
 * The data set both tools back up: a deterministic tree of incompressible binary files and small text
 * files, a function of a seed alone. Bytes come from an AES-256-CTR keystream (key = SHA-256 of a label),
 * which node:crypto produces at memory speed, where a JavaScript PRNG per byte would dominate the run.
 *
 * The tree is kept in the work directory between runs, with a manifest (outside the tree, so neither tool
 * backs it up) holding every file's size and SHA-256. A run reuses the tree when the manifest was written
 * for the same spec and every file is there with its size; otherwise it regenerates. The "1% changed"
 * step edits the tree in place and leaves a marker until it has put the files back, so an interrupted run
 * is repaired by the next one.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { lstat, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type FileDigest, listFiles } from '../lib/fs-tree.ts';

/** What to generate. Two specs with equal fields generate identical trees. */
export interface DataSetSpec {
  readonly seed: string;
  /** Binary files of 100 KB–2 MB (log-uniform), random bytes. */
  readonly binaryFiles: number;
  /** Text files of 100 B–8 KiB (log-uniform), words. */
  readonly textFiles: number;
}

/** Bump when generation changes, so trees made by an older harness are regenerated. */
const generatorVersion = 1;

const binarySize = { min: 100_000, max: 2_000_000 };
const textSize = { min: 100, max: 8 * 1024 };
/** One file in this many is changed by the "1% changed" step: binary and text alike. */
const changeEvery = 100;

/** One planned file: where it goes and how big it is. */
interface PlannedFile {
  readonly path: string;
  readonly kind: 'binary' | 'text';
  /** Index within its kind. */
  readonly index: number;
  readonly size: number;
}

/** A data set on disk. */
export interface DataSet {
  readonly dir: string;
  readonly spec: DataSetSpec;
  /** Every file as generated. */
  readonly files: readonly FileDigest[];
  readonly totalBytes: number;
  /** Whether this run generated the tree (false: reused). */
  readonly generated: boolean;
}

interface Manifest {
  readonly generator: number;
  readonly spec: DataSetSpec;
  readonly totalBytes: number;
  readonly files: readonly FileDigest[];
}

/** The data set of `spec` in `dir`: reused when intact, generated otherwise. */
export async function prepareDataSet(dir: string, spec: DataSetSpec, log: (message: string) => void): Promise<DataSet> {
  const manifestPath = `${dir}.manifest.json`;
  const plan = planDataSet(spec);
  await repairPendingChanges(dir, spec, plan, log);
  if (existsSync(manifestPath)) {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
    if (await isIntact(dir, spec, manifest)) {
      log(`data set: reusing ${dir} (${manifest.files.length} files, manifest matches)`);
      return { dir, spec, files: manifest.files, totalBytes: manifest.totalBytes, generated: false };
    }
    log(`data set: ${dir} does not match its manifest; regenerating`);
  }
  await rm(manifestPath, { force: true });
  await rm(dir, { recursive: true, force: true });
  const started = performance.now();
  const files: FileDigest[] = [];
  let totalBytes = 0;
  for (const file of plan) {
    const content = contentOf(spec, file);
    const path = join(dir, file.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
    files.push({ path: file.path, size: content.length, sha256: sha256(content) });
    totalBytes += content.length;
  }
  const manifest: Manifest = { generator: generatorVersion, spec, totalBytes, files };
  await writeFile(manifestPath, JSON.stringify(manifest));
  log(`data set: generated ${files.length} files in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { dir, spec, files, totalBytes, generated: true };
}

/** What the "1% changed" step did. */
export interface AppliedChanges {
  /** Every file of the tree after the changes. */
  readonly files: readonly FileDigest[];
  readonly totalBytes: number;
  readonly binaryFilesChanged: number;
  readonly textFilesChanged: number;
  /** Bytes rewritten or appended. */
  readonly bytesChanged: number;
}

/**
 * Changes 1% of the files in place: a 64 KiB range in the middle of one binary file in a hundred is
 * rewritten (same size), and a paragraph is appended to one text file in a hundred. The same files change
 * the same way on every run.
 */
export async function applyChanges(dataSet: DataSet): Promise<AppliedChanges> {
  const plan = planDataSet(dataSet.spec);
  const changed = plan.filter(isChanged);
  await writeFile(pendingMarker(dataSet.dir), '');
  const digests = new Map(dataSet.files.map((file) => [file.path, file]));
  let bytesChanged = 0;
  for (const file of changed) {
    const path = join(dataSet.dir, file.path);
    const original = await readFile(path);
    const updated = changedContent(dataSet.spec, file, original);
    bytesChanged += file.kind === 'binary' ? rewrittenLength(file.size) : updated.length - original.length;
    await writeFile(path, updated);
    digests.set(file.path, { path: file.path, size: updated.length, sha256: sha256(updated) });
  }
  const files = [...digests.values()];
  return {
    files,
    totalBytes: files.reduce((sum, file) => sum + file.size, 0),
    binaryFilesChanged: changed.filter((file) => file.kind === 'binary').length,
    textFilesChanged: changed.filter((file) => file.kind === 'text').length,
    bytesChanged,
  };
}

/** Puts the files {@link applyChanges} changed back as generated. */
export async function revertChanges(dataSet: DataSet): Promise<void> {
  await repairPendingChanges(dataSet.dir, dataSet.spec, planDataSet(dataSet.spec), () => undefined);
}

/** A sentence describing the data set for the results page. */
export function describeDataSet(dataSet: DataSet): string {
  const { binaryFiles, textFiles, seed } = dataSet.spec;
  return (
    `${binaryFiles.toLocaleString('en-US')} binary files of 100 KB–2 MB (log-uniform sizes, random bytes: ` +
    `incompressible) and ${textFiles.toLocaleString('en-US')} text files of 100 B–8 KiB (log-uniform, ` +
    `English-like words: compressible) in 3 levels of nested folders; ` +
    `${(dataSet.totalBytes / 1024 ** 3).toFixed(2)} GiB in ${dataSet.files.length.toLocaleString('en-US')} files; seed \`${seed}\``
  );
}

/** Present while the tree holds the changes of {@link applyChanges}: the changed files are a function of the spec. */
function pendingMarker(dir: string): string {
  return `${dir}.changes-pending`;
}

async function repairPendingChanges(
  dir: string,
  spec: DataSetSpec,
  plan: readonly PlannedFile[],
  log: (message: string) => void,
): Promise<void> {
  const marker = pendingMarker(dir);
  if (!existsSync(marker)) {
    return;
  }
  const changed = plan.filter(isChanged);
  for (const file of changed) {
    await writeFile(join(dir, file.path), contentOf(spec, file));
  }
  await rm(marker);
  log(`data set: put ${changed.length} changed files back to their generated content`);
}

async function isIntact(dir: string, spec: DataSetSpec, manifest: Manifest): Promise<boolean> {
  if (manifest.generator !== generatorVersion || JSON.stringify(manifest.spec) !== JSON.stringify(spec)) {
    return false;
  }
  if (!existsSync(dir)) {
    return false;
  }
  const onDisk = await listFiles(dir);
  const expected = manifest.files.map((file) => file.path).sort();
  if (onDisk.length !== expected.length || onDisk.some((path, index) => path !== expected[index])) {
    return false;
  }
  for (const file of manifest.files) {
    if ((await lstat(join(dir, file.path))).size !== file.size) {
      return false;
    }
  }
  return true;
}

/** Where every file goes and how big it is: a function of the spec, computed without touching the disk. */
function planDataSet(spec: DataSetSpec): PlannedFile[] {
  const random = new SeededRandom(`${spec.seed}/layout`);
  const plan: PlannedFile[] = [];
  for (let index = 0; index < spec.binaryFiles; index++) {
    const folder = randomFolder(random);
    const size = Math.round(logUniform(random.next(), binarySize.min, binarySize.max));
    plan.push({ path: `${folder}/blob-${String(index).padStart(4, '0')}.bin`, kind: 'binary', index, size });
  }
  for (let index = 0; index < spec.textFiles; index++) {
    const folder = randomFolder(random);
    const size = Math.round(logUniform(random.next(), textSize.min, textSize.max));
    plan.push({ path: `${folder}/note-${String(index).padStart(5, '0')}.txt`, kind: 'text', index, size });
  }
  return plan;
}

/** A folder 1 to 3 levels deep: 10 × 8 × 4 = 320 leaf folders, with files at every level. */
function randomFolder(random: SeededRandom): string {
  const depth = random.next();
  const top = `projects-${Math.floor(random.next() * 10)}`;
  const middle = `area-${Math.floor(random.next() * 8)}`;
  const leaf = `batch-${Math.floor(random.next() * 4)}`;
  return depth < 0.1 ? top : depth < 0.4 ? `${top}/${middle}` : `${top}/${middle}/${leaf}`;
}

function contentOf(spec: DataSetSpec, file: PlannedFile): Buffer {
  return file.kind === 'binary'
    ? keystream(`${spec.seed}/binary/${file.index}`, file.size)
    : Buffer.from(words(`${spec.seed}/text/${file.index}`, file.size));
}

function isChanged(file: PlannedFile): boolean {
  return file.index % changeEvery === changeEvery / 2;
}

function rewrittenLength(size: number): number {
  return Math.min(64 * 1024, Math.floor(size / 4));
}

function changedContent(spec: DataSetSpec, file: PlannedFile, original: Buffer): Buffer {
  if (file.kind === 'text') {
    const appended = `\nChanged by the benchmark. ${words(`${spec.seed}/append/${file.index}`, 400)}\n`;
    return Buffer.concat([original, Buffer.from(appended)]);
  }
  const length = rewrittenLength(original.length);
  const offset = Math.floor((original.length - length) / 2);
  const updated = Buffer.from(original);
  keystream(`${spec.seed}/rewrite/${file.index}`, length).copy(updated, offset);
  return updated;
}

/** `length` bytes of AES-256-CTR keystream under the key SHA-256(`label`). */
function keystream(label: string, length: number): Buffer {
  const key = createHash('sha256').update(label).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(length));
}

const vocabulary = (
  'the of and to in is that for it as with was on be by this are from at or an have not which but they ' +
  'backup restore snapshot folder file report invoice meeting notes draft final review budget quarter ' +
  'project team client contract summary agenda minutes design plan schedule update status release ' +
  'customer support ticket issue change request approval policy security archive storage data'
).split(' ');

/** English-like text of exactly `length` bytes (ASCII), lines of words chosen by the keystream of `label`. */
function words(label: string, length: number): string {
  const choices = keystream(label, length);
  let text = '';
  let lineLength = 0;
  for (let position = 0; text.length < length; position++) {
    const word = vocabulary[(choices[position % choices.length] ?? 0) % vocabulary.length] ?? 'data';
    if (lineLength === 0) {
      text += word;
      lineLength = word.length;
    } else if (lineLength + 1 + word.length > 72) {
      text += `\n${word}`;
      lineLength = word.length;
    } else {
      text += ` ${word}`;
      lineLength += 1 + word.length;
    }
  }
  return text.slice(0, length);
}

function logUniform(unit: number, min: number, max: number): number {
  return min * Math.exp(unit * Math.log(max / min));
}

function sha256(content: Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/** Uniform numbers in [0, 1) from an AES-256-CTR keystream: deterministic per label, independent of Node's PRNG. */
class SeededRandom {
  readonly #cipher;
  #block = Buffer.alloc(0);
  #offset = 0;

  constructor(label: string) {
    this.#cipher = createCipheriv('aes-256-ctr', createHash('sha256').update(label).digest(), Buffer.alloc(16));
  }

  next(): number {
    if (this.#offset + 4 > this.#block.length) {
      this.#block = this.#cipher.update(Buffer.alloc(64 * 1024));
      this.#offset = 0;
    }
    const value = this.#block.readUInt32LE(this.#offset);
    this.#offset += 4;
    return value / 2 ** 32;
  }
}
