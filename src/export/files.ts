// Writing export files atomically (temp file in the same directory, fsync, rename), as checkpoints are written:
// an interrupted export leaves any earlier file whole. Node only; the encoders beside this file are pure and also
// run in a browser.
import { requireNode } from '../platform/node.js';

export async function writeFileAtomic(path: string, contents: Uint8Array | string): Promise<void> {
  const { open, rename, rm } = requireNode('node:fs/promises', 'writing an export file');
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(tmp, 'wx');
    await handle.writeFile(contents);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmp, path);
  } catch (err) {
    await handle?.close().catch(() => {});
    await rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
}
