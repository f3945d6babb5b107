import type { OpDef } from './types.js';
import { op as conv1d } from './defs/conv1d.js';
import { op as conv2d } from './defs/conv2d.js';
import { op as conv3d } from './defs/conv3d.js';
import { op as relu } from './defs/relu.js';
import { op as dense } from './defs/dense.js';
import { op as flatten } from './defs/flatten.js';
import { op as add } from './defs/add.js';

export const OPS_CORE: readonly OpDef[] = [conv1d, conv2d, conv3d, relu, dense, flatten, add];
