/** The spatial op family: depthwise/separable and transposed convolutions, pooling, padding, resizing, pixel (un)shuffle. */
import type { OpDef } from './types.js';
import { op as depthwise_conv2d } from './defs/depthwise_conv2d.js';
import { op as separable_conv2d } from './defs/separable_conv2d.js';
import { op as conv_transpose1d } from './defs/conv_transpose1d.js';
import { op as conv_transpose2d } from './defs/conv_transpose2d.js';
import { op as conv_transpose3d } from './defs/conv_transpose3d.js';
import { op as max_pool1d } from './defs/max_pool1d.js';
import { op as max_pool2d } from './defs/max_pool2d.js';
import { op as max_pool3d } from './defs/max_pool3d.js';
import { op as avg_pool1d } from './defs/avg_pool1d.js';
import { op as avg_pool2d } from './defs/avg_pool2d.js';
import { op as avg_pool3d } from './defs/avg_pool3d.js';
import { op as global_avg_pool } from './defs/global_avg_pool.js';
import { op as global_max_pool } from './defs/global_max_pool.js';
import { op as adaptive_avg_pool1d } from './defs/adaptive_avg_pool1d.js';
import { op as adaptive_avg_pool2d } from './defs/adaptive_avg_pool2d.js';
import { op as adaptive_avg_pool3d } from './defs/adaptive_avg_pool3d.js';
import { op as adaptive_max_pool1d } from './defs/adaptive_max_pool1d.js';
import { op as adaptive_max_pool2d } from './defs/adaptive_max_pool2d.js';
import { op as adaptive_max_pool3d } from './defs/adaptive_max_pool3d.js';
import { op as zero_pad1d } from './defs/zero_pad1d.js';
import { op as zero_pad2d } from './defs/zero_pad2d.js';
import { op as zero_pad3d } from './defs/zero_pad3d.js';
import { op as upsample } from './defs/upsample.js';
import { op as pixel_shuffle } from './defs/pixel_shuffle.js';
import { op as pixel_unshuffle } from './defs/pixel_unshuffle.js';

export const OPS_SPATIAL: readonly OpDef[] = [
  depthwise_conv2d,
  separable_conv2d,
  conv_transpose1d,
  conv_transpose2d,
  conv_transpose3d,
  max_pool1d,
  max_pool2d,
  max_pool3d,
  avg_pool1d,
  avg_pool2d,
  avg_pool3d,
  global_avg_pool,
  global_max_pool,
  adaptive_avg_pool1d,
  adaptive_avg_pool2d,
  adaptive_avg_pool3d,
  adaptive_max_pool1d,
  adaptive_max_pool2d,
  adaptive_max_pool3d,
  zero_pad1d,
  zero_pad2d,
  zero_pad3d,
  upsample,
  pixel_shuffle,
  pixel_unshuffle,
];
