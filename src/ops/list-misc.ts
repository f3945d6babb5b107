import type { OpDef } from './types.js';
import { op as batchnorm } from './defs/batchnorm.js';
import { op as layernorm } from './defs/layernorm.js';
import { op as groupNorm } from './defs/group_norm.js';
import { op as instanceNorm } from './defs/instance_norm.js';
import { op as localResponseNorm } from './defs/local_response_norm.js';
import { op as dropout } from './defs/dropout.js';
import { op as identity } from './defs/identity.js';
import { op as embedding } from './defs/embedding.js';
import { op as classToken } from './defs/class_token.js';
import { op as positionEmbedding } from './defs/position_embedding.js';
import { op as lstm } from './defs/lstm.js';
import { op as gru } from './defs/gru.js';
import { op as rnn } from './defs/rnn.js';
import { op as reshape } from './defs/reshape.js';
import { op as permute } from './defs/permute.js';
import { op as transpose } from './defs/transpose.js';
import { op as reduceMean } from './defs/reduce_mean.js';
import { op as reduceSum } from './defs/reduce_sum.js';
import { op as reduceMax } from './defs/reduce_max.js';
import { op as slice } from './defs/slice.js';
import { op as concat } from './defs/concat.js';
import { op as mul } from './defs/mul.js';
import { op as sub } from './defs/sub.js';
import { op as div } from './defs/div.js';
import { op as matmul } from './defs/matmul.js';
import { op as leakyRelu } from './defs/leaky_relu.js';
import { op as prelu } from './defs/prelu.js';
import { op as elu } from './defs/elu.js';
import { op as selu } from './defs/selu.js';
import { op as gelu } from './defs/gelu.js';
import { op as sigmoid } from './defs/sigmoid.js';
import { op as hardSigmoid } from './defs/hard_sigmoid.js';
import { op as tanh } from './defs/tanh.js';
import { op as softmax } from './defs/softmax.js';
import { op as logSoftmax } from './defs/log_softmax.js';
import { op as silu } from './defs/silu.js';
import { op as relu6 } from './defs/relu6.js';
import { op as hardSwish } from './defs/hard_swish.js';
import { op as softplus } from './defs/softplus.js';
import { op as mish } from './defs/mish.js';
import { op as hardtanh } from './defs/hardtanh.js';
import { op as clamp } from './defs/clamp.js';
import { op as multiheadAttention } from './defs/multihead_attention.js';

export const OPS_MISC: readonly OpDef[] = [
  // Normalisation and regularisation
  batchnorm, layernorm, groupNorm, instanceNorm, localResponseNorm, dropout, identity,
  // Embedding and recurrent
  embedding, classToken, positionEmbedding, lstm, gru, rnn,
  // Shape and merge
  reshape, permute, transpose, slice, concat, mul, sub, div, matmul,
  // Reductions
  reduceMean, reduceSum, reduceMax,
  // Activations (relu is in list-core)
  leakyRelu, prelu, elu, selu, gelu, sigmoid, hardSigmoid, tanh, softmax, logSoftmax, silu, relu6, hardSwish,
  softplus, mish, hardtanh, clamp,
  // Attention
  multiheadAttention,
];
