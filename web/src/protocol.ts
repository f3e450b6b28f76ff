// The messages between the page (main thread) and the training worker. Everything heavy happens in the worker;
// the page only sends what the person chose and draws what comes back, so it never freezes while training.
// Float32Arrays in `activations` are transferred, not copied.
import type { CellKind, OptimizerKind } from '../../src/train/index.js';

export interface RunSettings {
  corpusName: string;
  text: string;
  cell: CellKind;
  hiddenSize: number;
  numLayers: number;
  lr: number;
  optimizer: OptimizerKind;
}

export type Strategy = 'greedy' | 'sample';

export type ToWorker =
  | { type: 'start'; settings: RunSettings }
  | { type: 'pause' }
  | { type: 'sampling'; temperature: number }
  | { type: 'download' }
  | { type: 'load'; bytes: ArrayBuffer; name: string }
  | { type: 'generate'; prefix: string; length: number; strategy: Strategy; temperature: number }
  | { type: 'inspect'; text: string };

export type RunState = 'idle' | 'preparing' | 'training' | 'paused' | 'finished';

/** One point of the learning curve: perplexity over the minibatches since the last point, and on held-out text. */
export interface CurvePoint {
  tokens: number;
  train: number;
  valid: number | null;
}

/** Per layer, per signal (h, c, i, f, o, a for an LSTM), values laid out [t·H + unit]. */
export interface Activations {
  tokens: string[];
  cell: CellKind;
  hiddenSize: number;
  signals: string[];
  layers: Array<Record<string, Float32Array>>;
}

export type FromWorker =
  | { type: 'ready'; isolated: boolean; simd: boolean; sharedMemory: boolean; cores: number; threads: number }
  | { type: 'threads'; threads: number }
  | { type: 'state'; state: RunState; note: string }
  | { type: 'run'; description: string; vocabSize: number; trainTokens: number; validTokens: number }
  | { type: 'progress'; step: number; epoch: number; tokensPerSec: number; threads: number }
  | { type: 'point'; point: CurvePoint }
  | { type: 'sample'; text: string; step: number }
  | { type: 'checkpoint'; bytes: ArrayBuffer; fileName: string }
  | { type: 'loaded'; name: string; description: string; detail: string }
  | { type: 'generated'; text: string }
  | { type: 'activations'; activations: Activations }
  | { type: 'error'; where: 'start' | 'load' | 'generate' | 'inspect' | 'download' | 'train'; message: string };
