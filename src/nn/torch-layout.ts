// How a built-in cell's per-gate parameters map onto PyTorch's packed ones. PyTorch stacks the gates' rows:
// weight_ih (G·H, I) = [W_g1ᵀ; W_g2ᵀ; ...], weight_hh (G·H, H) likewise with U, bias_ih and bias_hh (G·H).
// A gate with one bias `b` takes b = bias_ih + bias_hh (the two only ever appear summed); a gate with `bHidden`
// keeps them apart because the hidden one sits inside a product (GRU: n = tanh(x W_n + b_n + r ⊙ (h U_n + b_hn))).

export type TorchMode = 'LSTM' | 'GRU' | 'RNN_TANH' | 'RNN_RELU';

export interface TorchGate {
  W: string;
  U: string;
  b: string;
  bHidden?: string;
}

export interface TorchLayout {
  mode: TorchMode;
  /** Gates in PyTorch's row order. */
  gates: readonly TorchGate[];
}

export const LSTM_LAYOUT: TorchLayout = {
  mode: 'LSTM',
  // PyTorch's order is i, f, g, o; our candidate "a" is PyTorch's "g".
  gates: [
    { W: 'W_i', U: 'U_i', b: 'b_i' },
    { W: 'W_f', U: 'U_f', b: 'b_f' },
    { W: 'W_a', U: 'U_a', b: 'b_a' },
    { W: 'W_o', U: 'U_o', b: 'b_o' },
  ],
};

export const GRU_LAYOUT: TorchLayout = {
  mode: 'GRU',
  gates: [
    { W: 'W_r', U: 'U_r', b: 'b_r' },
    { W: 'W_z', U: 'U_z', b: 'b_z' },
    { W: 'W_n', U: 'U_n', b: 'b_n', bHidden: 'b_hn' },
  ],
};

export function rnnLayout(nonlinearity: 'tanh' | 'relu'): TorchLayout {
  return { mode: nonlinearity === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', gates: [{ W: 'W', U: 'U', b: 'b' }] };
}
