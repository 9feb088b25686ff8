/**
 * Progress for long downloads, on stderr and only when stderr is a terminal (so scripts
 * and pipes get clean output). Redrawn at most ten times a second.
 */
import { count } from './format';

export interface Progress {
  update(done: number): void;
  finish(): void;
}

const WIDTH = 30;

export function createProgress(stream: NodeJS.WriteStream, total: number | null, unit: string): Progress {
  if (!stream.isTTY) return { update: () => undefined, finish: () => undefined };
  let last = 0;
  let done = 0;
  const draw = () => {
    if (total && total > 0) {
      const ratio = Math.min(1, done / total);
      const filled = Math.round(ratio * WIDTH);
      stream.write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}%  ${count(done)}/${count(total)} ${unit}`,
      );
    } else {
      stream.write(`\r${count(done)} ${unit}`);
    }
  };
  return {
    update(value) {
      done = value;
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      draw();
    },
    finish() {
      draw();
      stream.write('\n');
    },
  };
}

/**
 * Counts CSV records in a byte stream: newlines outside quoted cells (a quoted cell may
 * hold line breaks; a doubled quote toggles twice and changes nothing).
 */
export class CsvRecordCounter {
  records = 0;
  private inQuotes = false;

  push(chunk: Uint8Array): void {
    for (const byte of chunk) {
      if (byte === 0x22) this.inQuotes = !this.inQuotes;
      else if (byte === 0x0a && !this.inQuotes) this.records += 1;
    }
  }
}
