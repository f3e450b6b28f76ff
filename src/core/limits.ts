// Bounds on the numbers a model may hold, one policy for loading (checkpoints, PyTorch imports, uploads), saving,
// and the trainer's divergence stop, so whatever training writes will load again and nothing absurd loads.
//
// Weights: |w| <= 1e6. PyTorch initialises within ±1/√H and trained recurrent models keep their weights within a few
// tens (weight decay and clipping pull them back; a single SGD step with clip c moves the whole vector by at most
// lr·c). Past 1e6 a model is garbage, not trained. The bound also keeps the arithmetic finite: every input to a
// product is a one-hot entry, an embedding weight (<= 1e6) or a gate/tanh output in [-1, 1], so a pre-activation over
// n inputs is at most 1e6·1e6·n, below float32's 3.4e38 for any n < 1e26 (a ReLU RNN is the exception: its state
// can grow step after step, and the trainer's stop catches that instead).
// Other state (optimizer moments and momentum, carried hidden state): |x| <= 1e18, below √(float32 max) ≈ 1.8e19,
// so the squares Adam and the gradient norm form of such a number stay finite. A healthy run's moments sit near the
// (clipped) gradients; reaching 1e18 means gradients of 1e9 and more, i.e. a run that has already diverged.

/** Largest magnitude a model parameter may have. */
export const MAX_WEIGHT = 1e6;

/** Largest magnitude of optimizer buffers and carried hidden state. */
export const MAX_STATE = 1e18;
